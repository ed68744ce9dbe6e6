/**
 * "Show license, get served": a counter scans a QR code and gets a verdict checked against the
 * ledger. The result is data — `{ valid, verdict, checks: [{ name, ok, detail }] }` — never an
 * exception for a bad credential.
 *
 * The verdict is a list of small checks (CREDENTIAL_CHECKS), run in order over one context; a
 * check that fails with `stop` ends the run (nothing after it can be trusted):
 *   format             a compact SD-JWT VC (`~`-terminated or with a KB-JWT), ES256 low-S, an
 *                      accepted typ, our iss and vct forms, within size, no unknown crit
 *   issuer-key         kid resolved from the trust source (the ledger), held by the agency `iss`
 *                      names, not retired before the credential was issued
 *   signature          ES256 over the signing input with that key (P-256 only), on libuv's thread pool
 *   disclosures        every disclosure covered by a digest the signature covers (RFC 9901 §7.1)
 *   issuer-authorized  the agency is active and allowed this license type
 *   anchor             the license is anchored on the ledger for this type and issuer
 *   status             the anchor is active (not suspended, revoked, superseded)
 *   status-list        the credential's Token Status List entry is VALID and belongs to this
 *                      license (services/status-list-check.ts)
 *   validity           today is within the license's validity
 *   holder-binding     only for a credential with `cnf` or a KB-JWT: the presentations hook
 * When the trust source cannot answer, the verdict is `indeterminate` (fail closed: never valid),
 * so a counter can tell "try again" from "forged".
 */
import { effectiveStatus, isWithinValidity, type EffectiveStatus, type LicenseAnchor, type ResolvedKey } from '../../../core/anchor';
import { chinaDate } from '../../../core/dates';
import {
  CredentialFormatError,
  agencyIdOfIssuer,
  applyDisclosures,
  checkHeader,
  isRegisteredClaim,
  parseCredential,
  readRegisteredClaims,
  typeIdOfVct,
  type CredentialClaims,
  type ParsedCredential,
} from '../../../core/credential';
import { decodeCredentialQr, isCredentialQr } from '../../../core/credential-qr';
import { decodeHolderQr, HolderQrFormatError, isHolderQr } from '../../../core/presentation/holder-qr-codec';
import { RegistryError } from '../../../core/errors';
import type { Clock } from '../ports/clock';
import type { PrincipalKind, VerificationLogEntry } from '../ports/store';
import type { SignatureVerifier } from '../ports/signatures';
import type { TrustSource } from '../ports/trust-source';
import type { GroupCommit } from './group-commit';
import type { LedgerCache } from './ledger-cache';
import type { BindingOutcome, PresentationCheckName, PresentationRules } from './presentation-rules';
import { statusListOutcome, type StatusListReader } from './status-list-check';

export type Verdict = 'valid' | 'invalid' | 'indeterminate';

/** The checks of a credential, in the order a verdict lists them; a presentation adds PRESENTATION_CHECK_NAMES. */
export const CREDENTIAL_CHECK_NAMES = [
  'format',
  'issuer-key',
  'signature',
  'disclosures',
  'issuer-authorized',
  'anchor',
  'status',
  'status-list',
  'validity',
] as const;
export type CheckName = (typeof CREDENTIAL_CHECK_NAMES)[number] | PresentationCheckName;

export interface Check {
  name: CheckName;
  ok: boolean;
  detail: string;
}

export interface VerifiedLicense {
  id: string;
  /** The license type id (`id-card`); `vct` is its national name. */
  type: string;
  vct: string;
  /** `name` as the trust registry on the ledger has it: what a counter clerk reads. */
  issuer: { agency: string; name: string; iss: string; province: string | null };
  validFrom: string | null;
  validUntil: string | null;
  /** The holder's disclosed claims (registered claims left out). */
  claims: Record<string, unknown>;
}

export interface VerificationResult {
  valid: boolean;
  verdict: Verdict;
  /** The license's status on the ledger, when it was reached. */
  status: string | null;
  /** Why it is not valid: the first failing check, or the ledger's reason code for a status. */
  reason?: string;
  checks: Check[];
  /** `cnf`: the holder proved the credential's key; `none`: the printed form; absent: not reached. */
  binding?: 'cnf' | 'none';
  license: VerifiedLicense | null;
}

export interface Verifier {
  kind: PrincipalKind | 'public';
  id: string;
  province: string | null;
  /** Wallet label of the ledger identity this verifier reads through (its province's peer). */
  ledgerIdentity: string;
}

