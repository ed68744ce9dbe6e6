/**
 * The wallet's presentations, checked by an outside verifier (@sd-jwt/core's own verify with jose
 * keys): only the asked disclosures travel, and the KB-JWT carries the verifier's nonce and aud,
 * the sd_hash of what was sent, and the holder key's signature.
 */
import { expect } from 'chai';
import { SDJwtInstance } from '@sd-jwt/core';
import { digest } from '@sd-jwt/crypto-nodejs';
import { compactVerify, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { randomBytes } from 'node:crypto';
import { MemoryWalletStorage, Wallet, generateHolderKey, type HolderKey } from '../../web/wallet/index';

const NAME = '王小明';

async function issueBound(holder: HolderKey): Promise<{ credential: string; issuerJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const issuer = new SDJwtInstance({
    hasher: digest,
    saltGenerator: (length) => randomBytes(length).toString('base64url'),
    signAlg: 'ES256',
    signer: async (input) => {
      const jws = await new SignJWT(JSON.parse(Buffer.from(input.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>)
        .setProtectedHeader(JSON.parse(Buffer.from(input.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg: string })
        .sign(privateKey);
      return jws.split('.')[2] ?? '';
    },
  });
  const credential = await issuer.issue(
    { iss: 'https://registry.example/issuers/zj-psb', vct: 'urn:cn:elicense:vct:id-card', lid: '330000-TESTTESTTEST0', iat: 1700000000, cnf: { jwk: holder.publicJwk }, name: NAME, birthdate: '1990-01-02', age_equal_or_over: { '18': true, '60': false } },
    { _sd: ['name', 'birthdate', 'age_equal_or_over'], age_equal_or_over: { _sd: ['18', '60'] } },
    { header: { typ: 'dc+sd-jwt' } },
  );
  return { credential, issuerJwk: await exportJWK(publicKey) };
}

async function outsideVerify(presentation: string, issuerJwk: JWK, holderJwk: JWK) {
  const verifier = new SDJwtInstance({
    hasher: digest,
    verifier: async (input, signature) => {
      try {
        await compactVerify(`${input}.${signature}`, await importJWK(issuerJwk, 'ES256'));
        return true;
      } catch {
        return false;
      }
    },
    kbVerifier: async (input, signature) => {
      try {
        await compactVerify(`${input}.${signature}`, await importJWK(holderJwk, 'ES256'));
        return true;
      } catch {
        return false;
      }
    },
  });
  return verifier.verify(presentation, { keyBindingNonce: 'nonce-1', requiredClaimKeys: ['name'] });
}

describe('wallet: presentations', () => {
  it('discloses only the asked claims, with a KB-JWT an outside verifier accepts', async () => {
    const storage = new MemoryWalletStorage();
    const key = await generateHolderKey();
    await storage.putKey(key);
    const { credential, issuerJwk } = await issueBound(key);
    await storage.putCredential({
      id: 'c1',
      credential,
      keyId: key.id,
      issuer: 'https://registry.example/issuers/zj-psb',
      vct: 'urn:cn:elicense:vct:id-card',
      licenseId: '330000-TESTTESTTEST0',
      credentialConfigurationId: 'id-card',
      receivedAt: new Date().toISOString(),
      typeMetadata: { vct: 'urn:cn:elicense:vct:id-card', claims: [{ path: ['name'], display: [{ locale: 'zh-CN', label: '姓名' }, { locale: 'en', label: 'Name' }] }] },
      issuerDisplay: [{ name: '居民身份证', locale: 'zh-CN' }],
    });
    const wallet = new Wallet({ storage });

    const plan = await wallet.disclosurePlan('c1', [['name']], 'en');
    expect(plan.disclosed).to.deep.equal([{ path: ['name'], label: 'Name', value: NAME }]);
    expect(plan.withheld.map((claim) => claim.path.join('.'))).to.include.members(['birthdate', 'age_equal_or_over.18']);

    const presentation = await wallet.createPresentation({ credentialId: 'c1', disclose: [['name']], nonce: 'nonce-1', aud: 'https://counter.example' });
    const pieces = presentation.split('~');
    expect(pieces).to.have.length(3, 'JWS, one disclosure, KB-JWT');
    const kbHeader = JSON.parse(Buffer.from(pieces[2]?.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(kbHeader).to.include({ typ: 'kb+jwt', alg: 'ES256' });

    const verified = await outsideVerify(presentation, issuerJwk, key.publicJwk);
    expect(verified.payload).to.include({ name: NAME }).and.not.have.property('birthdate');
    expect(verified.kb?.payload).to.include({ nonce: 'nonce-1', aud: 'https://counter.example' });
    expect(verified.kb?.payload.sd_hash).to.be.a('string');

    const log = await wallet.listPresentations();
    expect(log).to.have.length(1);
    expect(log[0]).to.include({ credentialId: 'c1', audience: 'https://counter.example', nonce: 'nonce-1' });
    expect(log[0]?.disclosed).to.deep.equal([['name']]);
  });

  it('refuses to disclose a claim the credential does not have', async () => {
    const storage = new MemoryWalletStorage();
    const key = await generateHolderKey();
    await storage.putKey(key);
    const { credential } = await issueBound(key);
    await storage.putCredential({
      id: 'c1',
      credential,
      keyId: key.id,
      issuer: 'x',
      vct: 'v',
      licenseId: 'l',
      credentialConfigurationId: 'id-card',
      receivedAt: new Date().toISOString(),
      typeMetadata: null,
      issuerDisplay: [],
    });
    const wallet = new Wallet({ storage });
    const refusal = await wallet.createPresentation({ credentialId: 'c1', disclose: [['idNumber']], nonce: 'n', aud: 'a' }).catch((error: unknown) => error);
    expect(refusal).to.have.property('code', 'UNKNOWN_CLAIM');
  });

  it('keeps the private key non-extractable', async () => {
    const key = await generateHolderKey();
    expect(key.privateKey.extractable).to.equal(false);
    const refusal = await crypto.subtle.exportKey('jwk', key.privateKey).catch((error: unknown) => error);
    expect(refusal).to.be.instanceOf(Error);
  });
});
