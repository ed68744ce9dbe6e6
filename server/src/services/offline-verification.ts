/**
 * Verification at a counter with no network: the same checks as POST /verify, over a trust
 * source read from a signed offline bundle instead of the ledger.
 *
 * A bundle is loaded (signature, certificate chain to the trust anchor, role, shape) as a whole or
 * refused as a whole — a counter never uses half a bundle.
 */
import { RegistryError } from '../../../core/errors';
import { BUNDLE_SIGNER_ROLE, OFFLINE_BUNDLE_TYP, readBundleClaims, type OfflineBundleClaims, type TrustAnchor } from '../../../core/offline-bundle';
import type { CertifiedVerifier } from '../ports/certified-documents';

/** A bundle from a clock a little ahead is fine; one from far in the future is not ours. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface LoadedBundle {
  claims: OfflineBundleClaims;
  issuedAt: Date;
  /** Who signed it: the province MSP whose root vouches for the signer, and the certificate subject. */
  signer: { mspId: string; subject: string };
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
  return { claims, issuedAt, signer: { mspId: document.mspId, subject: document.subject } };
}
