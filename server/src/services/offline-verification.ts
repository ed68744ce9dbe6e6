/**
 * Verification at a counter with no network: the same checks as POST /verify, over a trust
 * source read from a signed offline bundle instead of the ledger.
 *
 * A bundle is loaded (signature, certificate chain to the trust anchor, role, shape) as a whole or
 * refused as a whole — a counter never uses half a bundle.
 */
import { StatusList, type BitsPerStatus } from '@sd-jwt/jwt-status-list';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { agencyRecordOf, type LicenseAnchor, type ResolvedKey } from '../../../core/anchor';
import { RegistryError } from '../../../core/errors';
import {
  BUNDLE_SIGNER_ROLE,
  DEFAULT_OFFLINE_MAX_AGE_SECONDS,
  OFFLINE_BUNDLE_TYP,
  parseTrustAnchor,
  readBundleClaims,
  type BundleKey,
  type BundleStatusList,
  type OfflineBundleClaims,
  type TrustAnchor,
} from '../../../core/offline-bundle';
import { STATUS_LIST_TYP } from '../../../core/status-list';
import type { CertifiedVerifier } from '../ports/certified-documents';
import type { SignatureVerifier } from '../ports/signatures';
import type { StatusListEntryAnswer, TrustSource } from '../ports/trust-source';
import { statusListOf } from './status-list-check';
import { CREDENTIAL_CHECKS, checkAnchor, checkStatus, verifyCredential, type CredentialCheck, type VerificationResult } from './verification';

/** A bundle from a clock a little ahead is fine; one from far in the future is not ours. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A bundle whose signature and chain were checked, and its claims' shape. */
export interface BundleDocument {
  claims: OfflineBundleClaims;
  issuedAt: Date;
  /** Who signed it: the province MSP whose root vouches for the signer, and the certificate subject. */
  signer: { mspId: string; subject: string };
}

/** A checked bundle, ready for many verifications: its trust source decodes each status list once. */
export interface LoadedBundle extends BundleDocument {
  trust: BundleTrustSource;
}

export async function loadOfflineBundle(token: string, anchor: TrustAnchor, now: Date, verifier: CertifiedVerifier): Promise<LoadedBundle> {
  const document = await verifier.verify(token.trim(), { typ: OFFLINE_BUNDLE_TYP, role: BUNDLE_SIGNER_ROLE, roots: anchor.provinces, now });
  const claims = readBundleClaims(document.claims);
  const issuedAt = new Date(claims.iat * 1000);
  if (issuedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new RegistryError('BUNDLE_REFUSED', `the bundle claims to be issued in the future (${issuedAt.toISOString()})`);
  }
  const signerProvince = anchor.provinces.find((province) => province.mspId === document.mspId);
  if (signerProvince?.code !== claims.iss) {
    throw new RegistryError('BUNDLE_REFUSED', `the bundle names province ${claims.iss} but is signed under ${document.mspId}`);
  }
  const checked: BundleDocument = { claims, issuedAt, signer: { mspId: document.mspId, subject: document.subject } };
  return { ...checked, trust: new BundleTrustSource(checked) };
}

/**
 * The trust source a loaded bundle gives: issuer keys and agencies as the bundle's trust registry
 * lists them. It holds no license anchors — one per license would make the bundle as big as the
 * ledger — so offline the status list stands in for the anchor (README, "Offline verification").
 */
export class BundleTrustSource implements TrustSource {
  readonly description: string;
  private readonly keys = new Map<string, ResolvedKey>();
  private readonly agencies = new Map<string, ResolvedKey['agency']>();

  readonly statusLists: BundleStatusLists;

  constructor(readonly bundle: BundleDocument) {
    this.statusLists = new BundleStatusLists(bundle);
    this.description = `the offline bundle of ${bundle.issuedAt.toISOString()} (${bundle.claims.iss})`;
    for (const { keys, ...agency } of bundle.claims.agencies) {
      const view = agencyRecordOf(agency);
      this.agencies.set(agency.id, view);
      for (const key of keys) {
        const status = key.status === 'retired' ? 'retired' : 'active';
        this.keys.set(key.kid, { kid: key.kid, jwk: key.jwk, status, createdAt: key.createdAt, retiredAt: key.retiredAt, agency: view });
      }
    }
  }

  resolveKey(kid: string): Promise<ResolvedKey | null> {
    return Promise.resolve(this.keys.get(kid) ?? null);
  }

  agency(agencyId: string): Promise<ResolvedKey['agency'] | null> {
    return Promise.resolve(this.agencies.get(agencyId) ?? null);
  }

