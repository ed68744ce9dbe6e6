/**
 * What a verifier trusts, behind one narrow seam: issuer keys by kid (with the agency that holds
 * them) and license anchors by id. Online it is the ledger through the event-invalidated cache
 * (services/ledger-cache.ts); offline it is a signed bundle checked against the provinces' trust
 * anchor. The verification checks see only this interface.
 *
 * Errors: an unreachable source throws a RegistryError with status ≥ 500 (the verdict becomes
 * `indeterminate`, never `valid`); "not there" is null, never an exception.
 */
import type { Agency, LicenseAnchor, ResolvedKey } from '../../../core/anchor';

export interface TrustSource {
  /** The key the trust registry files under `kid`, retired or not, with its agency; null when unknown. */
  resolveKey(kid: string): Promise<ResolvedKey | null>;
  /** The agency as the trust registry holds it; null when unknown. */
  agency(agencyId: string): Promise<ResolvedKey['agency'] | null>;
  /** The license's anchor (docHash, status, validity, issuer); null when not anchored. */
  anchor(licenseId: string): Promise<LicenseAnchor | null>;
  /**
   * What the agency's Token Status List `listId` holds at `idx` (0 VALID, 1 INVALID, 2 SUSPENDED),
   * with the license the entry belongs to when the source knows it (the ledger does; a bare list
   * does not); null when no entry is registered there. Absent: the source has no status lists,
   * and the `status-list` check is skipped.
   */
  statusListEntry?(agencyId: string, listId: string, idx: number): Promise<StatusListEntryAnswer | null>;
  /** Which ledger or bundle answered, for the check details (e.g. "ledger", "bundle of 2026-…"). */
  readonly description: string;
}

export interface StatusListEntryAnswer {
  value: number;
  /** null or absent: the source cannot tell (a bare list token). */
  licenseId?: string | null;
  invalidated?: boolean;
}

export type { Agency };
