/**
 * The issuer key rules in core/jwk: the RFC 7638 thumbprint a kid is, and the P-256 point check
 * a registered key passes. Both run in the browser's offline verifier too, so they are computed
 * with @noble rather than node:crypto; these tests hold them to jose's and node's answers.
 */
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { PublicJwk } from '../../core/anchor';
import { RegistryError } from '../../core/errors';
import { jwkThumbprint, parsePublicJwk } from '../../core/jwk';

function publicJwk(): PublicJwk {
  const { x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: x ?? '', y: y ?? '' };
}

describe('core: issuer keys (jwk)', () => {
  it('a kid is the RFC 7638 thumbprint jose computes', async () => {
    for (let i = 0; i < 5; i++) {
      const jwk = publicJwk();
      expect(jwkThumbprint(jwk)).to.equal(await calculateJwkThumbprint(jwk, 'sha256'));
    }
  });

  it('accepts a P-256 public key and refuses a point off the curve or a coordinate past the field', () => {
    const jwk = publicJwk();
    expect(parsePublicJwk({ ...jwk, kid: 'ignored' })).to.deep.equal(jwk);
    const y = Buffer.from(jwk.y, 'base64url');
    y[31] = (y[31] ?? 0) ^ 1;
    const refusals = [
      { ...jwk, y: y.toString('base64url') },
      // p itself: not a field element, though node and noble would otherwise reduce it.
      { ...jwk, x: Buffer.from('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', 'hex').toString('base64url') },
    ];
    for (const bad of refusals) {
      expect(() => parsePublicJwk(bad))
        .to.throw(RegistryError)
        .with.property('message')
        .match(/not a point on P-256/);
    }
  });
});
