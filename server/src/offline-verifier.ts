/**
 * The offline verifier's composition root, as app.ts is the server's: a counter with no network,
 * no server and no DATA_DIR verifies from a bundle and a trust anchor alone. It wires the
 * certificate-chain adapter to the offline verification service, which runs the online checks.
 */
import { X509CertifiedVerifier } from './adapters/identity/certified-jwt';
import { DEFAULT_OFFLINE_MAX_AGE_SECONDS, parseTrustAnchor } from '../../core/offline-bundle';
import { loadOfflineBundle, verifyFromBundle, type LoadedBundle, type OfflineVerificationResult } from './services/offline-verification';

export type { LoadedBundle, OfflineVerificationResult };

const certified = new X509CertifiedVerifier();

/**
 * Checks a bundle against the trust anchor — signature, x5c chain to a root, signer role, shape —
 * and readies it for many verifications. Throws RegistryError BUNDLE_REFUSED.
 */
export function loadBundle(token: string, anchor: unknown, options: { now?: Date } = {}): Promise<LoadedBundle> {
  return loadOfflineBundle(token, parseTrustAnchor(anchor), options.now ?? new Date(), certified);
}

/**
 * The verdict for one credential from a bundle (its token, or loaded once with loadBundle) and the
 * trust anchor: valid / invalid as online, indeterminate when the bundle is older than
 * `maxAgeSeconds` (default 24 h). Throws RegistryError BUNDLE_REFUSED for a bundle that fails.
 */
export async function verifyOffline(
  credential: unknown,
  bundle: string | LoadedBundle,
  anchor: unknown,
  options: { now?: Date; maxAgeSeconds?: number } = {},
): Promise<OfflineVerificationResult> {
  const now = options.now ?? new Date();
  const loaded = typeof bundle === 'string' ? await loadBundle(bundle, anchor, { now }) : bundle;
  return verifyFromBundle(credential, loaded, { now, maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_OFFLINE_MAX_AGE_SECONDS });
}

/**
 * For `npm run bench` (`offlineVerifyPerSec`): credentials verified per second from one loaded
 * bundle, in-process, one after another as a counter scans them, for `ms`.
 */
export async function offlineVerifyPerSec(credentials: readonly string[], bundle: string, anchor: unknown, ms = 2000): Promise<number> {
  if (credentials.length === 0) throw new RangeError('offlineVerifyPerSec needs at least one credential');
  const loaded = await loadBundle(bundle, anchor);
  let done = 0;
  const started = process.hrtime.bigint();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await verifyOffline(credentials[done % credentials.length], loaded, anchor);
    done += 1;
  }
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}
