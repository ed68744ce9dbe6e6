/**
 * A citizen gets a license into the wallet (OpenID4VCI 1.0, pre-authorized code): the agency
 * issues, the citizen scans the offer and types the PIN, the wallet holds a credential bound to its
 * own key for the same license on the ledger. And what a thief with the offer but not the PIN —
 * or with a stale offer, or a proof made for someone else — gets back.
 */
import { expect } from 'chai';
import { compactVerify, decodeJwt, importJWK } from 'jose';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { randomBytes } from 'node:crypto';
import { HOLDER_SHOWN_AUD } from '../../core/presentation/holder-shown';
import { MemoryWalletStorage, Wallet, WalletError, jwkThumbprint } from '../../web/wallet/index';
import { issuingRegistry } from '../support/citizen-wallet';

function wrongPin(pin: string): string {
  return pin === '000000' ? '000001' : '000000';
}

describe('OpenID4VCI: getting a license into a wallet', function () {
  this.timeout(60000);
  const registry = issuingRegistry();

  const issue = () => registry.issue();

  async function refusal(promise: Promise<unknown>): Promise<WalletError> {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error, 'the wallet should have been refused').to.be.instanceOf(WalletError);
    return error as WalletError;
  }

  it('issuing a license answers with an offer: URI by reference, a 6-digit PIN, an expiry and a QR code of the URI', async () => {
    const { offer } = await issue();
    expect(offer.uri).to.match(/^openid-credential-offer:\/\/\?credential_offer_uri=/);
    const reference = new URL(offer.uri).searchParams.get('credential_offer_uri');
    expect(reference).to.match(new RegExp(`^${registry.server.url}/issuers/zj-psb/credential-offers/[A-Za-z0-9_-]{43}$`));
    expect(offer.txCode).to.match(/^\d{6}$/);
    expect(Date.parse(offer.expiresAt) - Date.now()).to.be.within(7 * 86400000 - 60000, 7 * 86400000 + 60000);
    expect(offer.uri).to.not.include(offer.txCode);
    expect(offer.qr).to.equal(`${reference ?? ''}/qr.png`);
    const png = await fetch(offer.qr);
    expect(png.headers.get('content-type')).to.equal('image/png');
    const image = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).to.equal(offer.uri);
  });

  it('the wallet redeems the offer with the PIN and holds a credential bound to its key, for the same license', async () => {
    const { licenseId, offer } = await issue();
    const wallet = new Wallet({ storage: new MemoryWalletStorage() });
    const stored = await wallet.redeemOffer(offer.uri, offer.txCode);
    expect(stored.licenseId).to.equal(licenseId);

    const payload = decodeJwt(stored.credential.split('~')[0] ?? '');
    expect(payload.lid).to.equal(licenseId);
    const cnf = payload.cnf as { jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string } };
    expect(await jwkThumbprint(cnf.jwk)).to.equal(stored.keyId);
    expect(await wallet.holderJwk(stored.id)).to.deep.equal(cnf.jwk);

    // The issuer's signature, with the key the ledger's trust registry lists for the agency.
    const issuers = await registry.server.api('GET', '/api/v1/trust/issuers');
    const agency = (issuers.body.issuers as Array<{ id: string; keys: Array<{ kid: string; jwk: Record<string, string> }> }>).find(
      (candidate) => candidate.id === 'zj-psb',
    );
    const { protectedHeader } = decodeProtected(stored.credential);
    const key = agency?.keys.find((candidate) => candidate.kid === protectedHeader.kid);
    expect(key, 'the signing key is on the ledger').to.not.equal(undefined);
    await compactVerify(stored.credential.split('~')[0] ?? '', await importJWK(key?.jwk ?? {}, 'ES256'), { algorithms: ['ES256'] });

    // Listed with the Type Metadata's labels, in the holder's language.
    const [english] = await wallet.listCredentials('en');
    expect(english?.licenseId).to.equal(licenseId);
    expect(english?.name).to.equal('Resident Identity Card');
    expect(english?.claims.map((claim) => claim.label)).to.include.members(['Name', 'Date of birth', 'Aged 18 or over (on the day of issue)']);
    const [chinese] = await wallet.listCredentials('zh-CN');
    expect(chinese?.name).to.equal('居民身份证');
    expect(chinese?.claims.find((claim) => claim.path.join('.') === 'name')?.label).to.equal('姓名');

    // What a presentation of the name alone would show, and the presentation itself.
    const plan = await wallet.disclosurePlan(stored.id, [['name']], 'en');
    expect(plan.disclosed.map((claim) => claim.label)).to.deep.equal(['Name']);
    expect(plan.withheld.map((claim) => claim.path.join('.'))).to.include.members(['birthdate', 'age_equal_or_over.18', 'address.region']);
    const presentation = await wallet.createPresentation({ credentialId: stored.id, disclose: [['name']], nonce: 'n-1', aud: 'https://counter.example' });
    const pieces = presentation.split('~');
    expect(pieces, 'issuer JWT, one disclosure, KB-JWT').to.have.length(3);
    expect(decodeJwt(pieces[2] ?? '')).to.include({ nonce: 'n-1', aud: 'https://counter.example' });

    // Shown from the phone at a Sichuan counter: the registry's verifier finds it valid and
    // holder-bound (KB-JWT by cnf.jwk, sd_hash), with the name alone disclosed.
    const shown = await wallet.createPresentation({
      credentialId: stored.id,
      disclose: [['name']],
      nonce: randomBytes(16).toString('base64url'),
      aud: HOLDER_SHOWN_AUD,
    });
    const verdict = await registry.server.api('POST', '/api/v1/verify', { key: registry.server.counterKey('510000'), body: { credential: shown } });
    expect(verdict.status, JSON.stringify(verdict.body)).to.equal(200);
    const checks = verdict.body.checks as Array<{ name: string; ok: boolean; detail: string }>;
    expect(
      checks.filter((check) => !check.ok),
      JSON.stringify(checks),
    ).to.deep.equal([]);
    expect(checks.find((check) => check.name === 'holder-binding')?.ok).to.equal(true);
    expect(verdict.body.valid).to.equal(true);
    expect(verdict.body.license.id).to.equal(licenseId);
    expect(Object.keys(verdict.body.license.claims as object)).to.deep.equal(['name']);

    // The wallet's holder-shown QR, signed with its key for the credential, verifies too, and
    // the holder's own log keeps every presentation.
    const qr = await wallet.createHolderQr(stored.id);
    const qrVerdict = await registry.server.api('POST', '/api/v1/verify', { key: registry.server.counterKey('510000'), body: { credential: qr.text } });
    expect(qrVerdict.body.valid, JSON.stringify(qrVerdict.body.checks)).to.equal(true);
    const log = await wallet.listPresentations();
    expect(log.map((entry) => entry.audience)).to.deep.equal(['https://counter.example', HOLDER_SHOWN_AUD, HOLDER_SHOWN_AUD]);
    expect(log.every((entry) => entry.licenseId === licenseId)).to.equal(true);
  });

  it('refuses a wrong PIN, and ends the offer after five', async () => {
    const { offer } = await issue();
    const wallet = new Wallet({ storage: new MemoryWalletStorage() });
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const error = await refusal(wallet.redeemOffer(offer.uri, wrongPin(offer.txCode)));
      expect(error.code).to.equal('TOKEN_REFUSED');
      expect(error.oauthError).to.equal('invalid_grant');
      expect(error.message).to.match(attempt < 5 ? /wrong PIN; \d attempt/ : /ended after 5 wrong PINs/);
    }
    // The right PIN no longer helps, and the offer URI no longer resolves.
    const afterwards = await refusal(wallet.redeemOffer(offer.uri, offer.txCode));
    expect(afterwards.code).to.equal('OFFER_INVALID');
    const reference = new URL(offer.uri).searchParams.get('credential_offer_uri') ?? '';
    expect((await fetch(reference)).status).to.equal(404);
    expect((await fetch(offer.qr)).status, 'the QR code is gone with the offer').to.equal(404);
    expect(await wallet.listCredentials()).to.have.length(0);
  });

  it('refuses an offer redeemed twice', async () => {
    const { offer } = await issue();
    await new Wallet({ storage: new MemoryWalletStorage() }).redeemOffer(offer.uri, offer.txCode);
    const error = await refusal(new Wallet({ storage: new MemoryWalletStorage() }).redeemOffer(offer.uri, offer.txCode));
    expect(error.code).to.equal('OFFER_INVALID');
  });

  it('refuses an expired offer', async () => {
    const { offer } = await issue();
    registry.server.setClockOffset(7 * 86400000 + 1000);
    try {
      const error = await refusal(new Wallet({ storage: new MemoryWalletStorage() }).redeemOffer(offer.uri, offer.txCode));
      expect(error.code).to.equal('OFFER_INVALID');
    } finally {
      registry.server.setClockOffset(0);
    }
  });
});

function decodeProtected(credential: string): { protectedHeader: { kid?: string } } {
  const header = (credential.split('~')[0] ?? '').split('.')[0] ?? '';
  return { protectedHeader: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: string } };
}
