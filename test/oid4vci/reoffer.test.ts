/**
 * A lost phone: the agency re-offers the same license. The new offer supersedes any open one, the
 * new phone's wallet gets a credential for the same license bound to its own new key, and the
 * license itself stays active. Only the agency that issued the license may re-offer, and only an
 * active license.
 */
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { randomBytes } from 'node:crypto';
import { HOLDER_SHOWN_AUD } from '../../core/presentation/holder-shown';
import { MemoryWalletStorage, Wallet, WalletError } from '../../web/wallet/index';
import { issuingRegistry, type Offer } from '../support/citizen-wallet';

describe('OpenID4VCI: re-offering a license after a lost phone', function () {
  this.timeout(60000);
  const registry = issuingRegistry();

  const issue = () => registry.issue();

  async function reoffer(licenseId: string, key = registry.zjPsb) {
    return registry.server.api('POST', `/api/v1/licenses/${licenseId}/offer`, { key });
  }

  it('binds the same license to the new phone’s key; the license stays active', async () => {
    const { licenseId, offer } = await issue();
    const lostPhone = new Wallet({ storage: new MemoryWalletStorage() });
    const old = await lostPhone.redeemOffer(offer.uri, offer.txCode);

    const response = await reoffer(licenseId);
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    expect(response.body.licenseId).to.equal(licenseId);
    const fresh = response.body.offer as Offer;
    expect(fresh.uri)
      .to.match(/^openid-credential-offer:\/\//)
      .and.not.equal(offer.uri);
    expect(fresh.txCode).to.match(/^\d{6}$/);

    const newPhone = new Wallet({ storage: new MemoryWalletStorage() });
    const bound = await newPhone.redeemOffer(fresh.uri, fresh.txCode);
    expect(bound.licenseId).to.equal(licenseId);
    expect(bound.keyId).to.not.equal(old.keyId);
    const cnf = decodeJwt(bound.credential.split('~')[0] ?? '').cnf as { jwk: { x: string } };
    expect(cnf.jwk).to.deep.equal(await newPhone.holderJwk(bound.id));

    const status = await registry.server.api('GET', `/api/v1/licenses/${licenseId}/status`, { key: registry.zjPsb });
    expect(status.body.status).to.equal('active');
  });

  it('the credential bound to the lost phone stops verifying (its own status entry INVALID); the new one and the license stand', async function () {
    const { licenseId, offer } = await issue();
    const lostPhone = new Wallet({ storage: new MemoryWalletStorage() });
    const old = await lostPhone.redeemOffer(offer.uri, offer.txCode);
    if (decodeJwt(old.credential.split('~')[0] ?? '').status === undefined) {
      // Bound credentials get a status entry of their own only where status lists are kept.
      this.skip();
    }
    const show = async (wallet: Wallet, credentialId: string) => {
      const shown = await wallet.createPresentation({
        credentialId,
        disclose: [['name']],
        nonce: randomBytes(16).toString('base64url'),
        aud: HOLDER_SHOWN_AUD,
      });
      const verdict = await registry.server.api('POST', '/api/v1/verify', { key: registry.server.counterKey('510000'), body: { credential: shown } });
      expect(verdict.status, JSON.stringify(verdict.body)).to.equal(200);
      return verdict.body as { valid: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
    };
    expect((await show(lostPhone, old.id)).valid, 'before the re-offer').to.equal(true);

    const fresh = (await reoffer(licenseId)).body.offer as Offer;
    const newPhone = new Wallet({ storage: new MemoryWalletStorage() });
    const bound = await newPhone.redeemOffer(fresh.uri, fresh.txCode);

    const deadline = Date.now() + 5000;
    let verdict = await show(lostPhone, old.id);
    while (verdict.valid && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      verdict = await show(lostPhone, old.id);
    }
    expect(verdict.valid, 'the lost phone’s credential').to.equal(false);
    expect(verdict.checks.filter((check) => !check.ok).map((check) => check.name)).to.include('status-list');
    expect((await show(newPhone, bound.id)).valid, 'the new phone’s credential').to.equal(true);
    const status = await registry.server.api('GET', `/api/v1/licenses/${licenseId}/status`, { key: registry.zjPsb });
    expect(status.body.status).to.equal('active');
  });

  it('supersedes an offer not yet redeemed', async () => {
    const { licenseId, offer } = await issue();
    expect((await reoffer(licenseId)).status).to.equal(201);
    const error = await new Wallet({ storage: new MemoryWalletStorage() }).redeemOffer(offer.uri, offer.txCode).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(WalletError);
    expect((error as WalletError).code).to.equal('OFFER_INVALID');
  });

  it('only the issuing agency re-offers, and only an active license', async () => {
    const { licenseId } = await issue();
    const other = await reoffer(licenseId, registry.server.agencyKey('zj-amr'));
    expect(other.status).to.equal(403);
    expect((await registry.server.api('POST', `/api/v1/licenses/${licenseId}/offer`)).status).to.equal(401);
    expect((await reoffer('330000-NOSUCHLICENSE0')).status).to.equal(404);

    const revoked = await registry.server.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: registry.zjPsb, body: { reason: 'fraud' } });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    const refused = await reoffer(licenseId);
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal('LICENSE_NOT_ACTIVE');
  });
});
