/**
 * The ES256 check of an issuer-signed JWS with a key from the trust source. Where it runs is the
 * adapter's: node:crypto on libuv's thread pool in the server, WebCrypto in a browser (the counter's
 * offline desk runs the same verification code).
 */
import type { ResolvedKey } from '../../../core/anchor';

export type SignatureOutcome = 'valid' | 'invalid' | 'unusable-key';

export interface SignatureVerifier {
  /**
   * Whether `jws` (compact; its header already held to ES256 with this kid, its signature to 64
   * bytes in low-S form by the format check) is signed by `key`; 'unusable-key' when the
   * registered JWK is not a P-256 public key.
   */
  verifyEs256(jws: string, key: Pick<ResolvedKey, 'kid' | 'jwk'>): Promise<SignatureOutcome>;
}
