/**
 * The two ES256 checks behind the signature port — node:crypto for the server, jose over WebCrypto
 * for the counter's offline desk in a browser — give the same answer for the same JWS and key.
 */
import { expect } from 'chai';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import type { PublicJwk } from '../../core/anchor';
import { NodeSignatureVerifier } from '../../server/src/adapters/signatures/node-signatures';
import { WebCryptoSignatureVerifier } from '../../server/src/adapters/signatures/webcrypto-signatures';

describe('signature verifiers: node:crypto and WebCrypto agree', () => {
  const verifiers = [new NodeSignatureVerifier(), new WebCryptoSignatureVerifier()];

  it('valid, altered, another key, and a key that is not P-256', async () => {
    const signer = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const p384 = await generateKeyPair('ES384');
    const jwk = (await exportJWK(signer.publicKey)) as PublicJwk;
    const otherJwk = (await exportJWK(other.publicKey)) as PublicJwk;
    const p384Jwk = (await exportJWK(p384.publicKey)) as unknown as PublicJwk;
    const jws = await new CompactSign(new TextEncoder().encode('{"iss":"x"}')).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(signer.privateKey);
    const [header, , signature] = jws.split('.');
    const altered = `${header ?? ''}.${Buffer.from('{"iss":"y"}').toString('base64url')}.${signature ?? ''}`;
    for (const verifier of verifiers) {
      const name = verifier.constructor.name;
      expect(await verifier.verifyEs256(jws, { kid: 'k1', jwk }), name).to.equal('valid');
      expect(await verifier.verifyEs256(altered, { kid: 'k1', jwk }), name).to.equal('invalid');
      expect(await verifier.verifyEs256(jws, { kid: 'k2', jwk: otherJwk }), name).to.equal('invalid');
      expect(await verifier.verifyEs256(jws, { kid: 'k3', jwk: p384Jwk }), name).to.equal('unusable-key');
    }
  });
});
