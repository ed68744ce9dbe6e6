/**
 * The off-chain store port: PostgreSQL, either PGlite in-process (default, under DATA_DIR) or a
 * server via DATABASE_URL. One schema and one migration path serve both drivers.
 *
 * Privacy: the store encrypts at rest (AES-256-GCM) everything that can carry personal data —
 * license records, salts, credentials, private keys, idempotent responses. Plain columns hold only
 * what must be queried (ids, type, agency, holderRef, status, dates, hashes). No holder name or ID
 * number is ever written in the clear, so a scan of the data folder finds neither.
 *
 * Conventions: instants (`createdAt`, `at`…) are ISO-8601 strings; the store keeps them as
 * timestamptz and returns them in UTC with milliseconds (`2025-03-01T02:00:00.000Z`), so an
 * instant written with an offset reads back as the same instant in another spelling. License
 * dates (`validFrom`, `validUntil`) are calendar dates 'YYYY-MM-DD' and read back unchanged.
 *
 * Errors: every failure is a RegistryError. A duplicate id is the matching *_EXISTS code, a row a
 * change needs but cannot find is the matching *_NOT_FOUND code, an unreachable or closed database
 * is STORE_UNAVAILABLE, a ciphertext that fails authentication (altered, moved to another row, or
 * sealed under another key) is INTERNAL with details { table, column, row }.
 */
import type { PublicJwk } from '../../../core/anchor';
import type { PrivateJwk } from './keys';
import type { PresentationStore } from './presentation-store';

export type PrincipalKind = 'agency' | 'counter';
/** Who an API key speaks for: an agency, a counter, or a province's administration. */
export type { ApiKeyKind } from '../../../core/admin-views';
import type { ApiKeyKind } from '../../../core/admin-views';

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
  principalKind: ApiKeyKind;
  /** The agency or counter id; for an admin key, the province code. */
  principalId: string;
  province: string;
  /** SHA-256 of the secret part (32 bytes); the service compares it in constant time. */
  secretHash: Buffer;
  createdAt: string;
  revokedAt: string | null;
}

export interface SigningKeyRow {
  kid: string;
  agencyId: string;
  publicJwk: PublicJwk;
  /** Decrypted by the store on read, encrypted on write. */
  privateJwk: PrivateJwk;
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
  /** HMAC-SHA-256 hex of the holder's identifier: a pseudonym, stored in the clear to be queried. */
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
  /** Why the ledger refused the anchor; encrypted at rest (a ledger message may echo input). */
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CredentialRow {
  /** SHA-256 hex of the credential's decoded signature: the same key the audit trail uses. */
  id: string;
  licenseId: string;
  kid: string;
  /** The compact credential text; encrypted at rest (its disclosures carry personal data). */
  credential: string;
  issuedAt: string;
}

export interface VerificationLogEntry {
  /** Assigned by the store (ascending in append order); ignored on append. */
  id?: number;
  at: string;
  verifierKind: PrincipalKind | 'public';
  /** Stored in the clear: an agency or counter id, or a constant for the public — never an IP or a person. */
  verifierId: string;
  province: string | null;
  licenseId: string | null;
  /** SHA-256 hex of the decoded signature bytes (never of the text: a JWS has several spellings). */
  credentialRef: string | null;
  verdict: 'valid' | 'invalid' | 'indeterminate';
  failedChecks: string[];
}

/** How many verifications one verifier had refused at `format` on one day (China Standard Time). */
export interface RejectedVerificationCount {
  day: string;
  verifierKind: PrincipalKind | 'public';
  verifierId: string;
  count: number;
}

export interface IdempotencyRow {
  principal: string;
  key: string;
  /** SHA-256 hex of the canonical request; a reuse with another body is refused. */
  requestHash: string;
  state: 'pending' | 'done';
  licenseId: string | null;
  responseStatus: number | null;
  /** Any JSON value (undefined reads back as null); encrypted at rest. */
  responseBody: unknown;
  createdAt: string;
}

/**
 * offered → token-issued (the pre-authorized code redeemed with the right PIN) → redeemed (the
 * credential issued, bound to `holderJkt`). locked: five wrong PINs. superseded: the agency re-offered.
 */
export type CredentialOfferState = 'offered' | 'token-issued' | 'redeemed' | 'locked' | 'superseded';

export interface CredentialOfferRow {
  id: string;
  licenseId: string;
  agencyId: string;
  /** The credential configuration offered (the license type id). */
  configurationId: string;
  /** SHA-256 hex of the pre-authorized code: the code itself is never stored. */
  codeHash: string;
  /** SHA-256 hex of code ‖ PIN. */
  txCodeHash: string;
  state: CredentialOfferState;
  failedAttempts: number;
  expiresAt: string;
  /** SHA-256 hex of the access token issued for the code (opaque, single use). */
  tokenHash: string | null;
  tokenExpiresAt: string | null;
  /** RFC 7638 thumbprint of the holder key the credential was bound to. */
  holderJkt: string | null;
  /** SHA-256 hex of the bound credential's signature (the verification log's key). */
  credentialRef: string | null;
  /** The bound credential's `status` claim (its own status list entry), to invalidate it later. */
  credentialStatus: Record<string, unknown> | null;
  statusInvalidatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a request brings when it claims an idempotency key. */
export type IdempotencyClaim = Pick<IdempotencyRow, 'principal' | 'key' | 'requestHash' | 'licenseId' | 'createdAt'>;
/** A key's request answered: the response its retries replay. */
export interface IdempotencyCompletion {
  principal: string;
  key: string;
  responseStatus: number;
  responseBody: unknown;
}

export interface Store extends PresentationStore {
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Operational settings and checkpoints (plain text: never personal data). */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  /** Inserts or updates every field but createdAt, which keeps its first value. */
  upsertAgency(row: AgencyRow): Promise<void>;
  getAgency(id: string): Promise<AgencyRow | null>;
  /** Ordered by id. */
  listAgencies(): Promise<AgencyRow[]>;

