/**
 * The wallet talks plain http only to a registry on this machine. The protocol library's switch for
 * http (`allowInsecureUrls`) is one flag for the whole process: once a loopback registry raised it,
 * the library alone would take any http URL. The wallet module refuses those itself.
 */
import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('sends nothing to an http URL the library finds on its own (an authorization server named in the issuer metadata)', async () => {
    // A hostile issuer on this machine whose metadata names an authorization server over plain http elsewhere.
    const issuer = createServer((req, res) => {
      const base = `http://127.0.0.1:${String((issuer.address() as AddressInfo).port)}`;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-credential-issuer') {
        res.end(
          JSON.stringify({
            credential_issuer: base,
            credential_endpoint: `${base}/credential`,
            authorization_servers: ['http://as.example'],
            credential_configurations_supported: { 'id-card': { format: 'dc+sd-jwt', vct: 'urn:cn:elicense:vct:id-card' } },
          }),
        );
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${String((issuer.address() as AddressInfo).port)}`;
      const sent: string[] = [];
      const recording: typeof fetch = (input, init) => {
        sent.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
        return fetch(input, init);
      };
      const wallet = new Wallet({ storage: new MemoryWalletStorage(), fetch: recording });
      const offer = { credential_issuer: base, credential_configuration_ids: ['id-card'], grants: {} };
      await refusal(() => wallet.redeemOffer(`openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`, '123456'));
      expect(sent.some((url) => url.startsWith(base)), 'the loopback issuer was asked').to.equal(true);
      expect(sent.filter((url) => !url.startsWith(base)), 'requests elsewhere over http').to.deep.equal([]);
    } finally {
      issuer.close();
    }
  });
});
