/**
 * What survives: a restart keeps every license verifiable and every demo key; an issuance cut off
 * by a ledger outage or a SIGKILL is finished or refused, never lost or doubled; a counter facing
 * an unreachable ledger is told "indeterminate", never "valid". Also the public rate limit, and
 * the whole server on the PostgreSQL server instead of PGlite.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { LicenseAnchor } from '../../core/anchor';
import { loadConfig } from '../../server/src/config';
import { startServer } from '../../server/src/server';
import { startTestServer, type TestServer } from '../support/registry-server';
import { spawnServer } from '../support/server-process';
import { idCardBody } from '../support/requests';
import { tempDir } from '../support/temp-dir';
import { defined, ifStarted } from '../support/defined';

describe('registry HTTP API: durability', function () {
  this.timeout(120000);

  describe('restart', () => {
    let server: TestServer;
    after(() => ifStarted(server, (started) => started.remove()));

    it('keeps every license verifiable and every demo key unchanged', async () => {
      server = await startTestServer();
      const key = server.agencyKey('zj-psb');
      const demoBefore = readFileSync(join(server.dataDir, 'demo.json'), 'utf8');
      const issued = await Promise.all(Array.from({ length: 5 }, () => server.api('POST', '/api/v1/licenses', { key, body: idCardBody() })));
      await server.api('POST', `/api/v1/licenses/${defined(issued[0]).body.licenseId}/revoke`, { key, body: { reason: 'lost' } });
      await server.restart();
      expect(readFileSync(join(server.dataDir, 'demo.json'), 'utf8')).to.equal(demoBefore);
      expect(server.running.registry.demo).to.equal(null);
      const verdicts = await Promise.all(
        issued.map((r) => server.api('POST', '/api/v1/verify', { key: server.counterKey('510000'), body: { credential: r.body.credential } })),
      );
      expect(verdicts.map((v) => v.body.verdict)).to.deep.equal(['invalid', 'valid', 'valid', 'valid', 'valid']);
      expect(verdicts[0]?.body.status).to.equal('revoked');
      // The keys from before the restart still work.
      expect((await server.api('POST', '/api/v1/licenses', { key, body: idCardBody() })).status).to.equal(201);
    });

    it('refuses a second process on the same DATA_DIR with a clear message', async () => {
      let refused: Error | null = null;
      try {
        await startServer(loadConfig({ PORT: '0', DATA_DIR: server.dataDir, WALLET_DIR: join(server.dataDir, 'wallet') }), { log: () => undefined });
      } catch (error) {
        refused = error as Error;
      }
      expect(refused?.message).to.match(/in use by process/);
      expect((await server.api('GET', '/healthz')).status).to.equal(200);
    });
  });

  describe('a ledger outage', () => {
    let server: TestServer;
    after(() => ifStarted(server, (started) => started.remove()));

    it('answers 503 and keeps the issuance, which completes after a restart and replays for the same Idempotency-Key', async () => {
      server = await startTestServer();
      const key = server.agencyKey('zj-psb');
      const body = idCardBody();
      const headers = { 'Idempotency-Key': 'outage-1' };
      // Before the outage: one credential verified, so its issuer key is cached; another never seen.
      const seen = (await server.api('POST', '/api/v1/licenses', { key, body: idCardBody() })).body;
      expect((await server.api('POST', '/api/v1/verify', { body: { credential: seen.credential } })).body.valid).to.equal(true);
      const unseen = (await server.api('POST', '/api/v1/licenses', { key, body: idCardBody() })).body;

      await server.running.registry.ledger.port.close();
      const during = await server.api('POST', '/api/v1/licenses', { key, body, headers });
      expect(during.status).to.equal(503);
      expect(during.body.error.code).to.equal('LEDGER_UNAVAILABLE');
      const verdict = await server.api('POST', '/api/v1/verify', { body: { credential: unseen.credential } });
      expect(verdict.status).to.equal(200);
      expect(verdict.body).to.include({ valid: false, verdict: 'indeterminate', reason: 'ledger-unavailable' });
      const health = await server.api('GET', '/healthz');
      expect(health.status).to.equal(503);
      expect(health.body.ledger).to.match(/unavailable/);

      await server.restart();
      const retried = await server.api('POST', '/api/v1/licenses', { key, body, headers });
      expect(retried.status).to.equal(201);
      expect(retried.headers.get('idempotent-replayed')).to.equal('true');
      const verified = await server.api('POST', '/api/v1/verify', { body: { credential: retried.body.credential } });
      expect(verified.body.valid).to.equal(true);
      const again = await server.api('POST', '/api/v1/licenses', { key, body, headers });
      expect(again.body.licenseId).to.equal(retried.body.licenseId);
    });
  });

  describe('SIGKILL during issuance', function () {
    // Three child starts: each creates or replays its ledger and store, slow on a loaded machine.
    this.timeout(600000);
    const dir = tempDir('elicense-kill-');
    after(() => dir.remove());

    const startChild = () => spawnServer({ DATA_DIR: dir.path, WALLET_DIR: join(dir.path, 'wallet') });

    it('loses no acknowledged license, leaves no anchor without its record, and never issues twice', async () => {
      const bodies = new Map<string, Record<string, unknown>>();
      const acknowledged = new Map<string, string>();
      for (let round = 0; round < 3; round++) {
        const { child, url, exited } = await startChild();
        const demo = JSON.parse(readFileSync(join(dir.path, 'demo.json'), 'utf8')) as { agencies: Array<{ id: string; apiKey: string }> };
        const key = defined(demo.agencies.find((agency) => agency.id === 'zj-psb')).apiKey;
        let stop = false;
        const client = async (worker: number) => {
          for (let i = 0; !stop; i++) {
            const idempotencyKey = `r${round}-w${worker}-${i}`;
            const body = idCardBody();
            bodies.set(idempotencyKey, body);
            try {
              const response = await fetch(`${url}/api/v1/licenses`, {
                method: 'POST',
                headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
                body: JSON.stringify(body),
              });
              if (response.status === 201) acknowledged.set(idempotencyKey, ((await response.json()) as { licenseId: string }).licenseId);
            } catch {
              return; // the server died under us
            }
          }
        };
        const before = acknowledged.size;
        const clients = Promise.all(Array.from({ length: 6 }, (_, worker) => client(worker)));
        // Kill only once this round acknowledged an issuance, so every kill lands mid-issuance
        // however slow the machine, then at a random instant after.
        while (acknowledged.size === before) await new Promise((resolve) => setTimeout(resolve, 10));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 900));
        child.kill('SIGKILL');
        stop = true;
        await clients;
        await exited;
      }
      expect(acknowledged.size, 'one acknowledged issuance per round at least').to.be.at.least(3);

      // Restart in-process on the same data: recovery runs, then every request is retried.
      const server = await startTestServer({}, dir.path);
      try {
        const key = server.agencyKey('zj-psb');
        const licenseIds = new Set<string>();
        for (const [idempotencyKey, body] of bodies) {
          const retry = await server.api('POST', '/api/v1/licenses', { key, body, headers: { 'Idempotency-Key': idempotencyKey } });
          expect(retry.status, JSON.stringify(retry.body)).to.equal(201);
          if (acknowledged.has(idempotencyKey)) expect(retry.body.licenseId).to.equal(acknowledged.get(idempotencyKey));
          licenseIds.add(retry.body.licenseId);
          const verdict = await server.api('POST', '/api/v1/verify', { key: server.counterKey('330000'), body: { credential: retry.body.credential } });
          expect(verdict.body.valid, `${idempotencyKey}: ${JSON.stringify(verdict.body.checks)}`).to.equal(true);
        }
        expect(licenseIds.size, 'one license per request').to.equal(bodies.size);
        // Every anchor the ledger holds for zj-psb has its record in the store, anchored.
        const registry = server.running.registry;
        const reader = defined(registry.nodes[0]).readerIdentity;
        let bookmark = '';
        let anchors = 0;
        do {
          const page = JSON.parse(
            (
              await registry.ledger.port.evaluate(reader, 'license:QueryLicenses', [JSON.stringify({ by: 'issuer', value: 'zj-psb', pageSize: 500, bookmark })])
            ).toString(),
          ) as { licenses: LicenseAnchor[]; bookmark: string };
          for (const anchor of page.licenses) {
            const row = await registry.store.getLicense(anchor.id);
            expect(row?.state, `anchor ${anchor.id} lacks its record`).to.equal('anchored');
            expect(row?.docHash).to.equal(anchor.docHash);
            anchors += 1;
          }
          bookmark = page.bookmark;
        } while (bookmark);
        expect(anchors).to.equal(licenseIds.size);
        expect(await registry.store.listLicensesByState('pending', 10)).to.have.length(0);
      } finally {
        await server.stop();
      }
    });
  });

  describe('public rate limit', () => {
    let server: TestServer;
    after(() => ifStarted(server, (started) => started.remove()));

    it('answers 429 with Retry-After past the limit, and never limits a counter key', async () => {
      server = await startTestServer({ PUBLIC_RATE_LIMIT: '5' });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await server.api('GET', '/api/v1/trust/issuers')).status);
      expect(statuses.slice(0, 5)).to.deep.equal([200, 200, 200, 200, 200]);
      const limited = await server.api('GET', '/api/v1/trust/issuers');
      expect(limited.status).to.equal(429);
      expect(limited.body.error.code).to.equal('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
      const counter = await server.api('POST', '/api/v1/verify', { key: server.counterKey('330000'), body: { credential: 'x' } });
      expect(counter.status).to.equal(200);
      expect((await server.api('POST', '/api/v1/verify', { body: { credential: 'x' } })).status).to.equal(429);
    });
  });

  describe('authentication failures', () => {
    let server: TestServer;
    after(() => ifStarted(server, (started) => started.remove()));
    const wrongKey = () => `elk_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

    it('answers 429 past the failure limit per client address (behind a trusted proxy), even for a right key, and only there', async () => {
      server = await startTestServer({ AUTH_FAILURE_LIMIT: '5', TRUST_PROXY: 'loopback' });
      const from = (address: string) => ({ 'X-Forwarded-For': address });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await server.api('GET', '/api/v1/license-types', { key: wrongKey(), headers: from('203.0.113.7') })).status);
      expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429, 429, 429]);
      const blocked = await server.api('GET', '/api/v1/license-types', { key: server.agencyKey('zj-psb'), headers: from('203.0.113.7') });
      expect(blocked.status).to.equal(429);
      expect(blocked.body.error.code).to.equal('RATE_LIMITED');
      expect(Number(blocked.headers.get('retry-after'))).to.be.greaterThan(0);
      // Another client behind the same proxy is not punished for it.
      expect((await server.api('GET', '/api/v1/license-types', { key: server.agencyKey('zj-psb'), headers: from('203.0.113.8') })).status).to.equal(200);
      expect((await server.api('GET', '/api/v1/license-types', { key: wrongKey(), headers: from('203.0.113.8') })).status).to.equal(401);
    });

    it('looks an unknown key id up once, as a known one, so repeating a guess costs the store nothing', async () => {
      const store = server.running.registry.store;
      const getApiKey = store.getApiKey.bind(store);
      let lookups = 0;
      store.getApiKey = (id) => {
        lookups += 1;
        return getApiKey(id);
      };
      try {
        const guess = wrongKey();
        for (let i = 0; i < 3; i++) {
          const response = await server.api('GET', '/api/v1/license-types', { key: guess, headers: { 'X-Forwarded-For': '203.0.113.9' } });
          expect(response.status).to.equal(401);
        }
        expect(lookups).to.equal(1);
      } finally {
        store.getApiKey = getApiKey;
      }
    });
  });

  describe('revoking an API key', () => {
    let server: TestServer;
    after(() => ifStarted(server, (started) => started.remove()));

    it('refuses the key from the next request on, even when the revocation overtook a look-up of that key', async () => {
      server = await startTestServer();
      const { principals, store } = server.running.registry;
      const issued = await principals.createApiKey('agency', 'zj-psb', '330000');
      // A look-up that read the key before the revocation and finishes after it.
      const getApiKey = store.getApiKey.bind(store);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let read: () => void = () => undefined;
      const hasRead = new Promise<void>((resolve) => (read = resolve));
      store.getApiKey = async (id) => {
        const row = await getApiKey(id);
        if (id === issued.id) {
          read();
          await gate;
        }
        return row;
      };
      const inFlight = server.api('GET', '/api/v1/license-types', { key: issued.token });
      await hasRead;
      await principals.revokeApiKey(issued.id);
      release();
      await inFlight;
      store.getApiKey = getApiKey;
      const after = await server.api('POST', '/api/v1/licenses', { key: issued.token, body: idCardBody() });
      expect(after.status).to.equal(401);
      expect(after.body.error.code).to.equal('UNAUTHENTICATED');
    });

    it('refuses a cached key at once after its revocation', async () => {
      const { principals } = server.running.registry;
      const counter = server.demo.counters.find((candidate) => candidate.province === '330000');
      if (!counter) throw new Error('the demo has no Zhejiang counter');
      const issued = await principals.createApiKey('counter', counter.id, counter.province);
      expect((await server.api('POST', '/api/v1/verify', { key: issued.token, body: { credential: 'x' } })).status).to.equal(200);
      await principals.revokeApiKey(issued.id);
      expect((await server.api('POST', '/api/v1/verify', { key: issued.token, body: { credential: 'x' } })).status).to.equal(401);
    });
  });

  describe('on the PostgreSQL server', () => {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `elicense_http_${process.pid}_${Date.now()}`;
    let server: TestServer | undefined;
    // Set only once the server answered: `after` runs even when `before` skipped the suite.
    let reachable = false;

    before(async function () {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      try {
        await client.connect();
        await client.end();
        reachable = true;
      } catch (error) {
        if (process.env.DATABASE_URL) throw error;
        console.log(`    PostgreSQL tests skipped: no server at ${url} (${(error as Error).message}); set DATABASE_URL`);
        this.skip();
      }
    });
    after(async () => {
      await server?.remove();
      if (!reachable) return;
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      await client
        .connect()
        .then(() => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
        .finally(() => client.end());
    });

    it('issues, verifies and restarts with DATABASE_URL instead of PGlite', async () => {
      server = await startTestServer({ DATABASE_URL: url, DATABASE_SCHEMA: schema });
      const issued = await server.api('POST', '/api/v1/licenses', { key: server.agencyKey('zj-psb'), body: idCardBody() });
      expect(issued.status).to.equal(201);
      await server.restart();
      const verdict = await server.api('POST', '/api/v1/verify', { key: server.counterKey('510000'), body: { credential: issued.body.credential } });
      expect(verdict.body.valid).to.equal(true);
      const row = await server.running.registry.store.getLicense(issued.body.licenseId);
      expect(row?.state).to.equal('anchored');
    });
  });
});