  /** Inserts or updates every field but createdAt, which keeps its first value. */
  upsertCounter(row: CounterRow): Promise<void>;
  getCounter(id: string): Promise<CounterRow | null>;
  /** Ordered by id. */
  listCounters(province: string): Promise<CounterRow[]>;

  /** Fails with ALREADY_EXISTS if the id is taken. */
  insertApiKey(row: ApiKeyRow): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRow | null>;
  /** The keys filed under a province, oldest first. */
  listApiKeys(province: string): Promise<ApiKeyRow[]>;
  /** Sets revokedAt; revoking a revoked key keeps the first date. NOT_FOUND if unknown. */
  revokeApiKey(id: string, revokedAt: string): Promise<void>;

  /** Fails with KEY_EXISTS if the kid is taken. */
  insertSigningKey(row: SigningKeyRow): Promise<void>;
  /** Oldest first. */
  listSigningKeys(agencyId: string): Promise<SigningKeyRow[]>;
  /** Retiring a retired key keeps the first date. KEY_NOT_FOUND if unknown. */
  retireSigningKey(kid: string, retiredAt: string): Promise<void>;

  /** Fails with LICENSE_EXISTS if the id is taken. */
  insertLicense(row: LicenseRow): Promise<void>;
  /** Several at once, atomically, in one statement (group commit of issuance); LICENSE_EXISTS if any id is taken. */
  insertLicenses(rows: readonly LicenseRow[]): Promise<void>;
  getLicense(id: string): Promise<LicenseRow | null>;
  /** Oldest first (a recovery worker resumes pending anchors in issue order); limit 1..1000. */
  listLicensesByState(state: LicenseState, limit: number): Promise<LicenseRow[]>;
  /** Oldest first. */
  listLicensesByHolderRef(holderRef: string, agencyId: string): Promise<LicenseRow[]>;
  /** An agency's licenses, newest first, created before `before` when given; limit 1..1000. */
  listLicensesByAgency(agencyId: string, limit: number, before?: string): Promise<LicenseRow[]>;
  /**
   * pending or failed → anchored (a "failed" submit whose commit later shows up is recovered).
   * Repeating it with the same txId is a no-op; another txId on an anchored license is
   * INVALID_TRANSITION. LICENSE_NOT_FOUND if unknown. The status becomes `active`, as every new
   * anchor is on the ledger.
   */
  markLicenseAnchored(id: string, txId: string, blockNumber: number, at: string): Promise<void>;
  /** The same for every license one transaction anchored, atomically. */
  markLicensesAnchored(ids: readonly string[], txId: string, blockNumber: number, at: string): Promise<void>;
  /** pending or failed → failed; an anchored license is on the ledger and cannot fail (INVALID_TRANSITION). */
  markLicenseFailed(id: string, error: string, at: string): Promise<void>;
  updateLicenseStatus(id: string, status: string, at: string): Promise<void>;

