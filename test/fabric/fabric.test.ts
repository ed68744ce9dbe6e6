/**
 * The Fabric mode, on a real two-province network brought up for this run in its own folder and
 * ports and torn down after: the ledger contract suite unchanged, then two registry servers — one
 * per province, each with its own store, each on its own peer — over HTTP.
 * Without Fabric binaries (FABRIC_BIN or PATH) everything here skips and says why;
 * `npm run test:fabric` sets FABRIC_REQUIRED=1, which turns that skip into a failure.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { STATUS_INVALID, STATUS_VALID } from '../../core/status-list';
import { makePropertyCertificateRequest } from '../../core/license-types';
import { describeLedgerContract } from '../ledger/ledger-contract';
import { fabricAvailability, startFabricTestNetwork, stopFabricTestNetwork, type FabricTestNetwork } from '../support/fabric-network';
import { anchorFor, sha256, publicJwk } from '../support/ledger-fixture';
import { refusedWith } from '../support/refusal';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { defined, ifStarted } from '../support/defined';
import { citizenWithIdCard } from '../support/citizen-wallet';

describe('Fabric mode', function () {
  let network: FabricTestNetwork | undefined;
  let skipped = false;

  before(async function () {
    this.timeout(180000);
    const fabric = fabricAvailability();
    if (!fabric.ok) {
      if (process.env.FABRIC_REQUIRED === '1') throw new Error(`Fabric tests are required (FABRIC_REQUIRED=1) but cannot run: ${fabric.reason}`);
      console.log(`    Fabric tests skipped: ${fabric.reason}`);
      skipped = true;
      this.skip();
    }
    network = await startFabricTestNetwork();
    console.log(`    Fabric test network up in ${network.upSeconds.toFixed(1)} s (port base ${network.plan.portBase}, ${network.plan.runDir})`);
  });

  after(async function () {
    this.timeout(60000);
    // Also after a failed bring-up: whatever it had started is recorded in the test run folder.
    if (!skipped) await stopFabricTestNetwork();
  });

  describeLedgerContract(
    'fabric',
    () => {
      if (!network) throw new Error('the Fabric test network is not up');
      return network.fixture();
    },
    60000,
  );

  describe('two provinces over HTTP, each server on its own peer', function () {
    this.timeout(120000);
    let zhejiang: TestServer;
    let sichuan: TestServer;

    before(async () => {
      if (!network) throw new Error('the Fabric test network is not up');
      const env = (province: string) => ({
        LEDGER: 'fabric',
        FABRIC_PROVINCE: province,
        FABRIC_NETWORK: join(defined(network).plan.runDir, 'state.json'),
        WALLET_DIR: defined(network).plan.walletDir,
        // The demo is off by default on Fabric; these servers need its agencies' and counters' keys.
        DEMO: 'true',
      });
      zhejiang = await startTestServer(env('330000'));
      sichuan = await startTestServer(env('510000'));
    });
    after(async () => {
      await ifStarted(zhejiang, (started) => started.remove());
      await ifStarted(sichuan, (started) => started.remove());
    });

    it('serves one province each, with its own demo and its own store', () => {
      expect(zhejiang.running.registry.nodes.map((node) => node.code)).to.deep.equal(['330000']);
      expect(sichuan.running.registry.nodes.map((node) => node.code)).to.deep.equal(['510000']);
      expect(zhejiang.demo.agencies.map((agency) => agency.id)).to.deep.equal(['zj-psb', 'zj-amr']);
      expect(sichuan.demo.agencies.map((agency) => agency.id)).to.deep.equal(['sc-nr']);
      expect(zhejiang.dataDir).to.not.equal(sichuan.dataDir);
    });

    it('mints an ID card in Zhejiang that a Sichuan counter verifies through the Sichuan peer; revocation reaches Sichuan within 5 s', async () => {
      const issued = await zhejiang.api('POST', '/api/v1/licenses', { key: zhejiang.agencyKey('zj-psb'), body: idCardBody() });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      const { licenseId, credential } = issued.body as { licenseId: string; credential: string };
      const verify = () => sichuan.api('POST', '/api/v1/verify', { key: sichuan.counterKey('510000'), body: { credential } });
      const first = await verify();
      expect(first.body, JSON.stringify(first.body.checks)).to.include({ valid: true, verdict: 'valid' });
      expect(first.body.license.issuer).to.deep.include({ agency: 'zj-psb', iss: `${zhejiang.url}/issuers/zj-psb`, province: '330000' });

      // Sichuan's identities, on Sichuan's own node, cannot touch it or speak for Zhejiang.
      const sc = sichuan.running.registry;
      const scIssuer = 'sc-nr-issuer@SichuanMSP';
      const scAdmin = defined(sc.nodes[0]).adminIdentity;
      await refusedWith(sc.ledger.port.submit(scIssuer, 'license:SuspendLicense', [licenseId, 'lost']), 'WRONG_PROVINCE');
      await refusedWith(sc.ledger.port.submit(scIssuer, 'license:RevokeLicense', [licenseId, 'fraud']), 'WRONG_PROVINCE');
      await refusedWith(
        sc.ledger.port.submit(scIssuer, 'license:IssueLicense', [JSON.stringify(anchorFor('zj-psb', 'id-card', { id: licenseId }))]),
        'WRONG_PROVINCE',
      );
      await refusedWith(
        sc.ledger.port.submit(scIssuer, 'license:IssueLicense', [JSON.stringify(anchorFor('sc-nr', 'property-certificate', { id: licenseId }))]),
        'LICENSE_EXISTS',
      );
      await refusedWith(
        sc.ledger.port.submit(scAdmin, 'trust:RegisterAgency', [
          JSON.stringify({ id: 'zj-fake', name: '假冒机构', province: '330000', licenseTypes: ['id-card'], jwk: publicJwk() }),
        ]),
        'WRONG_PROVINCE',
      );
      const refusedOverHttp = await sichuan.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: sichuan.agencyKey('sc-nr'), body: { reason: 'fraud' } });
      expect(refusedOverHttp.status).to.equal(404);
      const unchanged = await sichuan.api('GET', `/api/v1/licenses/${licenseId}/status`, { key: sichuan.counterKey('510000') });
      expect(unchanged.body).to.include({ status: 'active', version: 1 });
      expect((await sichuan.api('GET', '/api/v1/trust/issuers')).body.issuers.map((i: { id: string }) => i.id)).to.not.include('zj-fake');

      // Zhejiang revokes; the Sichuan counter sees it.
      const revoked = await zhejiang.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: zhejiang.agencyKey('zj-psb'), body: { reason: 'fraud' } });
      expect(revoked.status).to.equal(200);
      const started = Date.now();
      let verdict = await verify();
      while (verdict.body.status !== 'revoked' && Date.now() - started < 5000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        verdict = await verify();
      }
      expect(verdict.body).to.include({ valid: false, status: 'revoked' });
      expect(Date.now() - started, 'revocation visible in Sichuan').to.be.below(5000);
    });

    it('the journey across provinces: a Zhejiang ID card in a wallet answers a Sichuan counter with the name only; revoked, refused within 5 s', async () => {
      // Issued in Zhejiang; the citizen's wallet redeems the offer with the PIN at the Zhejiang node.
      const { wallet, issued } = await citizenWithIdCard(zhejiang, zhejiang.agencyKey('zj-psb'));
      const present = async () => {
        const created = await sichuan.api('POST', '/api/v1/presentation-requests', {
          key: sichuan.counterKey('510000'),
          body: { licenseType: 'id-card', claims: ['name'] },
        });
        expect(created.status, JSON.stringify(created.body)).to.equal(201);
        const outcome = await wallet.answerRequest(created.body.uri as string, { approve: () => true });
        expect(outcome).to.include({ answered: true, status: 200 });
        const state = await sichuan.api('GET', `/api/v1/presentation-requests/${created.body.id as string}`, { key: sichuan.counterKey('510000') });
        return state.body.verdict as { valid: boolean; binding: string; status: string; license: { claims: Record<string, unknown> } };
      };
      const first = await present();
      expect(first).to.include({ valid: true, binding: 'cnf' });
      expect(first.license.claims).to.deep.equal({ name: issued.name });
      await sichuan.running.registry.receipts.anchorHead();
      expect((await sichuan.api('GET', '/api/v1/receipts/chain')).body).to.deep.include({ ok: true, receipts: 1 });

      const revoked = await zhejiang.api('POST', `/api/v1/licenses/${issued.licenseId}/revoke`, {
        key: zhejiang.agencyKey('zj-psb'),
        body: { reason: 'stolen' },
      });
      expect(revoked.status).to.equal(200);
      const started = Date.now();
      let verdict = await present();
      while (verdict.valid && Date.now() - started < 5000) verdict = await present();
      expect(verdict).to.include({ valid: false, status: 'revoked' });
      expect(Date.now() - started, 'revocation refused at Sichuan').to.be.below(5000);
    });

    it("serves Zhejiang's status list from the Sichuan node, signed by Sichuan's key; a revoke in Zhejiang flips it within 5 s", async () => {
      const issued = await zhejiang.api('POST', '/api/v1/licenses', { key: zhejiang.agencyKey('zj-psb'), body: idCardBody() });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      const { licenseId, credential } = issued.body as { licenseId: string; credential: string };
      const { idx, uri } = (decodeJwt(defined(credential.split('~')[0])) as { status: { status_list: { idx: number; uri: string } } }).status.status_list;
      expect(uri.startsWith(`${zhejiang.url}/status-lists/zj-psb/`)).to.equal(true);
      // The same list, derived from the same ledger, on the other province's node.
      const atSichuan = `${sichuan.url}${new URL(uri).pathname}`;
      const fetchToken = async () => {
        const response = await fetch(atSichuan);
        expect(response.status).to.equal(200);
        return response.text();
      };
      const started = Date.now();
      let token = await fetchToken();
      while (getListFromStatusListJWT(token).getStatus(idx) !== STATUS_VALID) {
        expect(Date.now() - started, 'the new entry reaches Sichuan').to.be.below(5000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        token = await fetchToken();
      }
      const iss = String(decodeJwt(token).iss);
      expect(iss).to.equal(`${sichuan.url}/provinces/510000`);
      const metadata = (await (await fetch(`${sichuan.url}/.well-known/jwt-vc-issuer/provinces/510000`)).json()) as { jwks: JSONWebKeySet };
      await jwtVerify(token, createLocalJWKSet(metadata.jwks), { algorithms: ['ES256'], typ: 'statuslist+jwt', issuer: iss, subject: atSichuan });

      const revoked = await zhejiang.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: zhejiang.agencyKey('zj-psb'), body: { reason: 'stolen' } });
      expect(revoked.status).to.equal(200);
      const revokedAt = Date.now();
      while (getListFromStatusListJWT(token).getStatus(idx) !== STATUS_INVALID) {
        expect(Date.now() - revokedAt, 'the revocation reaches the Sichuan list').to.be.below(5000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        token = await fetchToken();
      }
      const verdict = await sichuan.api('POST', '/api/v1/verify', { key: sichuan.counterKey('510000'), body: { credential } });
      const listCheck = (verdict.body.checks as Array<{ name: string; ok: boolean }>).find((check) => check.name === 'status-list');
      expect(listCheck).to.include({ ok: false });
      expect(verdict.body).to.include({ valid: false, status: 'revoked' });
    });

    it('mints a property certificate in Sichuan that Zhejiang verifies', async () => {
      const issued = await sichuan.api('POST', '/api/v1/licenses', {
        key: sichuan.agencyKey('sc-nr'),
        body: makePropertyCertificateRequest(42, { province: '510000' }),
      });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      const verdict = await zhejiang.api('POST', '/api/v1/verify', { key: zhejiang.counterKey('330000'), body: { credential: issued.body.credential } });
      expect(verdict.body, JSON.stringify(verdict.body.checks)).to.include({ valid: true, verdict: 'valid' });
      expect(verdict.body.license.issuer).to.deep.include({ agency: 'sc-nr', iss: `${sichuan.url}/issuers/sc-nr`, province: '510000' });
      expect(sha256(issued.body.credential)).to.have.length(64);
    });
  });
});
