/**
 * The offline verifier's composition root, as app.ts is the server's: a counter with no network,
 * no server and no DATA_DIR verifies from a bundle and a trust anchor alone. It wires the
 * certificate-chain adapter (node:crypto X509Certificate) to the offline verification service,
 * which runs the online checks. The browser's root, offline-verifier.browser.ts, differs only in
 * the adapters (WebCrypto for certificates and signatures).
 */
import { X509CertifiedVerifier } from './adapters/identity/certified-jwt';
import { NodeSignatureVerifier } from './adapters/signatures/node-signatures';
import { createOfflineVerifier, type LoadedBundle, type OfflineVerificationResult } from './services/offline-verification';

export type { LoadedBundle, OfflineVerificationResult };

export const { loadBundle, verifyOffline } = createOfflineVerifier(new X509CertifiedVerifier(), new NodeSignatureVerifier());

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
