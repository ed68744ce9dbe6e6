/**
 * The citizen's wallet: one implementation for the wallet page (IndexedDB) and the tests (memory),
 * on WebCrypto and fetch only. It holds a P-256 key per credential (non-extractable: no server and
 * no script ever sees the private key), the credentials, and the holder's own log of presentations.
 */
import { joinClaimPath } from '../../core/presentation/claim-paths';
import { WalletError } from './errors';
import { generateHolderKey, jwkThumbprint, type HolderKey, type HolderPublicJwk } from './holder-key';
import {
  createProofJwt,
  credentialIdOf,
  fetchIssuerMetadata,
  issuerSignedPayload,
  requestAccessToken,
  requestCredential,
  requestNonce,
  resolveCredentialOffer,
  secureFetch,
  type ProtocolContext,
} from './oid4vci';
import { DEFAULT_HOLDER_SHOWN_CLAIMS, createHolderQr, type HolderQr } from './holder-qr';
import { answerRequest, createVpToken, type AnswerOptions, type AnswerOutcome, type DcqlMatch, type VerifierRequest } from './openid4vp';
import { fetchReceipts, rateService, type Receipt } from './receipts';
import { credentialClaims, presentablePaths, presentationFrame, samePath, sdJwtFor, valueAt, type ClaimPath } from './sd-jwt';
import type { PresentationLogEntry, StoredCredential, TypeMetadata, WalletStorage } from './storage';

export type Lang = 'zh-CN' | 'en';

export interface WalletOptions {
  storage: WalletStorage;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Where the Type Metadata of a credential type is; default: the registry that issued it. */
  typeMetadataUrl?: (vct: string, issuer: string) => string | null;
}

export interface ClaimView {
  path: ClaimPath;
  label: string;
  value: unknown;
}

export interface CredentialView {
  id: string;
  licenseId: string;
  vct: string;
  issuer: string;
  /** The license type's name in the asked language. */
  name: string;
  claims: ClaimView[];
  validFrom: string | null;
  validUntil: string | null;
  receivedAt: string;
}

export interface DisclosurePlan {
  credentialId: string;
  licenseId: string;
  /** Claims the presentation discloses (their disclosures are sent). */
  disclosed: ClaimView[];
  /** Claims every presentation of this credential shows: they are signed in clear (license id, type, issuer, validity…). */
  alwaysShown: ClaimView[];
  /** Claims that stay hidden. */
  withheld: ClaimView[];
}

export interface PresentationInput {
  credentialId: string;
  /** Claim paths to disclose, e.g. [['name'], ['age_equal_or_over', '18']]. */
  disclose: ClaimPath[];
  /** The verifier's nonce (OpenID4VP request `nonce`, or a one-time value for a holder-shown QR). */
  nonce: string;
  /** The verifier: its `client_id`. */
  aud: string;
  /** The verifier as its request names itself, kept in the holder's log. */
  verifier?: { name: string | null; province: string | null };
}

/** Registered and technical claims a holder does not need to read as license data. */
const TECHNICAL_CLAIMS = new Set(['iss', 'vct', 'vct#integrity', 'lid', 'dh', 'iat', 'nbf', 'exp', 'cnf', 'status', 'sub', '_sd', '_sd_alg']);
const VCT_PREFIX = 'urn:cn:elicense:vct:';

/** `<base>/api/v1/license-types/<typeId>/type-metadata`, base being the part of the issuer URL before `/issuers/`. */
export function registryTypeMetadataUrl(vct: string, issuer: string): string | null {
  const at = issuer.lastIndexOf('/issuers/');
  if (at < 0) return null;
  const typeId = vct.startsWith(VCT_PREFIX) ? vct.slice(VCT_PREFIX.length) : vct;
  return `${issuer.slice(0, at)}/api/v1/license-types/${encodeURIComponent(typeId)}/type-metadata`;
}

function localized<T extends { locale?: string; lang?: string }>(entries: readonly T[] | undefined, lang: Lang): T | undefined {
  if (!entries || entries.length === 0) return undefined;
  const language = lang.split('-')[0] ?? lang;
  const tag = (entry: T) => entry.locale ?? entry.lang ?? '';
  return entries.find((entry) => tag(entry) === lang) ?? entries.find((entry) => tag(entry).split('-')[0] === language) ?? entries[0];
}

