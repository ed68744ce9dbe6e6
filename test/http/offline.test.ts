/**
 * A counter with no network: provisioned once with the trust anchor, it loads signed offline
 * bundles fetched from a real server over HTTP, then verifies with the server gone — through the
 * library and through `npm run verify:offline` spawned as a child process.
 */
import { expect } from 'chai';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { RegistryError } from '../../core/errors';
import { OFFLINE_BUNDLE_TYP, TRUST_ANCHOR_FORMAT, type TrustAnchor } from '../../core/offline-bundle';
import { createCa, enroll } from '../../server/src/adapters/identity/local-ca';
import { loadBundle } from '../../server/src/offline-verifier';
import { startTestServer, type TestServer } from '../support/registry-server';

async function refusal(work: Promise<unknown>): Promise<RegistryError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('expected the bundle to be refused');
}

/** Flips one character in the middle of the bundle's payload: still base64url, no longer what was signed. */
function changeOneByte(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const at = Math.floor(payload.length / 2);
  const flipped = payload[at] === 'A' ? 'B' : 'A';
  return `${header}.${payload.slice(0, at)}${flipped}${payload.slice(at + 1)}.${signature}`;
}

describe('offline verification: a counter with no network', function () {
  this.timeout(120000);
  let server: TestServer;
  let anchor: TrustAnchor;
  let bundle: string;

  before(async () => {
    server = await startTestServer();
    const anchorResponse = await server.api('GET', '/api/v1/trust/anchor');
    expect(anchorResponse.status).to.equal(200);
    anchor = anchorResponse.body as TrustAnchor;
    const bundleResponse = await server.api('GET', '/api/v1/offline-bundle');
    expect(bundleResponse.status).to.equal(200);
    expect(bundleResponse.headers.get('content-type')).to.match(/^application\/jwt/);
    bundle = bundleResponse.body as string;
  });

  after(async () => {
    await server.remove();
  });

  it('the trust anchor holds each province root as the ledger channel configuration does', async () => {
    expect(anchor.format).to.equal(TRUST_ANCHOR_FORMAT);
    expect(anchor.channel).to.equal('elicense');
    expect(anchor.provinces.map((province) => [province.code, province.mspId, province.names.zh])).to.deep.equal([
      ['330000', 'ZhejiangMSP', '浙江省'],
      ['510000', 'SichuanMSP', '四川省'],
    ]);
    const channel = await server.running.registry.ledger.port.channelConfiguration(server.running.registry.nodes[0]!.readerIdentity);
    for (const province of anchor.provinces) {
      const onDisk = readFileSync(join(server.dataDir, 'ca', province.mspId, 'ca-cert.pem'), 'utf8');
      expect(province.rootCertificates).to.deep.equal([onDisk]);
      expect(channel.organizations.find((org) => org.mspId === province.mspId)?.rootCertificates).to.deep.equal([onDisk]);
      expect(new X509Certificate(onDisk).ca).to.equal(true);
    }
  });

  it('the bundle is one JWT signed by the province bundle signer, whose certificate chains to the anchor', async () => {
    const header = decodeProtectedHeader(bundle);
    expect(header).to.include({ alg: 'ES256', typ: OFFLINE_BUNDLE_TYP });
    const leaf = new X509Certificate(Buffer.from((header.x5c as string[])[0]!, 'base64'));
    expect(leaf.subject).to.include('CN=bundle-signer');
    const zhejiangRoot = new X509Certificate(anchor.provinces[0]!.rootCertificates[0]!);
    expect(leaf.checkIssued(zhejiangRoot) && leaf.verify(zhejiangRoot.publicKey)).to.equal(true);

    const loaded = await loadBundle(bundle, anchor);
    expect(loaded.signer.mspId).to.equal('ZhejiangMSP');
    expect(loaded.claims.iss).to.equal('330000');
    expect(Math.abs(loaded.issuedAt.getTime() - Date.now())).to.be.below(60000);
    expect(loaded.claims.agencies.map((agency) => agency.id).sort()).to.deep.equal(['sc-nr', 'zj-amr', 'zj-psb']);
    const psb = loaded.claims.agencies.find((agency) => agency.id === 'zj-psb');
    expect(psb?.licenseTypes).to.deep.equal(['id-card']);
    expect(psb?.keys[0]?.kid).to.match(/^[A-Za-z0-9_-]{43}$/);
  });

  it('the same signed bundle is served again within a few seconds (it is big)', async () => {
    const again = await server.api('GET', '/api/v1/offline-bundle');
    expect(again.body).to.equal(bundle);
  });

  it('a bundle with one byte changed is refused', async () => {
    const error = await refusal(loadBundle(changeOneByte(bundle), anchor));
    expect(error.code).to.equal('BUNDLE_REFUSED');
  });

  it('a bundle signed by a certificate that does not chain to the anchor is refused, however well-formed', async () => {
    const stranger = createCa({ country: 'CN', organization: 'Zhejiang', commonName: 'ca.zhejiangmsp' });
    const signer = enroll(stranger, { enrollmentId: 'bundle-signer', attributes: { role: 'bundle-signer' } });
    const forged = await new SignJWT(decodeJwt(bundle))
      .setProtectedHeader({ alg: 'ES256', typ: OFFLINE_BUNDLE_TYP, x5c: [new X509Certificate(signer.certificate).raw.toString('base64')] })
      .sign(createPrivateKey(signer.privateKey));
    const error = await refusal(loadBundle(forged, anchor));
    expect(error.code).to.equal('BUNDLE_REFUSED');
    expect(error.message).to.include('does not chain to a root of the trust anchor');
  });

  it("a bundle signed by another of the province's identities (not a bundle signer) is refused", async () => {
    const reader = server.running.registry.nodes[0]!.readerIdentity;
    const wallet = JSON.parse(readFileSync(join(server.dataDir, 'wallet', `${reader}.id`), 'utf8')) as {
      credentials: { certificate: string; privateKey: string };
    };
    const forged = await new SignJWT(decodeJwt(bundle))
      .setProtectedHeader({ alg: 'ES256', typ: OFFLINE_BUNDLE_TYP, x5c: [new X509Certificate(wallet.credentials.certificate).raw.toString('base64')] })
      .sign(createPrivateKey(wallet.credentials.privateKey));
    const error = await refusal(loadBundle(forged, anchor));
    expect(error.message).to.include('not bundle-signer');
  });
});