/** What the checks learn, in order; each check reads what earlier ones found. */
export interface VerificationContext {
  readonly text: unknown;
  readonly now: Date;
  readonly trust: TrustSource;
  readonly signatures: SignatureVerifier;
  parsed?: ParsedCredential;
  /** Registered claims: read before the signature check, trusted only after it. */
  claims?: CredentialClaims;
  agencyId?: string;
  typeId?: string;
  key?: ResolvedKey;
  disclosed?: Record<string, unknown>;
  /** undefined: not read (or unreachable); null: not anchored. */
  anchor?: LicenseAnchor | null;
  status?: EffectiveStatus;
}

export interface CheckOutcome {
  check: Check;
  /** Nothing after this check can be trusted: end the run. */
  stop?: boolean;
  /** The trust source could not answer: the verdict can be at best `indeterminate`. */
  unreachable?: boolean;
  /** A reason more precise than the check's name (a status, `expired`). */
  reason?: string;
}

/** One check: null when it does not apply to this credential. */
export type CredentialCheck = (ctx: VerificationContext) => CheckOutcome | null | Promise<CheckOutcome | null>;

/** A future `iat` beyond this is a forgery or a broken clock, not skew. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function pass(name: CheckName, detail: string): CheckOutcome {
  return { check: { name, ok: true, detail } };
}

function fail(name: CheckName, detail: string, extra: Omit<CheckOutcome, 'check'> = {}): CheckOutcome {
  return { check: { name, ok: false, detail }, ...extra };
}

/** Asks the trust source; an unreachable source (5xx RegistryError) becomes `{ unreachable }`. */
async function ask<T>(work: () => Promise<T>): Promise<{ value: T } | { unreachable: string }> {
  try {
    return { value: await work() };
  } catch (error) {
    if (error instanceof RegistryError && error.status >= 500) return { unreachable: error.message };
    throw error;
  }
}

function requireParsed(ctx: VerificationContext): { parsed: ParsedCredential; claims: CredentialClaims; agencyId: string; typeId: string } {
  const { parsed, claims, agencyId, typeId } = ctx;
  if (!parsed || !claims || agencyId === undefined || typeId === undefined) throw new RegistryError('INTERNAL', 'a check ran before format');
  return { parsed, claims, agencyId, typeId };
}

function requireKey(ctx: VerificationContext): ResolvedKey {
  if (!ctx.key) throw new RegistryError('INTERNAL', 'a check ran before issuer-key');
  return ctx.key;
}

/**
 * The compact SD-JWT a scanned text spells: the text itself, the printed card's packed form
 * (core/credential-qr.ts) or the wallet's holder QR code (EL1); a damaged QR form is named as such.
 */
async function compactOf(text: string): Promise<{ compact: string; packed: string }> {
  if (isCredentialQr(text)) return { compact: decodeCredentialQr(text), packed: ', from its QR form' };
  if (!isHolderQr(text)) return { compact: text, packed: '' };
  try {
    return { compact: await decodeHolderQr(text), packed: ', from a holder QR code' };
  } catch (error) {
    if (error instanceof HolderQrFormatError) throw new CredentialFormatError(`${error.message} (a damaged or partial holder QR code)`);
    throw error;
  }
}

export const checkFormat: CredentialCheck = async (ctx) => {
  try {
    if (typeof ctx.text !== 'string') throw new CredentialFormatError('the credential must be the text of the QR code');
    const { compact, packed } = await compactOf(ctx.text);
    const parsed = parseCredential(compact);
    const headerProblem = checkHeader(parsed.header);
    if (headerProblem) throw new CredentialFormatError(headerProblem);
    const claims = readRegisteredClaims(parsed.payload);
    Object.assign(ctx, { parsed, claims, agencyId: agencyIdOfIssuer(claims.iss) ?? undefined, typeId: typeIdOfVct(claims.vct) ?? undefined });
    const form = parsed.kbJwt ? ' and a key-binding JWT' : '';
    return pass('format', `SD-JWT VC (${String(parsed.header.typ)}), ES256, ${parsed.disclosures.length} disclosure(s)${form}${packed}`);
  } catch (error) {
    if (!(error instanceof CredentialFormatError)) throw error;
    return fail('format', error.message, { stop: true });
  }
};

