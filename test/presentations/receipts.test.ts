/**
 * Receipts the holder sees (用证留痕) and ratings (好差评), over HTTP: each verification of the
 * holder's presentations is there with the claim names it disclosed; another holder's key reads
 * nothing of them; a rating is once per receipt and counted per counter and service; and a receipt
 * deleted from the store is caught against the chain head anchored on the ledger. The replay
 * memory survives a restart.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { createPgliteClient } from '../../server/src/adapters/store/pglite-client';
import { holderProof, type HolderKey } from '../../web/wallet/index';
import { citizenWithIdCard, type Citizen } from '../support/citizen-wallet';
import { ifStarted } from '../support/defined';
import { startTestServer, type TestServer } from '../support/registry-server';

describe('presentations: receipts and ratings', function () {
  this.timeout(120000);
  let server: TestServer;
  let citizen: Citizen;
  /** Another citizen, with a card of their own: their key must read none of the first one's receipts. */
  let stranger: Citizen;
  let holder: HolderKey;
  let scCounter: string;
  let zjCounter: string;
  let shownBeforeRestart: string;

  before(async () => {
    server = await startTestServer();
    scCounter = server.counterKey('510000');
    zjCounter = server.counterKey('330000');
    citizen = await citizenWithIdCard(server, server.agencyKey('zj-psb'));
    stranger = await citizenWithIdCard(server, server.agencyKey('zj-psb'));
    holder = await citizen.wallet.holderKeyFor(citizen.held.id);
    // One presentation answering a Sichuan counter's request, one holder-shown QR at a Zhejiang counter.
    const created = await server.api('POST', '/api/v1/presentation-requests', { key: scCounter, body: { service: 'identity-check' } });
    const answered = await citizen.wallet.answerRequest(created.body.uri as string, { approve: () => true });
    expect(answered).to.include({ answered: true, status: 200 });
    shownBeforeRestart = (await citizen.wallet.createHolderQr(citizen.held.id)).text;
    const shown = await server.api('POST', '/api/v1/verify', { key: zjCounter, body: { credential: shownBeforeRestart } });
    expect(shown.body.valid).to.equal(true);
  });
  after(() => ifStarted(server, (started) => started.remove()));

  it('the holder sees each verification: counter, province, service, time and the claim names, never values', async () => {
    const receipts = await citizen.wallet.fetchReceipts(citizen.held.id, server.url);
    expect(receipts).to.have.length(2);
    const [atSichuan, atZhejiang] = receipts;
    expect(atSichuan).to.deep.include({ service: 'identity-check', licenseType: 'id-card', claims: ['name'], verdict: 'valid' });
    expect(atSichuan?.counter).to.deep.equal({ id: 'sc-chengdu-counter', name: '成都市政务服务中心窗口', province: '510000' });
    expect(atZhejiang).to.deep.include({ service: null, claims: ['name'], verdict: 'valid' });
    expect(atZhejiang?.counter.province).to.equal('330000');
    expect(JSON.stringify(receipts)).to.not.include(citizen.held.credential.split('~')[1] ?? '~');
  });

  it("another holder's key reads none of them; a proof used twice, for another endpoint, or unsigned is refused", async () => {
    expect(await stranger.wallet.fetchReceipts(stranger.held.id, server.url)).to.deep.equal([]);
    const url = `${server.url}/api/v1/receipts`;
    const proof = await holderProof(holder, url);
    expect((await server.api('POST', '/api/v1/receipts', { body: { proof } })).status).to.equal(200);
    const replayed = await server.api('POST', '/api/v1/receipts', { body: { proof } });
    expect(replayed.status).to.equal(401);
    expect(replayed.body.error.code).to.equal('UNAUTHENTICATED');
    const elsewhere = await server.api('POST', '/api/v1/receipts', { body: { proof: await holderProof(holder, `${server.url}/api/v1/receipts/ratings`) } });
    expect(elsewhere.status).to.equal(401);
    const [header, payload] = (await holderProof(holder, url)).split('.');
    expect((await server.api('POST', '/api/v1/receipts', { body: { proof: `${header}.${payload}.${'A'.repeat(86)}` } })).status).to.equal(401);
  });

  it('rates a service once (好差评), only its own receipt, counted per counter and service', async () => {
    const [atSichuan] = await citizen.wallet.fetchReceipts(citizen.held.id, server.url);
    const receipt = atSichuan?.id ?? expect.fail('no receipt');
    const rate = (score: number, comment?: string) =>
      citizen.wallet.rateService(citizen.held.id, server.url, { receipt, score, ...(comment === undefined ? {} : { comment }) });
    expect(await stranger.wallet.rateService(stranger.held.id, server.url, { receipt, score: 1 })).to.equal(404);
    // A bidirectional override or a NUL would make the comment read differently from what is stored.
    expect(await rate(5, '办事\u202e很快')).to.equal(400);
    expect(await rate(5, 'ok\u0000')).to.equal(400);
    expect(await rate(5, '办事很快')).to.equal(201);
    expect(await rate(1)).to.equal(409);
    expect(await rate(5, 'x'.repeat(201))).to.equal(400);
    const counts = await server.api('GET', '/api/v1/ratings', { key: scCounter });
    expect(counts.body).to.deep.equal({ counter: 'sc-chengdu-counter', ratings: [{ service: 'identity-check', score: 5, count: 1 }] });
    expect((await server.api('GET', '/api/v1/ratings', { key: zjCounter })).body.ratings).to.deep.equal([]);
    expect((await server.api('GET', '/api/v1/ratings')).status).to.equal(401);
  });

  it('anchors the receipt chain head on the ledger; a deleted receipt row is detected; the replay memory survives a restart', async () => {
    await server.running.registry.receipts.anchorHead();
    const intact = await server.api('GET', '/api/v1/receipts/chain');
    expect(intact.body).to.deep.include({ ok: true, receipts: 2, problem: null });
    expect(intact.body.anchored).to.include({ seq: 2 });

    await server.stop();
    const sql = await createPgliteClient(join(server.dataDir, 'store'));
    try {
      expect(await sql.query('DELETE FROM receipts WHERE seq = 2 RETURNING seq')).to.have.length(1);
    } finally {
      await sql.close();
    }
    await server.restart();
    const broken = await server.api('GET', '/api/v1/receipts/chain');
    expect(broken.body).to.include({ ok: false });
    expect(broken.body.problem).to.match(/anchored receipt 2 .* store ends at 1/);

    const replayed = await server.api('POST', '/api/v1/verify', { key: scCounter, body: { credential: shownBeforeRestart } });
    expect(replayed.body.valid).to.equal(false);
    expect(replayed.body.checks.filter((check: { ok: boolean }) => !check.ok).map((check: { name: string }) => check.name)).to.include('replay');
  });
});
