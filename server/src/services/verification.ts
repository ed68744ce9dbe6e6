/**
 * "Show license, get served": a counter scans a QR code and gets a verdict checked against the
 * ledger. The result is data — `{ valid, verdict, checks: [{ name, ok, detail }] }` — never an
 * exception for a bad credential.
 *
 * Checks, in order; the first three stop at their first failure (nothing after them can be
 * trusted), the rest are all reported:
 *   format             a compact SD-JWT VC of ours, ES256, within size, no unknown crit
 *   issuer-key         kid resolved from the ledger's trust registry, held by the `iss` agency,
 *                      not retired before the credential was issued
 *   signature          ES256 over the JWT by that key; disclosures covered by it
 *   issuer-authorized  the agency is active and allowed this license type
 *   anchor             the license is anchored on the ledger with the credential's docHash
 *   status             the anchor is active (not suspended, revoked, superseded)
 *   validity           today is within the license's validity
 * When the ledger cannot answer, the verdict is `indeterminate` (fail closed: never valid), so a
 * counter can tell "try again" from "forged".
 */
import { effectiveStatus, isWithinValidity, type LicenseAnchor, type ResolvedKey } from '../../../core/anchor';
import { chinaDate } from '../../../core/dates';
import {
  CredentialFormatError,
  applyDisclosures,
  checkHeader,
  docHashFromClaim,
  parseCredential,
  readRegisteredClaims,
  type CredentialClaims,
  type ParsedCredential,
} from '../../../core/credential';
import { RegistryError } from '../../../core/errors';
import type { Clock } from '../ports/clock';
import type { Keys } from '../ports/keys';
import type { PrincipalKind, VerificationLogEntry } from '../ports/store';
import type { GroupCommit } from './group-commit';
import type { LedgerCache } from './ledger-cache';
import { checkStatusList, type StatusListReader } from './status-list-check';

export type Verdict = 'valid' | 'invalid' | 'indeterminate';

export interface Check {
  name: 'format' | 'issuer-key' | 'signature' | 'issuer-authorized' | 'anchor' | 'status' | 'status-list' | 'validity';
  ok: boolean;
  detail: string;
}

export interface VerificationResult {
  valid: boolean;
  verdict: Verdict;
  /** The license's status on the ledger, when it was reached. */
  status: string | null;
  /** Why it is not valid: the first failing check, or the ledger's reason code for a status. */
  reason?: string;
  checks: Check[];
  license: {
    id: string;
    type: string;
    issuer: { agency: string; province: string | null };
    validFrom: string | null;
    validUntil: string | null;
    claims: Record<string, unknown>;
  } | null;
}

export interface Verifier {
  kind: PrincipalKind | 'public';
  id: string;
  province: string | null;
  /** Wallet label of the ledger identity this verifier reads through (its province's peer). */
  ledgerIdentity: string;
}

class LedgerUnreachable extends Error {}

/** Registered and internal claims, kept out of the `claims` a counter is shown. */
const NOT_DISPLAY = new Set(['iss', 'vct', 'lid', 'dh', 'iat', 'nbf', 'exp', 'cnf', 'status', 'sub', '_sd', '_sd_alg']);

export class VerificationService {
  constructor(
    private readonly cache: LedgerCache,
    private readonly keys: Keys,
    /** The audit trail: each verification is written before its verdict is returned. */
    private readonly audit: GroupCommit<VerificationLogEntry>,
    private readonly clock: Clock,
    private readonly statusLists: StatusListReader | null = null,
  ) {}

  async verify(credential: unknown, verifier: Verifier): Promise<VerificationResult> {
    const now = this.clock();
    const { result, parsed } = await this.evaluate(credential, verifier, now);
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
    return result;
  }

