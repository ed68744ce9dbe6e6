/**
 * The wallet form of a license: the same license (same `lid` on the ledger) as an SD-JWT VC bound
 * to the holder's key (`cnf.jwk`, RFC 7800), with its own status list entry so that a lost phone's
 * credential can be invalidated while the license and its printed form stay valid.
 */
import type { PublicJwk } from '../../../core/anchor';
import { parseCredential } from '../../../core/credential';
import type { LicenseRow } from '../ports/store';
import type { CredentialIssuer, CredentialRequest } from './credential-issuer';

export interface HolderBoundCredential {
  /** Compact SD-JWT VC with every disclosure, ending with `~`. */
  credential: string;
  /** SHA-256 hex of its decoded signature: the verification log's key. */
  ref: string;
  /** Its own status list entry (`{ listId, idx, uri }`), or null where status lists are not kept. */
  status: Record<string, unknown> | null;
}

/** A status list entry of an agency's list. */
export interface StatusEntry {
  listId: string;
  idx: number;
  /** `status.status_list.uri` of a credential pointing at it. */
  uri: string;
}

/** The status-list work's entries, as the wallet form needs them. */
export interface BoundStatusEntries {
  /** A new entry of the agency for the license, registered on the ledger: the bound credential's own. */
  register(agencyId: string, licenseId: string): Promise<StatusEntry>;
  /** Sets the entry INVALID (the license itself is not touched). */
  invalidate(agencyId: string, entry: { listId: string; idx: number }): Promise<void>;
}

export interface HolderBoundIssuer {
  issue(license: LicenseRow, holderJwk: PublicJwk): Promise<HolderBoundCredential>;
  /** Sets an earlier bound credential's own status entry INVALID; false when it has none to set. */
  invalidate(agencyId: string, status: Record<string, unknown> | null): Promise<boolean>;
}

function entryOf(status: Record<string, unknown> | null): { listId: string; idx: number } | null {
  if (status === null || typeof status.listId !== 'string' || typeof status.idx !== 'number') return null;
  return { listId: status.listId, idx: status.idx };
}

/** Through the one credential issuing function, with `holderJwk` → `cnf.jwk` and a status entry of its own. */
export class RegistryHolderBoundIssuer implements HolderBoundIssuer {
  constructor(
    private readonly deps: {
      credentials: CredentialIssuer;
      /** IssuanceService.credentialRequestOf: the license and subject, as the printed form has them. */
      requestOf: (license: LicenseRow) => CredentialRequest;
      /** Absent where status lists are not kept: the bound credential then has no entry of its own. */
      statusEntries?: BoundStatusEntries;
    },
  ) {}

  async issue(license: LicenseRow, holderJwk: PublicJwk): Promise<HolderBoundCredential> {
    const entry = this.deps.statusEntries ? await this.deps.statusEntries.register(license.agencyId, license.id) : null;
    const issued = await this.deps.credentials.issue({
      ...this.deps.requestOf(license),
      holderJwk: { ...holderJwk },
      ...(entry ? { status: { idx: entry.idx, uri: entry.uri } } : {}),
    });
    return { credential: issued.credential, ref: parseCredential(issued.credential).ref, status: entry ? { ...entry } : null };
  }

  async invalidate(agencyId: string, status: Record<string, unknown> | null): Promise<boolean> {
    const entry = entryOf(status);
    if (entry === null || !this.deps.statusEntries) return false;
    await this.deps.statusEntries.invalidate(agencyId, entry);
    return true;
  }
}