  /** The bundle's signed status list tokens: the value at an index (which license it belongs to is not in a token). */
  statusListEntry(agencyId: string, listId: string, idx: number): Promise<StatusListEntryAnswer> {
    return this.statusLists.lookup(agencyId, listId, idx);
  }

  /** Never asked offline (the anchor check is not run); were it asked, "cannot tell" fails closed. */
  anchor(licenseId: string): Promise<LicenseAnchor | null> {
    return Promise.reject(new RegistryError('LEDGER_UNAVAILABLE', `an offline bundle carries no ledger anchor (license ${licenseId})`));
  }
}

/** The `<agency>/<list>` a token's URI names, as the status-list check reads a credential's reference. */
function listKey(uri: string): string | null {
  const list = statusListOf(uri);
  return typeof list === 'string' ? null : `${list.agencyId}/${list.listId}`;
}

function isBitsPerStatus(value: unknown): value is BitsPerStatus {
  return value === 1 || value === 2 || value === 4 || value === 8;
}

/**
 * The status lists of a loaded bundle, read as a counter online reads its node's lists: each token
 * is verified on first use — ES256 by a status-list key of the agency's province as the bundle's
 * trust registry lists it, `typ` statuslist+jwt, `sub` its own URI — then decompressed once.
 * Its time claims are checked as of the bundle's `iat`: a token lives minutes, and offline it is
 * the bundle's freshness window that says how old status data may be. What a token cannot tell
 * offline (which license an entry belongs to) is null.
 */
export class BundleStatusLists {
  private readonly tokens = new Map<string, BundleStatusList>();
  private readonly lists = new Map<string, Promise<StatusList>>();

  constructor(private readonly bundle: BundleDocument) {
    for (const list of bundle.claims.statusLists) {
      const key = listKey(list.uri);
      if (key) this.tokens.set(key, list);
    }
  }

  /** What the list says at `idx`; a token does not say whose entry it is, so `licenseId` is left out. */
  async lookup(agencyId: string, listId: string, idx: number): Promise<StatusListEntryAnswer> {
    const id = `${agencyId}/${listId}`;
    let list = this.lists.get(id);
    if (!list) {
      list = this.decode(id);
      this.lists.set(id, list);
    }
    return { value: (await list).getStatus(idx) };
  }

  /**
   * Any province's node may sign any agency's list (every node derives the same lists from the
   * shared ledger): the key is a status-list key of the province the token's `iss` names.
   */
  private provinceKey(id: string, token: string): BundleKey {
    const { kid } = decodeProtectedHeader(token);
    const { iss, iat } = decodeJwt(token);
    for (const province of this.bundle.claims.provinces) {
      const key = province.statusListKeys.find((candidate) => candidate.kid === kid);
      if (!key || typeof iss !== 'string' || !iss.endsWith(`/provinces/${province.code}`)) continue;
      // A key retired before the token was signed no longer speaks for the province.
      if (key.retiredAt !== null && (iat === undefined || Date.parse(key.retiredAt) <= iat * 1000)) break;
      return key;
    }
    throw new RegistryError('BUNDLE_REFUSED', `the status list ${id} is signed by key ${String(kid)}, not a status-list key of the province its iss names`);
  }

