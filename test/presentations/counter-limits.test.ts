/**
 * A counter key cannot hold unbounded server resources: at most COUNTER_MAX_OPEN_REQUESTS pending
 * presentation requests and COUNTER_MAX_STREAMS open event streams (here 3 and 2, set small). Past
 * either the answer is 429 with its code; an answered or expired request, and a closed stream, give
 * their place back. Over HTTP against a real registry on the embedded ledger.
 */
import { expect } from 'chai';
import { citizenWithIdCard } from '../support/citizen-wallet';
import { startTestServer, type TestServer } from '../support/registry-server';
import { ifStarted } from '../support/defined';

describe('presentations: per-counter caps on open requests and event streams', function () {
  this.timeout(120000);
  let server: TestServer;
  let scCounter: string;

  const ask = (key = scCounter) => server.api('POST', '/api/v1/presentation-requests', { key, body: { service: 'identity-check' } });
  const openStream = (id: string, signal?: AbortSignal) =>
    fetch(`${server.url}/api/v1/presentation-requests/${id}/events`, { headers: { authorization: `Bearer ${scCounter}` }, signal });

  before(async () => {
    server = await startTestServer({ COUNTER_MAX_OPEN_REQUESTS: '3', COUNTER_MAX_STREAMS: '2' });
    scCounter = server.counterKey('510000');
  });
  after(() => ifStarted(server, (started) => started.remove()));

  it('a counter holds at most COUNTER_MAX_STREAMS event streams; a closed page gives its place back', async () => {
    const created = await ask();
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    // A stream for a request that does not exist is refused (404) and keeps no place.
    for (let tries = 0; tries < 3; tries++) expect((await openStream('A'.repeat(22))).status).to.equal(404);
    const first = new AbortController();
    const streams = [await openStream(id, first.signal), await openStream(id)];
    expect(streams.map((stream) => stream.status)).to.deep.equal([200, 200]);
    const third = await openStream(id);
    expect(third.status).to.equal(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).to.equal('TOO_MANY_STREAMS');
    first.abort();
    let again = await openStream(id);
    for (let tries = 0; again.status === 429 && tries < 40; tries++) {
      await again.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await openStream(id);
    }
    expect(again.status, 'the aborted stream was not released').to.equal(200);
    await again.body?.cancel();
    await streams[1]?.body?.cancel();
  });

  it('a counter holds at most COUNTER_MAX_OPEN_REQUESTS pending requests; answered and expired ones do not count', async () => {
    // One is pending from the test above; two more reach the cap of 3.
    expect((await ask()).status).to.equal(201);
    const last = await ask();
    expect(last.status).to.equal(201);
    const refused = await ask();
    expect(refused.status).to.equal(429);
    expect(refused.body.error.code).to.equal('TOO_MANY_OPEN_REQUESTS');
    // Another counter has its own cap.
    expect((await ask(server.counterKey('330000'))).status).to.equal(201);
    // The citizen answers one: its place is free again.
    const citizen = await citizenWithIdCard(server, server.agencyKey('zj-psb'));
    expect(await citizen.wallet.answerRequest(last.body.uri as string, { approve: () => true })).to.include({ status: 200 });
    expect((await ask()).status).to.equal(201);
    expect((await ask()).status).to.equal(429);
    // Past their expiry none of them counts.
    server.setClockOffset((server.config.presentationRequestTtlSeconds + 1) * 1000);
    try {
      expect((await ask()).status).to.equal(201);
    } finally {
      server.setClockOffset(0);
    }
  });
});
