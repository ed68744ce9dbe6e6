/**
 * "Show license" from the wallet's own dynamic QR code (no request from the counter), and an
 * outside wallet made from the specifications with outside libraries (@sd-jwt/sd-jwt-vc, plain
 * fetch) going through both flows.
 */
import { expect } from 'chai';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import jsQR from 'jsqr';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { base45Encode } from '../../core/base45';
import { Wallet } from '../../web/wallet/index';
import { citizenWithIdCard, issueIdCard, type Citizen } from '../support/citizen-wallet';
import { redeemOffer } from '../support/outside-wallet';
import { startTestServer, type TestServer } from '../support/registry-server';
import { ifStarted } from '../support/defined';

interface Verdict {
  valid: boolean;
  binding?: string;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  license: { claims: Record<string, unknown> } | null;
}
const failed = (verdict: Verdict) => verdict.checks.filter((check) => !check.ok).map((check) => check.name);

describe('presentations: the holder shows (dynamic QR), and an outside wallet', function () {
  this.timeout(120000);
  let server: TestServer;
  let citizen: Citizen;
  let scCounter: string;
  let zjCounter: string;

  const verify = async (text: string, key = scCounter) => {
    const response = await server.api('POST', '/api/v1/verify', { key, body: { credential: text } });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return response.body as Verdict;
  };

  before(async () => {
    server = await startTestServer();
    scCounter = server.counterKey('510000');
    zjCounter = server.counterKey('330000');
    citizen = await citizenWithIdCard(server, server.agencyKey('zj-psb'));
  });
  after(() => ifStarted(server, (started) => started.remove()));

  it('an ID card showing the name only fits a QR code of version ≤ 25 at error correction M, and a camera reads it', async () => {
    const qr = await citizen.wallet.createHolderQr(citizen.held.id);
    const plainVersion = QRCode.create(qr.presentation, { errorCorrectionLevel: 'M' }).version;
    const version = QRCode.create(qr.text, { errorCorrectionLevel: 'M' }).version;
    console.log(`      holder QR: ${qr.presentation.length} chars compact (version ${plainVersion}), ${qr.text.length} chars EL1 (version ${version})`);
    expect(version).to.be.at.most(25);
    expect(qr.text).to.match(/^EL1:[0-9A-Z $%*+\-./:]+$/);
    const png = PNG.sync.read(await QRCode.toBuffer(qr.text, { errorCorrectionLevel: 'M', scale: 4, margin: 4 }));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).to.equal(qr.text);
    const verdict = await verify(decoded?.data ?? '');
    expect(verdict).to.include({ valid: true, binding: 'cnf' });
    expect(verdict.license?.claims).to.deep.equal({ name: citizen.issued.name });
  });

  it('the same QR code is accepted once: shown again here or at another province, it is a replay', async () => {
    const qr = await citizen.wallet.createHolderQr(citizen.held.id);
    expect((await verify(qr.text)).valid).to.equal(true);
    const again = await verify(qr.text);
    expect(again.valid).to.equal(false);
    expect(failed(again)).to.deep.equal(['replay']);
    const elsewhere = await verify(qr.text, zjCounter);
    expect(failed(elsewhere)).to.deep.equal(['replay']);
  });

  it('a QR code older than 60 s (a screenshot) fails freshness', async () => {
    // The same wallet storage, its clock five minutes behind: the code it drew then, shown now.
    const earlier = new Wallet({ storage: citizen.storage, now: () => new Date(Date.now() - 5 * 60 * 1000) });
    const qr = await earlier.createHolderQr(citizen.held.id);
    const verdict = await verify(qr.text);
    expect(verdict.valid).to.equal(false);
    expect(failed(verdict)).to.deep.equal(['freshness']);
  });

  it('a corrupted QR text is invalid with format named, never an error', async () => {
    const verdict = await verify('EL1:%%%%');
    expect(failed(verdict)).to.deep.equal(['format']);
    // The clerk is told the scan is damaged, not that the credential is empty.
    const qr = await citizen.wallet.createHolderQr(citizen.held.id);
    const bomb = `EL1:${base45Encode(deflateRawSync(Buffer.alloc(1_000_000, 0x41)))}`;
    for (const text of [qr.text.slice(0, 40), `${qr.text.slice(0, -6)}AAAAAA`, 'EL1:%%%%', bomb]) {
      const damaged = await verify(text);
      expect(failed(damaged), text.slice(0, 60)).to.deep.equal(['format']);
      expect(damaged.checks[0]?.detail, text.slice(0, 60)).to.match(/holder QR code/);
    }
  });

  describe('an outside wallet: @sd-jwt/sd-jwt-vc and plain HTTP', () => {
    let keys: { publicKey: JWK; privateKey: JWK };
    let outsideCredential: string;
    let sdjwt: SDJwtVcInstance;

    before(async () => {
      keys = await ES256.generateKeyPair();
      // It gets its credential the standard way too: the offer redeemed with plain HTTP (test/support/outside-wallet.ts).
      const { offer } = await issueIdCard(server, server.agencyKey('zj-psb'));
      const { kty, crv, x, y } = keys.publicKey;
      outsideCredential = await redeemOffer(offer.uri, offer.txCode, {
        privateKey: (await importJWK(keys.privateKey, 'ES256')) as CryptoKey,
        jwk: { kty, crv, x, y },
      });
      sdjwt = new SDJwtVcInstance({
        hasher: digest,
        hashAlg: 'sha-256',
        kbSigner: await ES256.getSigner(keys.privateKey),
        kbSignAlg: 'ES256',
        saltGenerator: () => randomBytes(16).toString('base64url'),
      });
    });

    it('answers a counter request: openid4vp:// parsed by hand, request object fetched, vp_token posted form-encoded', async () => {
      const created = await server.api('POST', '/api/v1/presentation-requests', { key: scCounter, body: { licenseType: 'id-card', claims: ['name'] } });
      const uri = new URL(created.body.uri as string);
      const clientId = uri.searchParams.get('client_id') ?? '';
      const requestObject = await (await fetch(uri.searchParams.get('request_uri') ?? '')).text();
      const [, payloadPart = ''] = requestObject.split('.');
      const request = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Record<string, string>;
      expect(request).to.include({ client_id: clientId, response_type: 'vp_token', response_mode: 'direct_post' });
      const presentation = await sdjwt.present(
        outsideCredential,
        { name: true },
        { kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: clientId, nonce: request.nonce ?? '' } } },
      );
      const posted = await fetch(request.response_uri ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ vp_token: JSON.stringify({ license: [presentation] }), state: request.state ?? '' }),
      });
      expect(posted.status).to.equal(200);
      const state = await server.api('GET', `/api/v1/presentation-requests/${created.body.id as string}`, { key: scCounter });
      expect(state.body.verdict).to.include({ valid: true, binding: 'cnf' });
      expect(state.body.verdict.license.claims).to.have.keys(['name']);
    });

    it('shows a holder-shown presentation in the plain compact form to /verify', async () => {
      const presentation = await sdjwt.present(
        outsideCredential,
        { name: true },
        { kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: 'urn:cn:elicense:holder-shown', nonce: randomBytes(16).toString('base64url') } } },
      );
      const verdict = await verify(presentation);
      expect(verdict).to.include({ valid: true, binding: 'cnf' });
      expect(Object.keys(verdict.license?.claims ?? {})).to.deep.equal(['name']);
    });
  });
});
