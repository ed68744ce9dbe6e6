/**
 * The one way a credential is made: an SD-JWT VC packed and signed by @sd-jwt/sd-jwt-vc
 * (OpenWallet Foundation) with the agency's active key, low-S ES256 from the keys port.
 * The result carries every disclosure and ends with `~`: the holder (or the printed card)
 * chooses what to show; presentations drop disclosures and may add a KB-JWT.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SDJwtVcInstance, type SdJwtVcPayload } from '@sd-jwt/sd-jwt-vc';
import type { DisclosureFrame as LibraryFrame } from '@sd-jwt/types';
import { CREDENTIAL_ALG, CREDENTIAL_TYP, SD_ALG, credentialPayload, type HolderJwk, type StatusReference } from '../../../core/credential';
import type { SubjectClaims } from '../../../core/license-types';
import type { Clock } from '../ports/clock';
import type { Keys } from '../ports/keys';
import type { PublicBaseUrl } from './public-base-url';
import type { SigningKeysService } from './signing-keys';

export interface CredentialRequest {
  /** What the ledger anchors: the license id, its type, issuer and validity. */
  license: { licenseId: string; agencyId: string; type: string; validFrom: string; validUntil: string | null };
  /** The holder's claims (core credentialSubject): every one selectively disclosable. */
  subject: SubjectClaims;
  /** Where the license's status lives in its issuer's status list. */
  status?: StatusReference;
  /** The holder's public key for the wallet form (`cnf.jwk`); absent for the printed form. */
  holderJwk?: HolderJwk;
}

export interface IssuedCredential {
  /** Compact SD-JWT with every disclosure, ending with `~`. */
  credential: string;
  kid: string;
  issuedAt: Date;
}

/** RFC 9901 §9.3: salts of at least 128 bits. */
const SALT_BYTES = 16;

export class CredentialIssuer {
  constructor(private readonly deps: { keys: Keys; signingKeys: SigningKeysService; clock: Clock; baseUrl: PublicBaseUrl }) {}

  async issue(request: CredentialRequest): Promise<IssuedCredential> {
    const key = await this.deps.signingKeys.active(request.license.agencyId);
    const issuedAt = this.deps.clock();
    const { payload, frame } = credentialPayload({
      issuerBaseUrl: this.deps.baseUrl.get(),
      ...request.license,
      issuedAt,
      subject: request.subject,
      ...(request.status ? { status: request.status } : {}),
      ...(request.holderJwk ? { holderJwk: request.holderJwk } : {}),
    });
    const sdJwtVc = new SDJwtVcInstance({
      signer: this.deps.keys.es256Signer(key.privateJwk),
      signAlg: CREDENTIAL_ALG,
      hasher: (data) =>
        new Uint8Array(
          createHash('sha256')
            .update(typeof data === 'string' ? data : new Uint8Array(data))
            .digest(),
        ),
      hashAlg: SD_ALG,
      saltGenerator: () => randomBytes(SALT_BYTES).toString('base64url'),
    });
    const credential = await sdJwtVc.issue(payload, frame as LibraryFrame<SdJwtVcPayload>, {
      header: { typ: CREDENTIAL_TYP, kid: key.kid },
    });
    return { credential, kid: key.kid, issuedAt };
  }
}