function claimLabel(metadata: TypeMetadata | null, path: ClaimPath, lang: Lang): string {
  const claim = metadata?.claims?.find((candidate) => samePath(candidate.path.filter((part): part is string | number => part !== null), path));
  const display = localized(claim?.display, lang);
  return display?.label ?? display?.name ?? joinClaimPath(path);
}

function typeName(stored: StoredCredential, lang: Lang): string {
  return localized(stored.typeMetadata?.display, lang)?.name ?? localized(stored.issuerDisplay, lang)?.name ?? stored.typeMetadata?.name ?? stored.vct;
}

/** Every leaf claim with its path: `{ age_equal_or_over: { 18: true } }` → `[['age_equal_or_over', '18'], true]`. */
function leafClaims(claims: Record<string, unknown>, prefix: ClaimPath = []): Array<{ path: ClaimPath; value: unknown }> {
  return Object.entries(claims).flatMap(([name, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? leafClaims(value as Record<string, unknown>, [...prefix, name])
      : [{ path: [...prefix, name], value }],
  );
}

function secondsToIso(value: unknown): string | null {
  return typeof value === 'number' ? new Date(value * 1000).toISOString() : null;
}

export class Wallet {
  readonly #storage: WalletStorage;
  readonly #ctx: ProtocolContext;
  readonly #typeMetadataUrl: (vct: string, issuer: string) => string | null;

  constructor(options: WalletOptions) {
    this.#storage = options.storage;
    // Every request the wallet and its protocol libraries make goes through secureFetch.
    this.#ctx = { fetch: secureFetch(options.fetch ?? ((input, init) => globalThis.fetch(input, init))), now: options.now ?? (() => new Date()) };
    this.#typeMetadataUrl = options.typeMetadataUrl ?? registryTypeMetadataUrl;
  }

  /**
   * The whole pre-authorized code flow for an offer the agency handed over (QR or link) and the
   * PIN it gave separately. Returns the stored credential, bound to a new key of this wallet.
   */
  async redeemOffer(uri: string, pin?: string): Promise<StoredCredential> {
    const offer = await resolveCredentialOffer(uri, this.#ctx);
    const metadata = await fetchIssuerMetadata(offer.credential_issuer, this.#ctx);
    const configurationId = offer.credential_configuration_ids[0];
    if (configurationId === undefined) throw new WalletError('OFFER_INVALID', 'the offer names no credential');
    const token = await requestAccessToken({ offer, metadata, ...(pin !== undefined ? { txCode: pin } : {}) }, this.#ctx);
    const key = await generateHolderKey();
    await this.#storage.putKey(key);
    try {
      const nonce = await requestNonce(metadata, this.#ctx);
      const proofJwt = await createProofJwt({ key, metadata, credentialConfigurationId: configurationId, nonce }, this.#ctx);
      const credential = await requestCredential({ metadata, credentialConfigurationId: configurationId, accessToken: token.accessToken, proofJwt }, this.#ctx);
      const stored = await this.#accept(credential, key.id, offer.credential_issuer, configurationId, metadata.credentialIssuer.credential_configurations_supported);
      await this.#storage.putCredential(stored);
      return stored;
    } catch (error) {
      await this.#storage.deleteKey(key.id);
      throw error;
    }
  }

  async #accept(credential: string, keyId: string, issuer: string, configurationId: string, configurations: Record<string, unknown>): Promise<StoredCredential> {
    const payload = issuerSignedPayload(credential);
    const cnf = payload.cnf as { jwk?: HolderPublicJwk } | undefined;
    if (!cnf?.jwk || (await jwkThumbprint(cnf.jwk)) !== keyId) throw new WalletError('CREDENTIAL_INVALID', 'the credential is not bound to the key this wallet proved');
    if (typeof payload.vct !== 'string' || typeof payload.lid !== 'string') throw new WalletError('CREDENTIAL_INVALID', 'the credential lacks vct or lid');
    const configuration = configurations[configurationId] as { credential_metadata?: { display?: Array<{ name: string; locale?: string }> } } | undefined;
    return {
      id: await credentialIdOf(credential),
      credential,
      keyId,
      issuer,
      vct: payload.vct,
      licenseId: payload.lid,
      credentialConfigurationId: configurationId,
      receivedAt: this.#ctx.now().toISOString(),
      typeMetadata: await this.#fetchTypeMetadata(payload.vct, issuer),
      issuerDisplay: configuration?.credential_metadata?.display ?? [],
    };
  }

  /** Best effort: without Type Metadata the wallet falls back to the issuer metadata's display names. */
  async #fetchTypeMetadata(vct: string, issuer: string): Promise<TypeMetadata | null> {
    const url = this.#typeMetadataUrl(vct, issuer);
    if (url === null) return null;
    try {
      const response = await this.#ctx.fetch(url, { headers: { accept: 'application/json' } });
      if (!response.ok) return null;
      const document: unknown = await response.json();
      return typeof document === 'object' && document !== null && typeof (document as { vct?: unknown }).vct === 'string' ? (document as TypeMetadata) : null;
    } catch {
      return null;
    }
  }

  async #credential(id: string): Promise<StoredCredential> {
    const stored = await this.#storage.getCredential(id);
    if (!stored) throw new WalletError('CREDENTIAL_NOT_FOUND', `no credential ${id} in this wallet`);
    return stored;
  }

  /** The wallet's licenses with their Type Metadata labels in `lang`. */
  async listCredentials(lang: Lang = 'zh-CN'): Promise<CredentialView[]> {
    const views: CredentialView[] = [];
    for (const stored of await this.#storage.listCredentials()) {
      const claims = await credentialClaims(stored.credential);
      views.push({
        id: stored.id,
        licenseId: stored.licenseId,
        vct: stored.vct,
        issuer: stored.issuer,
        name: typeName(stored, lang),
        claims: leafClaims(claims)
          .filter(({ path }) => !TECHNICAL_CLAIMS.has(String(path[0])))
          .map(({ path, value }) => ({ path, label: claimLabel(stored.typeMetadata, path, lang), value })),
        validFrom: secondsToIso(claims.nbf),
        validUntil: secondsToIso(claims.exp),
        receivedAt: stored.receivedAt,
      });
    }
    return views;
  }

  async getCredential(id: string): Promise<StoredCredential> {
    return this.#credential(id);
  }

  /** The public key a credential is bound to (its `cnf.jwk`). */
  async holderJwk(credentialId: string): Promise<HolderPublicJwk> {
    return (await this.holderKeyFor(credentialId)).publicJwk;
  }

  /**
   * The key a credential is bound to, for the OpenID4VP and holder-QR steps (openid4vp.ts,
   * holder-qr.ts): the private key stays a non-extractable CryptoKey, usable only to sign.
   */
  async holderKeyFor(credentialId: string): Promise<HolderKey> {
    const stored = await this.#credential(credentialId);
    const key = await this.#storage.getKey(stored.keyId);
    if (!key) throw new WalletError('KEY_NOT_FOUND', `the key of credential ${credentialId} is not in this wallet`);
    return key;
  }

  /** Every held credential as the OpenID4VP steps take them (`{ id, compact }`). */
  async heldCredentials(): Promise<Array<{ id: string; compact: string }>> {
    return (await this.#storage.listCredentials()).map((stored) => ({ id: stored.id, compact: stored.credential }));
  }

  /** What a presentation disclosing `claims` would show the verifier, for the holder to confirm first. */
  async disclosurePlan(credentialId: string, claims: ClaimPath[], lang: Lang = 'zh-CN'): Promise<DisclosurePlan> {
    const stored = await this.#credential(credentialId);
    const all = await credentialClaims(stored.credential);
    const presentable = await presentablePaths(stored.credential);
    const view = (path: ClaimPath): ClaimView => ({ path, label: claimLabel(stored.typeMetadata, path, lang), value: valueAt(all, path) });
    for (const path of claims) {
      if (!presentable.some((candidate) => samePath(candidate, path)) && valueAt(all, path) === undefined) {
        throw new WalletError('UNKNOWN_CLAIM', `the credential has no claim ${joinClaimPath(path)}`);
      }
    }
    const payload = issuerSignedPayload(stored.credential);
    return {
      credentialId,
      licenseId: stored.licenseId,
      disclosed: presentable.filter((path) => claims.some((asked) => samePath(asked, path))).map(view),
      alwaysShown: Object.keys(payload)
        .filter((name) => name !== '_sd' && name !== '_sd_alg')
        .map((name) => view([name])),
      withheld: presentable.filter((path) => !claims.some((asked) => samePath(asked, path))).map(view),
    };
  }

  /**
   * An SD-JWT presentation (RFC 9901 §4): the issuer-signed JWT, only the disclosures of
   * `disclose`, and a KB-JWT (`typ: kb+jwt`; iat, nonce, aud, sd_hash) signed by the holder key.
   * Recorded in the holder's own log.
   */
  async createPresentation(input: PresentationInput): Promise<string> {
    const stored = await this.#credential(input.credentialId);
    const key = await this.holderKeyFor(input.credentialId);
    const presentable = await presentablePaths(stored.credential);
    const all = await credentialClaims(stored.credential);
    const disclosed = input.disclose.filter((path) => presentable.some((candidate) => samePath(candidate, path)));
    const unknown = input.disclose.find((path) => !presentable.some((candidate) => samePath(candidate, path)) && valueAt(all, path) === undefined);
    if (unknown) throw new WalletError('UNKNOWN_CLAIM', `the credential has no claim ${joinClaimPath(unknown)}`);
    const now = this.#ctx.now();
    const presentation = await sdJwtFor(key.privateKey).present(stored.credential, presentationFrame(disclosed), {
      kb: { payload: { iat: Math.floor(now.getTime() / 1000), aud: input.aud, nonce: input.nonce } },
    });
    await this.#storage.appendPresentation({
      id: crypto.randomUUID(),
      at: now.toISOString(),
      credentialId: stored.id,
      licenseId: stored.licenseId,
      audience: input.aud,
      nonce: input.nonce,
      disclosed,
      ...(input.verifier ? { verifier: input.verifier } : {}),
    });
    return presentation;
  }

  /**
   * Answers a counter's request (the openid4vp:// URI of its QR code, OpenID4VP 1.0): fetches and
   * checks the signed request, finds a held credential that answers its DCQL query, asks the holder
   * (`approve`, shown the verifier and the claims), then posts the presentation to the counter.
   */
  async answerRequest(uri: string, options: AnswerOptions): Promise<AnswerOutcome> {
    return answerRequest(this, uri, options, this.#ctx.fetch);
  }

  /** The vp_token answering `request` with `match` (the step inside answerRequest, for a page that approves in two steps). */
  async createVpToken(request: VerifierRequest, match: DcqlMatch): Promise<Record<string, string[]>> {
    return createVpToken(this, match, request);
  }

  /** The holder-shown dynamic QR code of a credential: `disclose` (default: the name only), valid once within 60 s. */
  async createHolderQr(credentialId: string, disclose: readonly ClaimPath[] = DEFAULT_HOLDER_SHOWN_CLAIMS): Promise<HolderQr> {
    return createHolderQr(this, credentialId, disclose, this.#ctx.now());
  }

  /** The receipts a registry node keeps of this credential's presentations, asked for with a proof of its key. */
  async fetchReceipts(credentialId: string, baseUrl: string): Promise<Receipt[]> {
    return fetchReceipts(baseUrl, await this.holderKeyFor(credentialId), this.#ctx);
  }

  /** Rates the service behind one receipt (好差评, once): the HTTP status, 201 when rated. */
  async rateService(credentialId: string, baseUrl: string, rating: { receipt: string; score: number; comment?: string }): Promise<number> {
    return rateService(baseUrl, await this.holderKeyFor(credentialId), rating, this.#ctx);
  }

  /** The holder's own log of presentations, oldest first. */
  async listPresentations(): Promise<PresentationLogEntry[]> {
    return this.#storage.listPresentations();
  }

  async deleteCredential(id: string): Promise<void> {
    const stored = await this.#credential(id);
    await this.#storage.deleteCredential(id);
    await this.#storage.deleteKey(stored.keyId);
  }
}