export const checkIssuerKey: CredentialCheck = async (ctx) => {
  const { parsed, claims, agencyId } = requireParsed(ctx);
  const kid = String(parsed.header.kid);
  const answer = await ask(() => ctx.trust.resolveKey(kid));
  if ('unreachable' in answer)
    return fail('issuer-key', `${ctx.trust.description} could not be reached: ${answer.unreachable}`, { stop: true, unreachable: true });
  const key = answer.value;
  if (!key) return fail('issuer-key', `key ${kid} is not in the trust registry (unknown issuer)`, { stop: true });
  if (key.agency.id !== agencyId) return fail('issuer-key', `key ${kid} belongs to ${key.agency.id}, not to the issuer ${claims.iss}`, { stop: true });
  const issuedAt = claims.iat * 1000;
  if (key.retiredAt !== null && Date.parse(key.retiredAt) <= issuedAt) {
    return fail('issuer-key', `key ${kid} was retired at ${key.retiredAt}, before this credential was issued (${new Date(issuedAt).toISOString()})`, {
      stop: true,
    });
  }
  if (issuedAt > ctx.now.getTime() + CLOCK_SKEW_MS) {
    return fail('issuer-key', `the credential claims to be issued in the future (${new Date(issuedAt).toISOString()})`, { stop: true });
  }
  ctx.key = key;
  const retired = key.retiredAt ? `, retired ${key.retiredAt}, after issue` : '';
  return pass('issuer-key', `${kid} of ${key.agency.name} (${key.agency.province})${retired}`);
};

export const checkSignature: CredentialCheck = async (ctx) => {
  const { parsed } = requireParsed(ctx);
  const key = requireKey(ctx);
  // The key comes only from the trust source, by the kid issuer-key resolved: header jwk, x5c or jku are never consulted.
  if (parsed.header.kid !== key.kid) throw new RegistryError('INTERNAL', 'the header kid changed between checks');
  // Format has already held the header to ES256, a kid and no crit, the signature to 64 bytes in
  // low-S form, and the registered claims to their types; nbf and exp are the validity check's.
  const outcome = await ctx.signatures.verifyEs256(parsed.jws, key);
  if (outcome === 'unusable-key') return fail('signature', `the issuer-signed JWT is refused: key ${key.kid} is not a P-256 public key`, { stop: true });
  if (outcome === 'invalid') return fail('signature', 'the ES256 signature does not verify with the registered key (forged or altered)', { stop: true });
  return pass('signature', 'ES256 signature valid');
};

export const checkDisclosures: CredentialCheck = (ctx) => {
  const { parsed } = requireParsed(ctx);
  try {
    ctx.disclosed = applyDisclosures(parsed.payload, parsed.disclosures);
  } catch (error) {
    if (!(error instanceof CredentialFormatError)) throw error;
    return fail('disclosures', error.message, { stop: true });
  }
  const names = parsed.disclosures.map((disclosure) => disclosure.name ?? '[element]');
  return pass('disclosures', parsed.disclosures.length === 0 ? 'none disclosed' : `${names.join(', ')} disclosed, each covered by the signature`);
};

export const checkIssuerAuthorized: CredentialCheck = (ctx) => {
  const { typeId } = requireParsed(ctx);
  const { agency } = requireKey(ctx);
  if (agency.status !== 'active') return fail('issuer-authorized', `agency ${agency.id} is ${agency.status}`);
  if (!agency.licenseTypes.includes(typeId)) return fail('issuer-authorized', `${agency.id} is not allowed to issue ${typeId}`);
  return pass('issuer-authorized', `${agency.id} may issue ${typeId}`);
};

export const checkAnchor: CredentialCheck = async (ctx) => {
  const { claims, agencyId, typeId } = requireParsed(ctx);
  const answer = await ask(() => ctx.trust.anchor(claims.lid));
  if ('unreachable' in answer) return fail('anchor', `${ctx.trust.description} could not be reached: ${answer.unreachable}`, { unreachable: true });
  const anchor = answer.value;
  ctx.anchor = anchor;
  if (!anchor) return fail('anchor', `license ${claims.lid} is not anchored on the ledger`);
  if (anchor.type !== typeId || anchor.issuer.agencyId !== agencyId) return fail('anchor', 'the ledger holds a different type or issuer for this license id');
  return pass('anchor', `anchored by ${anchor.issuer.agencyId} in tx ${anchor.createdTxId}`);
};

export const checkStatus: CredentialCheck = (ctx) => {
  const { anchor } = ctx;
  if (!anchor) return null;
  const status = effectiveStatus(anchor, chinaDate(ctx.now));
  ctx.status = status;
  if (status === 'active') return pass('status', 'active');
  const reason = anchor.reason ? ` (${anchor.reason})` : '';
  const successor = anchor.supersededBy ? `, superseded by ${anchor.supersededBy}` : '';
  return fail('status', `${status}${reason}${successor}`, { reason: status });
};

