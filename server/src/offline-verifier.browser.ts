/**
 * The browser's offline verifier: offline-verifier.ts with the WebCrypto certificate reader and
 * signature check. The
 * build (scripts/build-web.ts) bundles it alone to /static/js/offline-verifier.js, and the counter
 * page imports it by URL, typed by core/offline-verifier's OfflineVerifierModule — pages never
 * import server code. It runs the same service, so a counter offline gives the verdict
 * `npm run verify:offline` gives.
 */
import './browser-buffer';
import type { OfflineVerifierModule } from '../../core/offline-verifier';
import { WebCryptoCertifiedVerifier } from './adapters/identity/webcrypto-certified-jwt';
import { WebCryptoSignatureVerifier } from './adapters/signatures/webcrypto-signatures';
import { createOfflineVerifier } from './services/offline-verification';

const verifier = createOfflineVerifier(new WebCryptoCertifiedVerifier(), new WebCryptoSignatureVerifier());

export const loadBundle = verifier.loadBundle;
export const verifyOffline = verifier.verifyOffline;

verifier satisfies OfflineVerifierModule;
