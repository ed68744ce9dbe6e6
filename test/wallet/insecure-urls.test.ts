/**
 * The wallet talks plain http only to a registry on this machine. The protocol library's switch for
 * http (`allowInsecureUrls`) is one flag for the whole process: once a loopback registry raised it,
 * the library alone would take any http URL. The wallet module refuses those itself.
 */
import { expect } from 'chai';
import { getGlobalConfig } from '@openid4vc/utils';
import { MemoryWalletStorage, Wallet, parseAuthorizationRequest } from '../../web/wallet/index';
import { citizenWithIdCard } from '../support/citizen-wallet';
import { startTestServer, type TestServer } from '../support/registry-server';
import { ifStarted } from '../support/defined';

const refusal = async (run: () => unknown): Promise<{ code: string; message: string }> => {
  try {
    await run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  return expect.fail('expected a refusal');
};

describe('wallet: plain http only on this machine, whatever the library flag says', function () {
  this.timeout(120000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => ifStarted(server, (started) => started.remove()));

  it('after a loopback registry (the flag raised), an http request_uri or credential issuer elsewhere is refused', async () => {
    // A real flow with the loopback registry: the library's process-wide flag is now up.
    await citizenWithIdCard(server, server.agencyKey('zj-psb'));
    expect(getGlobalConfig().allowInsecureUrls).to.equal(true);
    const clientId = 'decentralized_identifier:did:jwk:e30';
    const loopback = parseAuthorizationRequest(`openid4vp://?${new URLSearchParams({ client_id: clientId, request_uri: `${server.url}/r` }).toString()}`);
    expect(loopback.requestUri).to.equal(`${server.url}/r`);
    const elsewhere = await refusal(() =>
      parseAuthorizationRequest(`openid4vp://?${new URLSearchParams({ client_id: clientId, request_uri: 'http://verifier.example/r' }).toString()}`),
    );
    expect(elsewhere.code).to.equal('REQUEST_INVALID');
    expect(elsewhere.message).to.include('http://verifier.example/r');
    const offer = { credential_issuer: 'http://issuer.example/issuers/x', credential_configuration_ids: ['id-card'], grants: {} };
    const wallet = new Wallet({ storage: new MemoryWalletStorage() });
    const refused = await refusal(() => wallet.redeemOffer(`openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`, '123456'));
    expect(refused.code).to.equal('OFFER_INVALID');
    expect(refused.message).to.include('http://issuer.example');
  });
});
