/**
 * ES256 keys and signatures with jose. Verification pins the algorithm and uses only the key it is
 * given (resolved from the ledger by kid): keys or URLs carried in a header (jwk, x5c, jku) are
 * never consulted, because nothing here asks jose to.
 */
import { CompactSign, calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair, importJWK, type CryptoKey, type KeyObject } from 'jose';
import { LRUCache } from 'lru-cache';
import type { PublicJwk } from '../../../../core/anchor';
import type { KeyPair, Keys, PrivateJwk } from '../../ports/keys';

type Key = CryptoKey | KeyObject | Uint8Array;

export class JoseKeys implements Keys {
  /** Imported keys by kid (and by private-ness): importing costs more than a signature check. */
  private readonly imported = new LRUCache<string, Key>({ max: 10000 });

  async generate(): Promise<KeyPair> {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string };
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    return { kid, publicJwk, privateJwk: { ...publicJwk, d: jwk.d as string } };
  }

  private async key(jwk: PublicJwk | PrivateJwk): Promise<Key> {
    const id = 'd' in jwk ? `private:${jwk.x}:${jwk.y}` : `public:${jwk.x}:${jwk.y}`;
    let key = this.imported.get(id);
    if (!key) {
      key = await importJWK({ ...jwk }, 'ES256');
      this.imported.set(id, key);
    }
    return key;
  }

  async sign(privateJwk: PrivateJwk, kid: string, typ: string, payload: Record<string, unknown>): Promise<string> {
    return new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8')).setProtectedHeader({ alg: 'ES256', typ, kid }).sign(await this.key(privateJwk));
  }

  async verify(jws: string, publicJwk: PublicJwk): Promise<boolean> {
    try {
      await compactVerify(jws, await this.key(publicJwk), { algorithms: ['ES256'] });
      return true;
    } catch {
      return false;
    }
  }
}