  private async ledger<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof RegistryError && error.status >= 500) throw new LedgerUnreachable(error.message);
      throw error;
    }
  }

  private async evaluate(text: unknown, verifier: Verifier, now: Date): Promise<{ result: VerificationResult; parsed: ParsedCredential | null }> {
    const checks: Check[] = [];
    const done = (verdict: Verdict, extra: Partial<VerificationResult> = {}): VerificationResult => {
      const failed = checks.find((check) => !check.ok);
      return {
        valid: verdict === 'valid',
        verdict,
        status: null,
        ...(failed ? { reason: failed.name } : {}),
        checks,
        license: null,
        ...extra,
      };
    };

    // format
    let parsed: ParsedCredential;
    let claims: CredentialClaims;
    try {
      if (typeof text !== 'string') throw new CredentialFormatError('the credential must be the text of the QR code');
      parsed = parseCredential(text);
      const headerProblem = checkHeader(parsed.header);
      if (headerProblem) throw new CredentialFormatError(headerProblem);
      claims = readRegisteredClaims(parsed.payload);
    } catch (error) {
      if (!(error instanceof CredentialFormatError)) throw error;
      checks.push({ name: 'format', ok: false, detail: error.message });
      return { result: done('invalid'), parsed: null };
    }
    checks.push({ name: 'format', ok: true, detail: `SD-JWT VC, ES256, ${parsed.disclosures.length} disclosure(s)` });
    const license = {
      id: claims.lid,
      type: claims.vct,
      issuer: { agency: claims.iss, province: null as string | null },
      validFrom: null as string | null,
      validUntil: null as string | null,
      claims: {},
    };

    // issuer-key
    const kid = parsed.header.kid as string;
    let key: ResolvedKey | null;
    try {
      key = await this.ledger(this.cache.key(verifier.ledgerIdentity, kid));
    } catch (error) {
      if (!(error instanceof LedgerUnreachable)) throw error;
      checks.push({ name: 'issuer-key', ok: false, detail: `the ledger could not be reached: ${error.message}` });
      return { result: done('indeterminate', { reason: 'ledger-unavailable' }), parsed };
    }
    if (!key) {
      checks.push({ name: 'issuer-key', ok: false, detail: `key ${kid} is not in the ledger's trust registry (unknown issuer)` });
      return { result: done('invalid'), parsed };
    }
    if (key.agency.id !== claims.iss) {
      checks.push({ name: 'issuer-key', ok: false, detail: `key ${kid} belongs to ${key.agency.id}, not to the claimed issuer ${claims.iss}` });
      return { result: done('invalid'), parsed };
    }
    const issuedAt = new Date(claims.iat * 1000);
    if (key.retiredAt !== null && Date.parse(key.retiredAt) <= issuedAt.getTime()) {
      checks.push({
        name: 'issuer-key',
        ok: false,
        detail: `key ${kid} was retired at ${key.retiredAt}, before this credential was issued (${issuedAt.toISOString()})`,
      });
      return { result: done('invalid'), parsed };
    }
    if (issuedAt.getTime() > now.getTime() + 5 * 60 * 1000) {
      checks.push({ name: 'issuer-key', ok: false, detail: `the credential claims to be issued in the future (${issuedAt.toISOString()})` });
      return { result: done('invalid'), parsed };
    }
    checks.push({
      name: 'issuer-key',
      ok: true,
      detail: `${kid} of ${key.agency.name} (${key.agency.province})${key.retiredAt ? `, retired ${key.retiredAt}, after issue` : ''}`,
    });
    license.issuer.province = key.agency.province;

    // signature (and disclosures, which the signature covers through _sd)
    if (!(await this.keys.verify(parsed.jws, key.jwk))) {
      checks.push({ name: 'signature', ok: false, detail: 'the ES256 signature does not verify with the registered key (forged or altered)' });
      return { result: done('invalid'), parsed };
    }
    let disclosed: Record<string, unknown>;
    try {
      disclosed = applyDisclosures(parsed.payload, parsed.disclosures);
    } catch (error) {
      if (!(error instanceof CredentialFormatError)) throw error;
      checks.push({ name: 'signature', ok: false, detail: error.message });
      return { result: done('invalid'), parsed };
    }
    checks.push({ name: 'signature', ok: true, detail: 'ES256 signature valid' });
    license.claims = Object.fromEntries(Object.entries(disclosed).filter(([name]) => !NOT_DISPLAY.has(name)));

    // issuer-authorized
    const authorized = key.agency.status === 'active' && key.agency.licenseTypes.includes(claims.vct);
    checks.push({
      name: 'issuer-authorized',
      ok: authorized,
      detail: authorized
        ? `${key.agency.id} may issue ${claims.vct}`
        : key.agency.status !== 'active'
          ? `agency ${key.agency.id} is ${key.agency.status}`
          : `${key.agency.id} is not allowed to issue ${claims.vct}`,
    });

    // anchor, status, validity
    let anchor: LicenseAnchor | null;
    try {
      anchor = await this.ledger(this.cache.anchor(verifier.ledgerIdentity, claims.lid));
    } catch (error) {
      if (!(error instanceof LedgerUnreachable)) throw error;
      checks.push({ name: 'anchor', ok: false, detail: `the ledger could not be reached: ${error.message}` });
      return {
        result: done(checks.every((c) => c.ok || c.name === 'anchor') ? 'indeterminate' : 'invalid', { reason: 'ledger-unavailable', license }),
        parsed,
      };
    }
    const docHash = docHashFromClaim(claims.dh);
    if (!anchor) {
      checks.push({ name: 'anchor', ok: false, detail: `license ${claims.lid} is not anchored on the ledger` });
      return { result: done('invalid', { license }), parsed };
    }
    const hashMatches = anchor.docHash === docHash && anchor.type === claims.vct && anchor.issuer.agencyId === claims.iss;
    checks.push({
      name: 'anchor',
      ok: hashMatches,
      detail: hashMatches
        ? `anchored by ${anchor.issuer.agencyId} in tx ${anchor.createdTxId}`
        : 'the ledger holds a different docHash, type or issuer for this license id',
    });
    const today = chinaDate(now);
    const status = effectiveStatus(anchor, today);
    checks.push({
      name: 'status',
      ok: status === 'active',
      detail:
        status === 'active'
          ? 'active'
          : `${status}${anchor.reason ? ` (${anchor.reason})` : ''}${anchor.supersededBy ? `, superseded by ${anchor.supersededBy}` : ''}`,
    });
    const listCheck = this.statusLists
      ? await checkStatusList(parsed.payload.status, { licenseId: claims.lid, agencyId: key.agency.id }, this.statusLists)
      : null;
    if (listCheck) checks.push({ name: listCheck.name, ok: listCheck.ok, detail: listCheck.detail });
    const within = isWithinValidity(anchor, today);
    checks.push({
      name: 'validity',
      ok: within,
      detail: `${anchor.validFrom} to ${anchor.validUntil ?? 'long-term'}${within ? '' : `; today is ${today}`}`,
    });
    license.validFrom = anchor.validFrom;
    license.validUntil = anchor.validUntil;
    const valid = checks.every((check) => check.ok);
    const firstFailed = checks.find((check) => !check.ok);
    if (listCheck?.indeterminate === true && checks.filter((check) => !check.ok).length === 1) {
      return { result: { valid: false, verdict: 'indeterminate', status, reason: 'ledger-unavailable', checks, license }, parsed };
    }
    const reason =
      firstFailed?.name === 'status'
        ? (status as string)
        : firstFailed?.name === 'validity'
          ? today < anchor.validFrom
            ? 'not-yet-valid'
            : 'expired'
          : firstFailed?.name;
    return {
      result: { valid, verdict: valid ? 'valid' : 'invalid', status, ...(reason ? { reason } : {}), checks, license },
      parsed,
    };
  }
}
