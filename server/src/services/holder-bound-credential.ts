/**
 * The wallet form of a license: the same license (same `lid` on the ledger) as an SD-JWT VC bound
 * to the holder's key (`cnf.jwk`, RFC 7800), with its own status list entry so that a lost phone's
 * credential can be invalidated while the license and its printed form stay valid.
 */
import type { PublicJwk } from '../../../core/anchor';
import { parseCredential } from '../../../core/credential';
import { chinaDate } from '../../../core/dates';
import { provinceOfLicenseId } from '../../../core/license-id';
import { credentialSubject, type IssueRequest } from '../../../core/license-types';
import type { Clock } from '../ports/clock';
import type { LicenseRow } from '../ports/store';
import type { CredentialIssuer } from './credential-issuer';

export interface HolderBoundCredential {
  /** Compact SD-JWT VC with every disclosure, ending with `~`. */
  credential: string;
  /** SHA-256 hex of its decoded signature: the verification log's key. */
  ref: string;
  /** Its `status` claim (its own status list entry), or null while status lists are not issued. */
  status: Record<string, unknown> | null;
}

export interface HolderBoundIssuer {
  issue(license: LicenseRow, holderJwk: PublicJwk): Promise<HolderBoundCredential>;
}

/** Through the one credential issuing function, with `holderJwk` → `cnf.jwk`. */
export class RegistryHolderBoundIssuer implements HolderBoundIssuer {
  constructor(private readonly deps: { credentials: CredentialIssuer; clock: Clock }) {}

  async issue(license: LicenseRow, holderJwk: PublicJwk): Promise<HolderBoundCredential> {
    const record = license.record as { type: string; holder: unknown; data: unknown; validFrom: string; validUntil: string | null };
    const request = { type: record.type, holder: record.holder, data: record.data, validFrom: record.validFrom, validUntil: record.validUntil } as IssueRequest;
    const issued = await this.deps.credentials.issue({
      license: { licenseId: license.id, agencyId: license.agencyId, type: license.type, validFrom: license.validFrom, validUntil: license.validUntil },
      subject: credentialSubject(request, { issuedOn: chinaDate(this.deps.clock()), issuerProvince: provinceOfLicenseId(license.id) }),
      holderJwk: { ...holderJwk },
    });
    // Call site for the status-list work: allocate the bound credential's own entry and pass it as `status`.
    return { credential: issued.credential, ref: parseCredential(issued.credential).ref, status: null };
  }
}
