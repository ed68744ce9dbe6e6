/**
 * The wallet's storage port: keys, credentials and the holder's own log of presentations. The
 * browser uses IndexedDB (storage-indexeddb.ts); tests use the memory one below. Implementations
 * store CryptoKey objects as they are (IndexedDB's structured clone keeps them non-extractable).
 */
import type { HolderKey } from './holder-key';

/** An SD-JWT VC Type Metadata document (draft-ietf-oauth-sd-jwt-vc §6), as far as the wallet reads it. */
export interface TypeMetadata {
  vct: string;
  name?: string;
  display?: Array<{ locale?: string; lang?: string; name: string; description?: string }>;
  claims?: Array<{ path: Array<string | number | null>; display?: Array<{ locale?: string; lang?: string; label?: string; name?: string }>; sd?: string }>;
}

export interface StoredCredential {
  /** The wallet's own id: SHA-256 (base64url) of the issuer-signed JWT. */
  id: string;
  /** The SD-JWT VC as issued: `<JWS>~<disclosure>~…~`, every disclosure included. */
  credential: string;
  /** Thumbprint of the holder key in `cnf.jwk`. */
  keyId: string;
  issuer: string;
  vct: string;
  /** The license id on the ledger (`lid`). */
  licenseId: string;
  credentialConfigurationId: string;
  receivedAt: string;
  typeMetadata: TypeMetadata | null;
  /** `credential_metadata.display` of the issuer metadata, the fallback when no Type Metadata was found. */
  issuerDisplay: Array<{ name: string; locale?: string }>;
}

export interface PresentationLogEntry {
  id: string;
  at: string;
  credentialId: string;
  licenseId: string;
  /** The KB-JWT's `aud`: the verifier the presentation was made for. */
  audience: string;
  nonce: string;
  /** The claim paths whose disclosures were sent. */
  disclosed: Array<Array<string | number>>;
  /** The verifier as its request named itself (counter name, province); absent for a holder-shown QR. */
  verifier?: { name: string | null; province: string | null };
}

export interface WalletStorage {
  getKey(id: string): Promise<HolderKey | null>;
  putKey(key: HolderKey): Promise<void>;
  deleteKey(id: string): Promise<void>;
  getCredential(id: string): Promise<StoredCredential | null>;
  /** Oldest first. */
  listCredentials(): Promise<StoredCredential[]>;
  putCredential(credential: StoredCredential): Promise<void>;
  deleteCredential(id: string): Promise<void>;
  appendPresentation(entry: PresentationLogEntry): Promise<void>;
  /** Oldest first. */
  listPresentations(): Promise<PresentationLogEntry[]>;
}

/** Storage in memory: for tests and for a wallet that must forget everything when closed. */
export class MemoryWalletStorage implements WalletStorage {
  readonly #keys = new Map<string, HolderKey>();
  readonly #credentials = new Map<string, StoredCredential>();
  readonly #presentations: PresentationLogEntry[] = [];

  getKey(id: string): Promise<HolderKey | null> {
    return Promise.resolve(this.#keys.get(id) ?? null);
  }

  putKey(key: HolderKey): Promise<void> {
    this.#keys.set(key.id, key);
    return Promise.resolve();
  }

  deleteKey(id: string): Promise<void> {
    this.#keys.delete(id);
    return Promise.resolve();
  }

  getCredential(id: string): Promise<StoredCredential | null> {
    return Promise.resolve(this.#credentials.get(id) ?? null);
  }

  listCredentials(): Promise<StoredCredential[]> {
    return Promise.resolve([...this.#credentials.values()].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt)));
  }

  putCredential(credential: StoredCredential): Promise<void> {
    this.#credentials.set(credential.id, credential);
    return Promise.resolve();
  }

  deleteCredential(id: string): Promise<void> {
    this.#credentials.delete(id);
    return Promise.resolve();
  }

  appendPresentation(entry: PresentationLogEntry): Promise<void> {
    this.#presentations.push(entry);
    return Promise.resolve();
  }

  listPresentations(): Promise<PresentationLogEntry[]> {
    return Promise.resolve([...this.#presentations]);
  }
}
