/**
 * The wallet form of a license: the same license (same `lid` on the ledger) as an SD-JWT VC bound
 * to the holder's key (`cnf.jwk`, RFC 7800), with its own status list entry so that a lost phone's
 * credential can be invalidated while the license and its printed form stay valid.
 */
import type { PublicJwk } from '../../../core/anchor';
import { CREDENTIAL_TYP, credentialClaims, parseCredential } from '../../../core/credential';
import { displayClaims, type IssueRequest } from '../../../core/license-types';
import type { Clock } from '../ports/clock';
import type { Keys } from '../ports/keys';
import type { LicenseRow } from '../ports/store';
import type { SigningKeysService } from './signing-keys';

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

/**
 * Issues through the registry's credential format with `cnf` added. (When the standards work's
 * credential issuer lands, this delegates to it with `holderJwk` and a status entry of its own.)
 */
export class RegistryHolderBoundIssuer implements HolderBoundIssuer {
  constructor(private readonly deps: { keys: Keys; signingKeys: SigningKeysService; clock: Clock }) {}

  async issue(license: LicenseRow, holderJwk: PublicJwk): Promise<HolderBoundCredential> {
    const record = license.record as { type: string; holder: unknown; data: unknown; validFrom: string; validUntil: string | null };
    const key = await this.deps.signingKeys.active(license.agencyId);
    const claims = credentialClaims({
      agencyId: license.agencyId,
      licenseId: license.id,
      type: license.type,
      docHash: license.docHash,
      validFrom: license.validFrom,
      validUntil: license.validUntil,
      issuedAt: this.deps.clock(),
      display: displayClaims(record as unknown as IssueRequest) as Record<string, string | number>,
    });
    const credential = `${await this.deps.keys.sign(key.privateJwk, key.kid, CREDENTIAL_TYP, { ...claims, cnf: { jwk: { ...holderJwk } } })}~`;
    return { credential, ref: parseCredential(credential).ref, status: null };
  }
}
