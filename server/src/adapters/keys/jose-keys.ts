/**
 * ES256 keys and signatures with jose. Verification pins the algorithm and uses only the key it is
 * given (resolved from the ledger by kid): keys or URLs carried in a header (jwk, x5c, jku) are
 * never consulted, because nothing here asks jose to.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject as NodeKeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
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

  private readonly signingKeys = new Map<string, NodeKeyObject>();

  /**
   * OpenSSL (behind node:crypto and WebCrypto) returns whichever s the nonce gives, high half the
   * time; that one becomes n − s (noble's curve order), the one spelling strict verifiers accept.
   */
  es256Signer(privateJwk: PrivateJwk): (data: string) => string {
    const id = `${privateJwk.x}:${privateJwk.y}`;
    let key = this.signingKeys.get(id);
    if (!key) {
      key = createPrivateKey({ key: { ...privateJwk }, format: 'jwk' });
      if (this.signingKeys.size > 10000) this.signingKeys.clear();
      this.signingKeys.set(id, key);
    }
    const privateKey = key;
    return (data) => {
      const raw = cryptoSign('sha256', Buffer.from(data, 'utf8'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const signature = p256.Signature.fromBytes(raw, 'compact');
      const lowS = signature.hasHighS() ? new p256.Signature(signature.r, p256.Point.Fn.ORDER - signature.s) : signature;
      return Buffer.from(lowS.toBytes('compact')).toString('base64url');
    };
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