  /** ALREADY_EXISTS if the id is taken, LICENSE_NOT_FOUND if the license is unknown. */
  insertCredential(row: CredentialRow): Promise<void>;
  /** Several at once, atomically, in one statement. */
  insertCredentials(rows: readonly CredentialRow[]): Promise<void>;
  /** The credential with the latest issuedAt. */
  latestCredential(licenseId: string): Promise<CredentialRow | null>;

  appendVerification(entry: VerificationLogEntry): Promise<void>;
  /** Appends all entries atomically: one multi-row INSERT per 1000 entries (group commit under load). */
  appendVerifications(entries: readonly VerificationLogEntry[]): Promise<void>;
  /** Newest first; limit 1..1000. */
  listVerifications(filter: { licenseId?: string; limit: number }): Promise<VerificationLogEntry[]>;
  /** Adds each count to the day's and verifier's total, atomically. */
  countRejectedVerifications(counts: readonly RejectedVerificationCount[]): Promise<void>;
  /** The totals, newest day first; limit 1..1000. */
  listRejectedVerificationCounts(limit: number): Promise<RejectedVerificationCount[]>;
  /** Deletes log rows and daily counts from before `before` (an instant); returns how many log rows went. */
  pruneVerifications(before: string): Promise<number>;

  /**
   * Claims (principal, key) for a new request. Returns the existing row if the key was used
   * before (the caller replays it or resumes it), or null when this call claimed it. Race-free
   * across processes: of several concurrent claims on one key exactly one gets null. Comparing
   * requestHash with the existing row's is the caller's job (→ IDEMPOTENCY_CONFLICT).
   */
  claimIdempotencyKey(claim: IdempotencyClaim): Promise<IdempotencyRow | null>;
  /** NOT_FOUND if the key was never claimed. */
  attachIdempotencyLicense(principal: string, key: string, licenseId: string): Promise<void>;
  /** pending → done with the response to replay. NOT_FOUND if the key was never claimed. */
  completeIdempotencyKey(principal: string, key: string, responseStatus: number, responseBody: unknown): Promise<void>;
  /** Several at once, in one statement (issuance's group commit); NOT_FOUND names a key never claimed. */
  completeIdempotencyKeys(completions: readonly IdempotencyCompletion[]): Promise<void>;

  // --- credential offers (OpenID4VCI) ---------------------------------------------------------
  /** ALREADY_EXISTS if the id or code hash is taken, LICENSE_NOT_FOUND if the license is unknown. */
  insertCredentialOffer(row: CredentialOfferRow): Promise<void>;
  /** Several at once, in one statement (issuance's group commit); the same refusals. */
  insertCredentialOffers(rows: readonly CredentialOfferRow[]): Promise<void>;
  getCredentialOfferByCode(codeHash: string): Promise<CredentialOfferRow | null>;
  getCredentialOfferByToken(tokenHash: string): Promise<CredentialOfferRow | null>;
  /** Oldest first. */
  listCredentialOffers(licenseId: string): Promise<CredentialOfferRow[]>;
  /** One more wrong PIN on an `offered` offer, atomically; at `maxAttempts` it becomes `locked`. Null if not `offered`. */
  recordTxCodeFailure(id: string, maxAttempts: number, at: string): Promise<CredentialOfferRow | null>;
  /** offered → token-issued with the token's hash; false if the offer was not `offered` (single use, race-free). */
  redeemCredentialOffer(id: string, tokenHash: string, tokenExpiresAt: string, at: string): Promise<boolean>;
  /** token-issued → redeemed for `holderJkt`; false if not `token-issued` (one credential per token). */
  claimCredentialOfferIssuance(id: string, holderJkt: string, at: string): Promise<boolean>;
  /** Undoes a claim whose credential could not be issued: redeemed → token-issued, while no credential is recorded. */
  releaseCredentialOfferIssuance(id: string, at: string): Promise<void>;
  recordOfferCredential(id: string, credentialRef: string, credentialStatus: Record<string, unknown> | null, at: string): Promise<void>;
  /** Every `offered` or `token-issued` offer of the license becomes `superseded`; returns how many. */
  supersedeCredentialOffers(licenseId: string, at: string): Promise<number>;
  markOfferStatusInvalidated(id: string, at: string): Promise<void>;
  /** A c_nonce (hashed) valid until `expiresAt`; also forgets nonces expired at `now`. */
  insertIssuanceNonce(nonceHash: string, expiresAt: string, now: string): Promise<void>;
  /** True once for a nonce issued and not expired at `now`; it is gone afterwards. */
  consumeIssuanceNonce(nonceHash: string, now: string): Promise<boolean>;
}