/** Null for a credential without `status` (issued before status lists) or a trust source without lists. */
export const checkStatusList: CredentialCheck = async (ctx) => {
  const reference = ctx.claims?.status?.status_list;
  const read = ctx.trust.statusListEntry?.bind(ctx.trust);
  if (!reference || !read || ctx.claims === undefined || ctx.agencyId === undefined) return null;
  return statusListOutcome(reference, { licenseId: ctx.claims.lid, agencyId: ctx.agencyId }, read);
};

/** From the anchor when the ledger answered, else from the signed nbf/exp. */
function validityOf(ctx: VerificationContext): { validFrom: string | null; validUntil: string | null } {
  if (ctx.anchor) return { validFrom: ctx.anchor.validFrom, validUntil: ctx.anchor.validUntil };
  const { claims } = requireParsed(ctx);
  const day = (seconds: number | undefined, minus: number) => (seconds === undefined ? null : chinaDate(new Date((seconds - minus) * 1000)));
  return { validFrom: day(claims.nbf, 0), validUntil: day(claims.exp, 1) };
}

export const checkValidity: CredentialCheck = (ctx) => {
  const { validFrom, validUntil } = validityOf(ctx);
  const today = chinaDate(ctx.now);
  const within = ctx.anchor ? isWithinValidity(ctx.anchor, today) : (validFrom ?? today) <= today && (validUntil === null || today <= validUntil);
  const range = `${validFrom ?? 'unknown'} to ${validUntil ?? 'long-term'}`;
  if (within) return pass('validity', range);
  return fail('validity', `${range}; today is ${today}`, { reason: validFrom !== null && today < validFrom ? 'not-yet-valid' : 'expired' });
};

/**
 * HOOK (presentations): holder binding. A credential with `cnf`, or a presentation carrying a
 * KB-JWT, needs the KB-JWT verified against `cnf.jwk` (signature, `sd_hash` over `parsed.sdJwt`,
 * `aud`, `nonce`, freshness, single use). Until that check lands it fails closed; a credential
 * without either (the printed form) skips it.
 */
export const checkHolderBinding: CredentialCheck = (ctx) => {
  const { parsed, claims } = requireParsed(ctx);
  if (!claims.cnf && !parsed.kbJwt) return null;
  return fail('holder-binding', 'key-binding verification is not available on this verifier yet');
};

/** The checks, in order. The holder-binding check slots in here. */
export const CREDENTIAL_CHECKS: readonly CredentialCheck[] = [
  checkFormat,
  checkIssuerKey,
  checkSignature,
  checkDisclosures,
  checkIssuerAuthorized,
  checkAnchor,
  checkStatus,
  checkStatusList,
  checkValidity,
  checkHolderBinding,
];

function verdictOf(outcomes: readonly CheckOutcome[]): { verdict: Verdict; reason?: string } {
  const failed = outcomes.filter((outcome) => !outcome.check.ok);
  const first = failed[0];
  if (!first) return { verdict: 'valid' };
  if (failed.every((outcome) => outcome.unreachable === true)) return { verdict: 'indeterminate', reason: 'ledger-unavailable' };
  return { verdict: 'invalid', reason: first.reason ?? first.check.name };
}

function licenseOf(ctx: VerificationContext): VerifiedLicense | null {
  const { claims, agencyId, typeId, key, disclosed } = ctx;
  if (!claims || agencyId === undefined || typeId === undefined || !key) return null;
  const { validFrom, validUntil } = ctx.anchor ? validityOf(ctx) : { validFrom: null, validUntil: null };
  return {
    id: claims.lid,
    type: typeId,
    vct: claims.vct,
    issuer: { agency: agencyId, name: key.agency.name, iss: claims.iss, province: key.agency.province },
    validFrom,
    validUntil,
    claims: Object.fromEntries(Object.entries(disclosed ?? {}).filter(([name]) => !isRegisteredClaim(name))),
  };
}

/**
 * Verifies a credential (or presentation) against a trust source: the whole verdict, no I/O
 * beyond the source. The online service and an offline verifier both call this.
 */
