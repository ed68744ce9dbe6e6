/**
 * The offline verifier's composition root, as app.ts is the server's: a counter with no network,
 * no server and no DATA_DIR verifies from a bundle file and a trust anchor file alone. It wires
 * the certificate-chain and signature adapters to the offline verification service.
 */
import { X509CertifiedVerifier } from './adapters/identity/certified-jwt';
import { parseTrustAnchor } from '../../core/offline-bundle';
import { loadOfflineBundle, type LoadedBundle } from './services/offline-verification';

const certified = new X509CertifiedVerifier();

/** Checks a bundle (signature, chain to the anchor, signer role, shape); throws RegistryError BUNDLE_REFUSED. */
export function loadBundle(token: string, anchor: unknown, options: { now?: Date } = {}): Promise<LoadedBundle> {
  return loadOfflineBundle(token, parseTrustAnchor(anchor), options.now ?? new Date(), certified);
}
