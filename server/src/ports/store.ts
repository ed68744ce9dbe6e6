/**
 * The off-chain store port: PostgreSQL, either PGlite in-process (default, under DATA_DIR) or a
 * server via DATABASE_URL. One schema and one migration path serve both drivers.
 *
 * Privacy: the store encrypts at rest (AES-256-GCM) everything that can carry personal data —
 * license records, salts, credentials, private keys, idempotent responses. Plain columns hold only
 * what must be queried (ids, type, agency, holderRef, status, dates, hashes). No holder name or ID
 * number is ever written in the clear, so a scan of the data folder finds neither.
 */
import type { JWK } from 'jose';

export type PrincipalKind = 'agency' | 'counter';

export interface AgencyRow {
  id: string;
  name: string;
  province: string;
  mspId: string;
  licenseTypes: string[];
  /** Wallet label of the ledger identity that acts for this agency (role=issuer, agency=id). */
  identityLabel: string;
  createdAt: string;
}

export interface CounterRow {
  id: string;
  name: string;
  province: string;
  createdAt: string;
}

export interface ApiKeyRow {
  /** Public part of the key, used to find the row; the secret is only stored hashed. */
  id: string;
  principalKind: PrincipalKind;
  principalId: string;
  province: string;
  /** SHA-256 of the secret part; compared in constant time. */
  secretHash: Buffer;
  createdAt: string;
  revokedAt: string | null;
}

export interface SigningKeyRow {
  kid: string;
  agencyId: string;
  publicJwk: JWK;
  /** Decrypted by the store on read, encrypted on write. */
  privateJwk: JWK;
  status: 'active' | 'retired';
  createdAt: string;
  retiredAt: string | null;
}

/** pending: written before the ledger submit; anchored: the anchor committed; failed: refused by the ledger. */
export type LicenseState = 'pending' | 'anchored' | 'failed';

export interface LicenseRow {
  id: string;
  type: string;
  agencyId: string;
  holderRef: string;
  docHash: string;
  state: LicenseState;
  /** Last ledger status the server saw (the ledger stays the authority). */
  status: string;
  /** The full off-chain record (holder, data, validity…); encrypted at rest. */
  record: Record<string, unknown>;
  /** The per-license salt of the docHash; encrypted at rest. */
  salt: string;
  validFrom: string;
  validUntil: string | null;
  supersedes: string | null;
  txId: string | null;
  blockNumber: number | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CredentialRow {
  /** The credential's `jti`. */
  id: string;
  licenseId: string;
  kid: string;
  /** The compact credential text; encrypted at rest (its disclosures carry personal data). */
  credential: string;
  issuedAt: string;
}

export interface VerificationLogEntry {
  id?: number;
  at: string;
  verifierKind: PrincipalKind | 'public';
  verifierId: string;
  province: string | null;
  licenseId: string | null;
  /** SHA-256 hex of the decoded signature bytes (never of the text: a JWS has several spellings). */
  credentialRef: string | null;
  verdict: 'valid' | 'invalid' | 'indeterminate';
  failedChecks: string[];
}

export interface IdempotencyRow {
  principal: string;
  key: string;
  /** SHA-256 hex of the canonical request; a reuse with another body is refused. */
  requestHash: string;
  state: 'pending' | 'done';
  licenseId: string | null;
  responseStatus: number | null;
  /** Encrypted at rest. */
  responseBody: unknown;
  createdAt: string;
}

export interface Store {
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  upsertAgency(row: AgencyRow): Promise<void>;
  getAgency(id: string): Promise<AgencyRow | null>;
  listAgencies(): Promise<AgencyRow[]>;

  upsertCounter(row: CounterRow): Promise<void>;
  getCounter(id: string): Promise<CounterRow | null>;

  insertApiKey(row: ApiKeyRow): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRow | null>;

  insertSigningKey(row: SigningKeyRow): Promise<void>;
  listSigningKeys(agencyId: string): Promise<SigningKeyRow[]>;
  retireSigningKey(kid: string, retiredAt: string): Promise<void>;

  /** Fails with ALREADY_EXISTS if the id is taken. */
  insertLicense(row: LicenseRow): Promise<void>;
  getLicense(id: string): Promise<LicenseRow | null>;
  listLicensesByState(state: LicenseState, limit: number): Promise<LicenseRow[]>;
  listLicensesByHolderRef(holderRef: string, agencyId: string): Promise<LicenseRow[]>;
  markLicenseAnchored(id: string, txId: string, blockNumber: number, at: string): Promise<void>;
  markLicenseFailed(id: string, error: string, at: string): Promise<void>;
  updateLicenseStatus(id: string, status: string, at: string): Promise<void>;

  insertCredential(row: CredentialRow): Promise<void>;
  latestCredential(licenseId: string): Promise<CredentialRow | null>;

  appendVerification(entry: VerificationLogEntry): Promise<void>;
  listVerifications(filter: { licenseId?: string; limit: number }): Promise<VerificationLogEntry[]>;

  /**
   * Claims (principal, key) for a new request. Returns the existing row if the key was used
   * before (the caller replays it or resumes it), or null when this call claimed it.
   */
  claimIdempotencyKey(row: Omit<IdempotencyRow, 'state' | 'responseStatus' | 'responseBody' | 'createdAt'> & { createdAt: string }): Promise<IdempotencyRow | null>;
  attachIdempotencyLicense(principal: string, key: string, licenseId: string): Promise<void>;
  completeIdempotencyKey(principal: string, key: string, responseStatus: number, responseBody: unknown): Promise<void>;
}