export async function verifyCredential(
  text: unknown,
  options: { trust: TrustSource; signatures: SignatureVerifier; now: Date; checks?: readonly CredentialCheck[] },
): Promise<{ result: VerificationResult; parsed: ParsedCredential | null }> {
  const ctx: VerificationContext = { text, now: options.now, trust: options.trust, signatures: options.signatures };
  const outcomes: CheckOutcome[] = [];
  for (const check of options.checks ?? CREDENTIAL_CHECKS) {
    const outcome = await check(ctx);
    if (!outcome) continue;
    outcomes.push(outcome);
    if (outcome.stop) break;
  }
  const { verdict, reason } = verdictOf(outcomes);
  const result: VerificationResult = {
    valid: verdict === 'valid',
    verdict,
    status: ctx.status ?? null,
    ...(reason !== undefined ? { reason } : {}),
    checks: outcomes.map((outcome) => outcome.check),
    license: licenseOf(ctx),
  };
  return { result, parsed: ctx.parsed ?? null };
}

/** The presentations' checks for a set of rules; the first to run leaves its outcome in `found`. */
export interface PresentationChecks {
  checks(rules: PresentationRules, found: { outcome?: BindingOutcome }): CredentialCheck[];
}

export interface PresentationVerification {
  result: VerificationResult;
  /** RFC 7638 thumbprint of the holder key the KB-JWT proved, else null. */
  holder: string | null;
  /** Claim paths the presentation disclosed (names, never values). */
  disclosed: string[];
}

/** /verify without a request: a KB-JWT is held to the holder-shown rule, the printed form is accepted. */
export const HOLDER_SHOWN: PresentationRules = { mode: 'holder-shown', acceptsUnbound: true };

/** A claim object with nothing disclosed in it (only digests were signed) is left out: it says nothing. */
function withoutEmptyObjects(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      out[name] = value;
      continue;
    }
    const inner = withoutEmptyObjects(value as Record<string, unknown>);
    if (Object.keys(inner).length > 0) out[name] = inner;
  }
  return out;
}

/** The counter sees what was disclosed; answering a request, only the claims it asked for (data minimisation). */
function shownClaims(license: VerifiedLicense | null, rules: PresentationRules): VerifiedLicense | null {
  if (!license) return license;
  const claims = withoutEmptyObjects(license.claims);
  if (rules.mode !== 'request') return { ...license, claims };
  const asked = new Set(rules.claims.map((path) => path.split('/')[0]));
  return { ...license, claims: Object.fromEntries(Object.entries(claims).filter(([name]) => asked.has(name))) };
}

export class VerificationService {
  constructor(
    private readonly cache: LedgerCache,
    /** The audit trail: each verification is written before its verdict is returned. */
    private readonly audit: GroupCommit<VerificationLogEntry>,
    private readonly clock: Clock,
    private readonly signatures: SignatureVerifier,
    /** The presentations' checks (holder-binding, freshness, replay, data-minimisation) in place of the hook. */
    private readonly binding: PresentationChecks,
    /** The ledger-derived status lists; without them the `status-list` check is skipped. */
    private readonly statusLists: StatusListReader | null = null,
  ) {}

  async verify(credential: unknown, verifier: Verifier, rules: PresentationRules = HOLDER_SHOWN): Promise<VerificationResult> {
    return (await this.verifyPresentation(credential, verifier, rules)).result;
  }

  /** The verdict, and for a holder-bound presentation the holder key's thumbprint and the disclosed claim paths (for receipts). */
  async verifyPresentation(credential: unknown, verifier: Verifier, rules: PresentationRules): Promise<PresentationVerification> {
    const now = this.clock();
    const found: { outcome?: BindingOutcome } = {};
    const checks = [...CREDENTIAL_CHECKS.filter((check) => check !== checkHolderBinding), ...this.binding.checks(rules, found)];
    const ledger = this.cache.trustSource(verifier.ledgerIdentity);
    const lists = this.statusLists;
    const trust: TrustSource = lists ? { ...ledger, statusListEntry: (agencyId, listId, idx) => lists.lookup(agencyId, listId, idx) } : ledger;
    const verified = await verifyCredential(credential, { trust, signatures: this.signatures, now, checks });
    const { parsed } = verified;
    const result: VerificationResult = {
      ...verified.result,
      ...(found.outcome ? { binding: found.outcome.binding } : {}),
      license: shownClaims(verified.result.license, rules),
    };
    await this.audit.add({
      at: now.toISOString(),
      verifierKind: verifier.kind,
      verifierId: verifier.id,
      province: verifier.province,
      licenseId: result.license?.id ?? null,
      credentialRef: parsed?.ref ?? null,
      verdict: result.verdict,
      failedChecks: result.checks.filter((check) => !check.ok).map((check) => check.name),
    });
    return { result, holder: found.outcome?.holder ?? null, disclosed: found.outcome?.disclosed ?? [] };
  }
}
