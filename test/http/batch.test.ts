/**
 * Batch issuance over HTTP (POST /api/v1/licenses/batch), as the bulk upload page uses it: each
 * item is answered as POST /api/v1/licenses would answer it, a repeated batch replays instead of
 * issuing again, a row sent alone and then in a batch is issued once, and the envelope is checked.
 */
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { citizenIdCheckDigit } from '../../core/citizen-id';
import { makeBusinessLicenseRequest } from '../../core/license-types';
import { startTestServer, type TestServer } from '../support/registry-server';
import { ifStarted } from '../support/defined';
import { ledgerLicenses } from '../support/ledger-licenses';
import { idCardBody } from '../support/requests';

interface ItemResult {
  status: number;
  // Tests read whatever the item's answer holds.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  replayed?: boolean;
}

/** A valid ID card whose ID number has a wrong check digit. */
function wrongCheckDigit(): Record<string, unknown> {
  const body = idCardBody();
  const holder = body.holder as { idNumber: string };
  const wrong = citizenIdCheckDigit(holder.idNumber.slice(0, 17)) === '1' ? '2' : '1';
  holder.idNumber = holder.idNumber.slice(0, 17) + wrong;
  return body;
}

describe('registry HTTP API: batch issuance', function () {
  this.timeout(60000);
  let server: TestServer;
  let zjPsb: string;
  const run = Date.now();

  before(async () => {
    server = await startTestServer();
    zjPsb = server.agencyKey('zj-psb');
  });
  after(() => ifStarted(server, (started) => started.remove()));

  async function batch(items: Array<{ idempotencyKey: string; request: unknown }>): Promise<ItemResult[]> {
    const response = await server.api('POST', '/api/v1/licenses/batch', { key: zjPsb, body: { items } });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return response.body.results as ItemResult[];
  }

  it('answers each item as POST /licenses would, in order, and replays a repeated batch without issuing again', async () => {
    const requests = [
      idCardBody(),
      wrongCheckDigit(),
      makeBusinessLicenseRequest(9, { province: '330000' }),
      { ...idCardBody(), type: 'fishing-permit' },
      idCardBody(),
    ];
    const items = requests.map((request, i) => ({ idempotencyKey: `mixed-${run}-${i}`, request }));
    const before = await ledgerLicenses(server.running.registry, 'zj-psb');
    const first = await batch(items);

    expect(first.map((item) => item.status)).to.deep.equal([201, 400, 403, 400, 201]);
    expect(first.map((item) => item.body.error?.code ?? null)).to.deep.equal([null, 'INVALID_FIELD', 'TYPE_NOT_ALLOWED', 'UNKNOWN_LICENSE_TYPE', null]);
    expect(first[1]?.body.error.field).to.equal('holder.idNumber');
    for (const index of [0, 4]) {
      expect(first[index]?.body).to.include({ type: 'id-card', status: 'active' });
      expect(first[index]?.body.licenseId).to.match(/^330000-/);
      expect(first[index]?.body.credential).to.be.a('string');
    }
    // The refusals are the single route's, word for word.
    for (const index of [1, 2, 3]) {
      const alone = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: requests[index] });
      expect({ status: first[index]?.status, body: first[index]?.body }, `item ${index}`).to.deep.equal({ status: alone.status, body: alone.body });
    }
    const issued = await ledgerLicenses(server.running.registry, 'zj-psb');
    expect(issued.size - before.size).to.equal(2);

    const again = await batch(items);
    expect(again.map((item) => item.status)).to.deep.equal([201, 400, 403, 400, 201]);
    expect(again.map((item) => item.body.licenseId ?? null)).to.deep.equal(first.map((item) => item.body.licenseId ?? null));
    expect(again[0]?.replayed).to.equal(true);
    expect(again[0]?.body).to.deep.equal(first[0]?.body);
    expect((await ledgerLicenses(server.running.registry, 'zj-psb')).size).to.equal(issued.size);
  });

  it('issues a row once whether it is sent alone or in a batch, and refuses its key for another request', async () => {
    const request = idCardBody();
    const idempotencyKey = `both-${run}`;
    const alone = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: request, headers: { 'Idempotency-Key': idempotencyKey } });
    expect(alone.status).to.equal(201);
    const [inBatch, reused] = await batch([
      { idempotencyKey, request },
      { idempotencyKey: `both-${run}-other`, request: idCardBody() },
    ]);
    expect(inBatch?.status).to.equal(201);
    expect(inBatch?.replayed).to.equal(true);
    expect(inBatch?.body.licenseId).to.equal(alone.body.licenseId);
    expect(reused?.status).to.equal(201);

    const [conflict] = await batch([{ idempotencyKey, request: idCardBody() }]);
    expect(conflict?.status).to.equal(409);
    expect(conflict?.body.error.code).to.equal('IDEMPOTENCY_CONFLICT');
    // A key repeated inside one batch waits for its first use and replays it.
    const twice = idCardBody();
    const [once, replayed] = await batch([
      { idempotencyKey: `twice-${run}`, request: twice },
      { idempotencyKey: `twice-${run}`, request: twice },
    ]);
    expect([once?.status, replayed?.status]).to.deep.equal([201, 201]);
    expect(replayed?.body.licenseId).to.equal(once?.body.licenseId);
  });

  it("anchors a batch's licenses in a few ledger transactions, not one each", async () => {
    const results = await batch(Array.from({ length: 50 }, (_, i) => ({ idempotencyKey: `grouped-${run}-${i}`, request: idCardBody() })));
    expect(results.map((item) => item.status)).to.deep.equal(results.map(() => 201));
    const transactions = new Set(results.map((item) => item.body.anchor.txId as string));
    expect(transactions.size, `${transactions.size} transactions for 50 licenses`).to.be.lessThan(10);
  });

  it('refuses a batch over 200 items, an empty one and a malformed key with 400 and a code, issuing nothing', async () => {
    const before = await ledgerLicenses(server.running.registry, 'zj-psb');
    const tooMany = Array.from({ length: 201 }, (_, i) => ({ idempotencyKey: `many-${run}-${i}`, request: idCardBody() }));
    const refusals = [
      { items: tooMany },
      { items: [] },
      { items: [{ idempotencyKey: 'with space', request: idCardBody() }] },
      { items: [{ idempotencyKey: `extra-${run}`, request: idCardBody(), extra: true }] },
      [{ idempotencyKey: `bare-${run}`, request: idCardBody() }],
    ];
    for (const body of refusals) {
      const response = await server.api('POST', '/api/v1/licenses/batch', { key: zjPsb, body });
      expect(response.status, JSON.stringify(response.body)).to.equal(400);
      expect(response.body.error.code).to.equal('INVALID_FIELD');
    }
    const over = await server.api('POST', '/api/v1/licenses/batch', { key: zjPsb, body: { items: tooMany } });
    expect(over.body.error.field).to.equal('items');
    expect((await ledgerLicenses(server.running.registry, 'zj-psb')).size).to.equal(before.size);
  });

  it('takes a 200-item batch larger than the 64 KB other routes accept, and refuses one over 1 MB', async () => {
    const padded = (i: number) => ({ idempotencyKey: `large-${run}-${i}`, request: { ...idCardBody(), padding: 'x'.repeat(600) } });
    const large = await server.api('POST', '/api/v1/licenses/batch', { key: zjPsb, body: { items: Array.from({ length: 200 }, (_, i) => padded(i)) } });
    expect(large.status, JSON.stringify(large.body).slice(0, 300)).to.equal(200);
    // Each item is refused by the same checks as POST /licenses (no unknown fields), not by the size.
    expect(new Set((large.body.results as ItemResult[]).map((item) => item.body.error?.code))).to.deep.equal(new Set(['INVALID_FIELD']));
    const huge = { items: [{ idempotencyKey: `huge-${run}`, request: { ...idCardBody(), padding: 'x'.repeat(1100 * 1024) } }] };
    const refused = await server.api('POST', '/api/v1/licenses/batch', { key: zjPsb, body: huge });
    expect(refused.status).to.equal(413);
    expect(refused.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('needs an agency API key, like POST /licenses', async () => {
    const body = { items: [{ idempotencyKey: `auth-${run}`, request: idCardBody() }] };
    const none = await server.api('POST', '/api/v1/licenses/batch', { body });
    expect(none.status).to.equal(401);
    expect(none.body.error.code).to.equal('UNAUTHENTICATED');
    const counter = await server.api('POST', '/api/v1/licenses/batch', { key: server.counterKey('330000'), body });
    expect(counter.status).to.equal(403);
    expect(counter.body.error.code).to.equal('FORBIDDEN');
  });

  it('reads no body before the caller is known, and no compressed body at all', async () => {
    // Malformed JSON of 1 MB: refused as unauthenticated (401), not as malformed (400), so it was never parsed.
    const junk = `{"items":[${'{},'.repeat(340000)}`;
    const post = (headers: Record<string, string>, body: string | Uint8Array) =>
      fetch(`${server.url}/api/v1/licenses/batch`, { method: 'POST', headers, body });
    const anonymous = await post({ 'Content-Type': 'application/json' }, junk);
    expect(anonymous.status).to.equal(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).to.equal('UNAUTHENTICATED');
    const keyed = await post({ 'Content-Type': 'application/json', Authorization: `Bearer ${server.counterKey('330000')}` }, junk);
    expect(keyed.status, 'a counter may not issue: refused before its body is read').to.equal(403);
    // A gzip body a few KB long can unpack to the whole limit: not read, whoever sends it.
    const gzipped = gzipSync(JSON.stringify({ items: [{ idempotencyKey: `gzip-${run}`, request: idCardBody() }] }));
    const compressed = await post({ 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Authorization: `Bearer ${zjPsb}` }, gzipped);
    expect(compressed.status).to.equal(415);
    expect(((await compressed.json()) as { error: { code: string } }).error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
  });
});
