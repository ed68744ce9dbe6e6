/** ES256 with jose over WebCrypto: for the browser build of the offline verifier, where node:crypto is not. */
import { compactVerify, errors, importJWK, type CryptoKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { ResolvedKey } from '../../../../core/anchor';
import type { SignatureOutcome, SignatureVerifier } from '../../ports/signatures';

export class WebCryptoSignatureVerifier implements SignatureVerifier {
  private readonly keys = new LRUCache<string, CryptoKey>({ max: 1000 });

  private async publicKeyOf(key: Pick<ResolvedKey, 'kid' | 'jwk'>): Promise<CryptoKey | null> {
    const cached = this.keys.get(key.kid);
    if (cached) return cached;
    try {
      const imported = await importJWK({ ...key.jwk }, 'ES256');
      if (imported instanceof Uint8Array) return null;
      this.keys.set(key.kid, imported);
      return imported;
    } catch {
      return null;
    }
  }

  async verifyEs256(jws: string, key: Pick<ResolvedKey, 'kid' | 'jwk'>): Promise<SignatureOutcome> {
    const publicKey = await this.publicKeyOf(key);
    if (!publicKey) return 'unusable-key';
    try {
      await compactVerify(jws, publicKey, { algorithms: ['ES256'] });
      return 'valid';
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid';
      throw error;
    }
  }
}