  private async decode(id: string): Promise<StatusList> {
    const entry = this.tokens.get(id);
    // A list newer than the bundle: what it says cannot be known offline.
    if (!entry) throw new RegistryError('LEDGER_UNAVAILABLE', `the offline bundle of ${this.bundle.issuedAt.toISOString()} holds no status list ${id}`);
    let payload: Record<string, unknown>;
    try {
      const key = this.provinceKey(id, entry.token);
      ({ payload } = await jwtVerify(entry.token, await importJWK({ ...key.jwk }, 'ES256'), {
        algorithms: ['ES256'],
        typ: STATUS_LIST_TYP,
        subject: entry.uri,
        currentDate: this.bundle.issuedAt,
      }));
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw new RegistryError(
        'BUNDLE_REFUSED',
        `the status list ${id} in the bundle does not verify: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const statusList: unknown = payload.status_list;
    if (typeof statusList !== 'object' || statusList === null || !Object.hasOwn(statusList, 'lst') || !Object.hasOwn(statusList, 'bits')) {
      throw new RegistryError('BUNDLE_REFUSED', `the status list ${id} has no status_list claim`);
    }
    const { lst, bits } = statusList as { lst: unknown; bits: unknown };
    if (typeof lst !== 'string' || !isBitsPerStatus(bits)) throw new RegistryError('BUNDLE_REFUSED', `the status list ${id} is malformed`);
    return StatusList.decompressStatusList(lst, bits);
  }
}

export interface OfflineVerificationOptions {
  now: Date;
  signatures: SignatureVerifier;
  /** The freshness window: a bundle older than this cannot make a credential `valid`. */
  maxAgeSeconds: number;
}

/** The verdict `/verify` gives, with what the bundle it came from was. */
export interface OfflineVerificationResult extends VerificationResult {
  bundle: { issuedAt: string; province: string; signer: string; ageSeconds: number; maxAgeSeconds: number; fresh: boolean };
}

/**
 * The online checks minus the two that read the ledger's license anchor, which a bundle does not
 * carry: offline the status-list check, over the bundle's signed tokens, stands in for them.
 */
export const OFFLINE_CHECKS: readonly CredentialCheck[] = CREDENTIAL_CHECKS.filter((check) => check !== checkAnchor && check !== checkStatus);

/**
 * Verifies one credential from a loaded bundle with the online verifier's checks. A bundle past
 * its freshness window cannot say nothing was revoked since: what would be `valid` is
 * `indeterminate` ("status data from <time>"); what is `invalid` stays so.
 */
export async function verifyFromBundle(credential: unknown, bundle: LoadedBundle, options: OfflineVerificationOptions): Promise<OfflineVerificationResult> {
  const { result } = await verifyCredential(credential, { trust: bundle.trust, signatures: options.signatures, now: options.now, checks: OFFLINE_CHECKS });
  const ageSeconds = Math.floor((options.now.getTime() - bundle.issuedAt.getTime()) / 1000);
  const about = {
    issuedAt: bundle.issuedAt.toISOString(),
    province: bundle.claims.iss,
    signer: `${bundle.signer.subject} (${bundle.signer.mspId})`,
    ageSeconds,
    maxAgeSeconds: options.maxAgeSeconds,
    fresh: ageSeconds <= options.maxAgeSeconds,
  };
  if (result.verdict !== 'valid') return { ...result, bundle: about };
  // Offline the status list is the only word on revocation: a credential without an entry in one
  // (issued before status lists) cannot be confirmed, however fresh the bundle.
  if (!result.checks.some((check) => check.name === 'status-list')) {
    return { ...result, valid: false, verdict: 'indeterminate', reason: 'no status list entry to confirm offline', bundle: about };
  }
  if (!about.fresh) return { ...result, valid: false, verdict: 'indeterminate', reason: `status data from ${about.issuedAt}`, bundle: about };
  return { ...result, bundle: about };
}

/** The offline verifier a composition root gives a counter: Node's (offline-verifier.ts) or the browser's (offline-verifier.browser.ts). */
export interface OfflineVerifier {
  /**
   * Checks a bundle against the trust anchor — signature, x5c chain to a root, signer role, shape —
   * and readies it for many verifications. Throws RegistryError BUNDLE_REFUSED.
   */
  loadBundle: (token: string, anchor: unknown, options?: { now?: Date }) => Promise<LoadedBundle>;
  /**
   * The verdict for one credential from a bundle (its token, or loaded once with loadBundle) and
   * the trust anchor: valid / invalid as online, indeterminate when the bundle is older than
   * `maxAgeSeconds` (default 24 h). Throws RegistryError BUNDLE_REFUSED for a bundle that fails.
   */
  verifyOffline: (
    credential: unknown,
    bundle: string | LoadedBundle,
    anchor: unknown,
    options?: { now?: Date; maxAgeSeconds?: number },
  ) => Promise<OfflineVerificationResult>;
}

/** The offline verifier over a certificate reader and a signature check: the only differences between Node and a browser. */
export function createOfflineVerifier(certified: CertifiedVerifier, signatures: SignatureVerifier): OfflineVerifier {
  const loadBundle = (token: string, anchor: unknown, options: { now?: Date } = {}) =>
    loadOfflineBundle(token, parseTrustAnchor(anchor), options.now ?? new Date(), certified);
  return {
    loadBundle,
    verifyOffline: async (credential, bundle, anchor, options = {}) => {
      const now = options.now ?? new Date();
      const loaded = typeof bundle === 'string' ? await loadBundle(bundle, anchor, { now }) : bundle;
      return verifyFromBundle(credential, loaded, { now, signatures, maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_OFFLINE_MAX_AGE_SECONDS });
    },
  };
}
