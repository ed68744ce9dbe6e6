/**
 * Province administration over HTTP, as Zhejiang's administrator uses it: onboard an agency on
 * the ledger, let it issue, suspend it, rotate its key (old credentials still verify), set up a
 * counter with its services and delete one, issue and revoke API keys — and what another province's
 * administrator, an agency, a counter and a revoked key get back. Plus the admin CLI on a stopped
 * node's data folder, and DEMO=false.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../server/src/config';
import { startServer } from '../../server/src/server';
import { citizenWithIdCard } from '../support/citizen-wallet';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { tempDir } from '../support/temp-dir';

const run = promisify(execFile);

describe('registry HTTP API: province administration', function () {
  this.timeout(120000);
  let server: TestServer;
  let zjAdmin: string;
  let scAdmin: string;

  before(async () => {
    server = await startTestServer();
    const admins = server.demo.admins;
    zjAdmin = admins.find((admin) => admin.province === '330000')?.apiKey ?? '';
    scAdmin = admins.find((admin) => admin.province === '510000')?.apiKey ?? '';
  });
  after(async () => (server as TestServer | undefined)?.remove());

  it('writes the demo keys, admins included, to a 0600 demo.json', () => {
    const path = join(server.dataDir, 'demo.json');
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(zjAdmin).to.match(/^elk_[0-9a-f]{16}_/);
    expect(scAdmin).to.match(/^elk_[0-9a-f]{16}_/);
  });

  it('tells anyone what the node is, and a key holder who it is', async () => {
    const node = await server.api('GET', '/api/v1/node');
    expect(node.status).to.equal(200);
    expect(node.body).to.deep.include({ ledger: 'embedded', store: 'PGlite' });
    expect(node.body.provinces.map((province: { code: string }) => province.code)).to.deep.equal(['330000', '510000']);
    expect((await server.api('GET', '/api/v1/me', { key: zjAdmin })).body).to.deep.equal({ kind: 'admin', province: '330000' });
    expect((await server.api('GET', '/api/v1/me', { key: server.agencyKey('zj-psb') })).body).to.include({ kind: 'agency', id: 'zj-psb' });
    expect((await server.api('GET', '/api/v1/me')).body).to.deep.equal({ kind: 'public' });
  });

  it('onboards an agency on the ledger; its new key issues an ID card', async () => {
    const created = await server.api('POST', '/api/v1/admin/agencies', {
      key: zjAdmin,
      body: { id: 'zj-nb-psb', name: '宁波市公安局', licenseTypes: ['id-card'] },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.txId).to.match(/^[0-9a-f]{64}$/);
    expect(created.body).to.include({ id: 'zj-nb-psb', province: '330000', status: 'active', issuesHere: true });
    const issuers = await server.api('GET', '/api/v1/trust/issuers');
    expect(issuers.body.issuers.map((issuer: { id: string }) => issuer.id)).to.include('zj-nb-psb');

    const key = await server.api('POST', '/api/v1/admin/api-keys', { key: zjAdmin, body: { kind: 'agency', principalId: 'zj-nb-psb' } });
    expect(key.status, JSON.stringify(key.body)).to.equal(201);
    expect(key.headers.get('cache-control')).to.equal('no-store');
    expect(key.body.token).to.match(new RegExp(`^elk_${key.body.id}_`));
    const issued = await server.api('POST', '/api/v1/licenses', { key: key.body.token, body: idCardBody() });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);

    const listed = await server.api('GET', '/api/v1/admin/api-keys', { key: zjAdmin });
    const row = listed.body.apiKeys.find((candidate: { id: string }) => candidate.id === key.body.id);
    expect(row).to.include({ kind: 'agency', principalId: 'zj-nb-psb', revokedAt: null });
    expect(JSON.stringify(listed.body)).not.to.include(key.body.token.slice(22));
  });

  it('suspends an agency on the ledger: it cannot issue until reinstated', async () => {
    const key = (await server.api('POST', '/api/v1/admin/api-keys', { key: zjAdmin, body: { kind: 'agency', principalId: 'zj-nb-psb' } })).body.token;
    const suspended = await server.api('POST', '/api/v1/admin/agencies/zj-nb-psb', { key: zjAdmin, body: { status: 'suspended' } });
    expect(suspended.status, JSON.stringify(suspended.body)).to.equal(200);
    expect(suspended.body).to.include({ status: 'suspended' });
    expect(suspended.body.txId).to.match(/^[0-9a-f]{64}$/);
    const refused = await server.api('POST', '/api/v1/licenses', { key, body: idCardBody() });
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal('AGENCY_INACTIVE');
    const reinstated = await server.api('POST', '/api/v1/admin/agencies/zj-nb-psb', { key: zjAdmin, body: { status: 'active' } });
    expect(reinstated.body.status).to.equal('active');
    expect((await server.api('POST', '/api/v1/licenses', { key, body: idCardBody() })).status).to.equal(201);
  });

  it('changes the license types an agency may issue', async () => {
    const changed = await server.api('POST', '/api/v1/admin/agencies/zj-nb-psb', { key: zjAdmin, body: { licenseTypes: ['id-card', 'business-license'] } });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect(changed.body.licenseTypes).to.deep.equal(['id-card', 'business-license']);
    const unknown = await server.api('POST', '/api/v1/admin/agencies/zj-nb-psb', { key: zjAdmin, body: { licenseTypes: ['fishing-permit'] } });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error).to.include({ code: 'INVALID_FIELD', field: 'licenseTypes.0' });
  });

  it('rotates a signing key: the old key stays resolvable and its credentials still verify', async () => {
    const token = (await server.api('POST', '/api/v1/admin/api-keys', { key: zjAdmin, body: { kind: 'agency', principalId: 'zj-nb-psb' } })).body.token;
    const before = await server.api('POST', '/api/v1/licenses', { key: token, body: idCardBody() });
    expect(before.status).to.equal(201);
    const rotated = await server.api('POST', '/api/v1/admin/agencies/zj-nb-psb/rotate-key', { key: zjAdmin });
    expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
    expect(rotated.body.txId).to.match(/^[0-9a-f]{64}$/);
    const statuses = rotated.body.keys.map((key: { status: string }) => key.status);
    expect(statuses.filter((status: string) => status === 'active')).to.have.length(1);
    expect(statuses).to.include('retired');
    const counter = server.counterKey('330000');
    const old = await server.api('POST', '/api/v1/verify', { key: counter, body: { credential: before.body.credential } });
    expect(old.body.verdict, JSON.stringify(old.body.checks)).to.equal('valid');
    const after = await server.api('POST', '/api/v1/licenses', { key: token, body: idCardBody() });
    expect(after.status).to.equal(201);
    const fresh = await server.api('POST', '/api/v1/verify', { key: counter, body: { credential: after.body.credential } });
    expect(fresh.body.verdict).to.equal('valid');
  });

  it('creates a counter with its services as data; its key signs in as that counter', async () => {
    const service = {
      id: 'hotel',
      names: { zh: '酒店入住', en: 'Hotel check-in' },
      licenseType: 'id-card',
      claims: ['name', 'age_equal_or_over/18'],
      acceptsUnbound: false,
    };
    const saved = await server.api('POST', '/api/v1/admin/counters', {
      key: zjAdmin,
      body: { id: 'zj-nb-counter', name: '宁波市民中心', services: [service] },
    });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(200);
    expect(saved.body).to.deep.include({ id: 'zj-nb-counter', province: '330000', services: [service] });
    const listed = await server.api('GET', '/api/v1/admin/counters', { key: zjAdmin });
    expect(listed.body.counters.map((counter: { id: string }) => counter.id)).to.include('zj-nb-counter');
    const token = (await server.api('POST', '/api/v1/admin/api-keys', { key: zjAdmin, body: { kind: 'counter', principalId: 'zj-nb-counter' } })).body.token;
    expect((await server.api('GET', '/api/v1/me', { key: token })).body).to.deep.include({ kind: 'counter', id: 'zj-nb-counter' });
    // The presentations flow reads the same services: the counter asks for exactly these claims.
    const own = await server.api('GET', '/api/v1/counter/services', { key: token });
    expect(own.body.services.map((row: { id: string; claims: string[] }) => [row.id, row.claims])).to.deep.equal([['hotel', service.claims]]);
    const bad = await server.api('POST', '/api/v1/admin/counters', {
      key: zjAdmin,
      body: { id: 'zj-nb-counter', name: 'x', services: [{ ...service, licenseType: 'nope' }] },
    });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.field).to.equal('services.0.licenseType');
  });

  it('deletes one service of a counter: gone from both lists, refused for new requests, a request already shown is still answered', async () => {
    const hotel = {
      id: 'hotel',
      names: { zh: '酒店入住', en: 'Hotel check-in' },
      licenseType: 'id-card',
      claims: ['name', 'age_equal_or_over/18'],
      acceptsUnbound: false,
    };
    const identity = { id: 'identity', names: { zh: '身份核验', en: 'Identity check' }, licenseType: 'id-card', claims: ['name'], acceptsUnbound: true };
    const saved = await server.api('POST', '/api/v1/admin/counters', {
      key: zjAdmin,
      body: { id: 'zj-nb-desk', name: '宁波服务台', services: [hotel, identity] },
    });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(200);
    const counterKey = (await server.api('POST', '/api/v1/admin/api-keys', { key: zjAdmin, body: { kind: 'counter', principalId: 'zj-nb-desk' } })).body.token;
    const citizen = await citizenWithIdCard(server, server.agencyKey('zj-psb'));
    // Shown on the counter's screen before the administrator removes the service.
    const shown = await server.api('POST', '/api/v1/presentation-requests', { key: counterKey, body: { service: 'hotel' } });
    expect(shown.status, JSON.stringify(shown.body)).to.equal(201);

    const deleted = await server.api('DELETE', '/api/v1/admin/counters/zj-nb-desk/services/hotel', { key: zjAdmin });
    expect(deleted.status, JSON.stringify(deleted.body)).to.equal(200);
    expect(deleted.body).to.deep.include({ id: 'zj-nb-desk', services: [identity] });
    const listed = await server.api('GET', '/api/v1/admin/counters', { key: zjAdmin });
    const desk = listed.body.counters.find((counter: { id: string }) => counter.id === 'zj-nb-desk');
    expect(desk.services.map((service: { id: string }) => service.id)).to.deep.equal(['identity']);
    const offered = await server.api('GET', '/api/v1/counter/services', { key: counterKey });
    expect(offered.body.services.map((service: { id: string }) => service.id)).to.deep.equal(['identity']);

    const refused = await server.api('POST', '/api/v1/presentation-requests', { key: counterKey, body: { service: 'hotel' } });
    expect(refused.status).to.equal(400);
    expect(refused.body.error).to.include({ code: 'INVALID_FIELD', field: 'service' });
    // The holder at the window still finishes: the request kept what it asked when it was made.
    const answered = await citizen.wallet.answerRequest(shown.body.uri, { approve: () => true });
    expect(answered.answered).to.equal(true);
    const state = await server.api('GET', `/api/v1/presentation-requests/${shown.body.id}`, { key: counterKey });
    expect(state.body).to.deep.include({ status: 'presented', service: 'hotel', claims: hotel.claims });
    expect(state.body.verdict.verdict, JSON.stringify(state.body.verdict.checks)).to.equal('valid');

    const again = await server.api('DELETE', '/api/v1/admin/counters/zj-nb-desk/services/hotel', { key: zjAdmin });
    expect(again.status).to.equal(404);
    expect(again.body.error.code).to.equal('NOT_FOUND');
    const unknownCounter = await server.api('DELETE', '/api/v1/admin/counters/zj-nobody/services/identity', { key: zjAdmin });
    expect(unknownCounter.status).to.equal(404);
    const malformed = await server.api('DELETE', '/api/v1/admin/counters/zj-nb-desk/services/Not_A_Service', { key: zjAdmin });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.equal('INVALID_ARGUMENT');
    const otherProvince = await server.api('DELETE', '/api/v1/admin/counters/zj-nb-desk/services/identity', { key: scAdmin });
    expect(otherProvince.status).to.equal(403);
    expect(otherProvince.body.error.code).to.equal('WRONG_PROVINCE');
    const kept = await server.api('GET', '/api/v1/counter/services', { key: counterKey });
    expect(kept.body.services.map((service: { id: string }) => service.id)).to.deep.equal(['identity']);
  });

  it('revokes an API key: refused on the very next request', async () => {
    const issued = (await server.api('POST', '/api/v1/admin/api-keys', { key: zjAdmin, body: { kind: 'counter', principalId: 'zj-nb-counter' } })).body;
    expect((await server.api('GET', '/api/v1/me', { key: issued.token })).status).to.equal(200);
    const revoked = await server.api('POST', `/api/v1/admin/api-keys/${issued.id}/revoke`, { key: zjAdmin });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    expect(revoked.body.revokedAt).to.be.a('string');
    const refused = await server.api('GET', '/api/v1/me', { key: issued.token });
    expect(refused.status).to.equal(401);
    expect(refused.body.error.code).to.equal('UNAUTHENTICATED');
  });

  it("refuses another province's administrator on everything of this province", async () => {
    const ids = (await server.api('GET', '/api/v1/admin/api-keys', { key: zjAdmin })).body.apiKeys.map((key: { id: string }) => key.id);
    const attempts: Array<[string, string, unknown?]> = [
      ['POST', '/api/v1/admin/agencies/zj-nb-psb', { status: 'suspended' }],
      ['POST', '/api/v1/admin/agencies/zj-psb/rotate-key'],
      ['POST', '/api/v1/admin/counters', { id: 'zj-nb-counter', name: 'taken over', services: [] }],
      ['DELETE', '/api/v1/admin/counters/zj-nb-counter/services/hotel'],
      ['POST', '/api/v1/admin/api-keys', { kind: 'agency', principalId: 'zj-psb' }],
      ['POST', '/api/v1/admin/api-keys', { kind: 'admin', principalId: '330000' }],
      ['POST', `/api/v1/admin/api-keys/${ids[0]}/revoke`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await server.api(method, path, { key: scAdmin, body });
      expect(response.status, `${path}: ${JSON.stringify(response.body)}`).to.equal(403);
      expect(response.body.error.code).to.equal('WRONG_PROVINCE');
    }
    const seen = await server.api('GET', '/api/v1/admin/agencies', { key: scAdmin });
    expect(seen.body.agencies.map((agency: { id: string }) => agency.id)).to.deep.equal(['sc-nr']);
    const counters = await server.api('GET', '/api/v1/admin/counters', { key: scAdmin });
    expect(counters.body.counters.map((counter: { id: string }) => counter.id)).not.to.include('zj-nb-counter');
    // An id another province already holds is refused before any key is made for it.
    const taken = await server.api('POST', '/api/v1/admin/agencies', { key: scAdmin, body: { id: 'zj-psb', name: 'x', licenseTypes: ['id-card'] } });
    expect(taken.status).to.equal(409);
    expect(taken.body.error.code).to.equal('AGENCY_EXISTS');
    const stillIssues = await server.api('POST', '/api/v1/licenses', { key: server.agencyKey('zj-psb'), body: idCardBody() });
    expect(stillIssues.status).to.equal(201);
  });

  it('refuses agencies, counters, the public and malformed input on admin routes', async () => {
    for (const [key, status] of [
      [server.agencyKey('zj-psb'), 403],
      [server.counterKey('330000'), 403],
      [undefined, 401],
    ] as const) {
      const response = await server.api('GET', '/api/v1/admin/agencies', { key });
      expect(response.status).to.equal(status);
    }
    const badId = await server.api('POST', '/api/v1/admin/agencies', { key: zjAdmin, body: { id: 'a b', name: 'x', licenseTypes: ['id-card'] } });
    expect(badId.status).to.equal(400);
    expect(badId.body.error.field).to.equal('id');
    const empty = await server.api('POST', '/api/v1/admin/agencies/zj-psb', { key: zjAdmin, body: {} });
    expect(empty.status).to.equal(400);
    const unknownAgency = await server.api('POST', '/api/v1/admin/agencies/zj-nobody/rotate-key', { key: zjAdmin });
    expect(unknownAgency.status).to.equal(404);
    const unknownCounter = await server.api('POST', '/api/v1/admin/api-keys', { key: zjAdmin, body: { kind: 'counter', principalId: 'zj-nobody' } });
    expect(unknownCounter.status).to.equal(404);
    const unknownKey = await server.api('POST', '/api/v1/admin/api-keys/0123456789abcdef/revoke', { key: zjAdmin });
    expect(unknownKey.status).to.equal(404);
  });

  it('lists an agency its own licenses, newest first', async () => {
    const key = server.agencyKey('zj-psb');
    const issued = await server.api('POST', '/api/v1/licenses', { key, body: idCardBody() });
    const listed = await server.api('GET', '/api/v1/licenses?limit=2', { key });
    expect(listed.status).to.equal(200);
    expect(listed.body.licenses).to.have.length(2);
    expect(listed.body.licenses[0]).to.include({ licenseId: issued.body.licenseId, type: 'id-card', state: 'anchored' });
    const next = await server.api('GET', `/api/v1/licenses?limit=200&before=${encodeURIComponent(listed.body.licenses[1].createdAt)}`, { key });
    expect(next.body.licenses.map((row: { licenseId: string }) => row.licenseId)).not.to.include(issued.body.licenseId);
    expect((await server.api('GET', '/api/v1/licenses?limit=0', { key })).status).to.equal(400);
  });

  it("keeps a demo counter's services deleted across a restart: the demo seeds them once, not at every start", async () => {
    const counter = server.demo.counters.find((candidate) => candidate.province === '330000') ?? expect.fail('no Zhejiang demo counter');
    const seeded = await server.api('GET', '/api/v1/counter/services', { key: counter.apiKey });

    describe('admin CLI and DEMO=false', function () {
      // Each command opens the node's store and ledger, as a stopped node's operator would.
      this.timeout(300000);
      const dir = tempDir('elicense-admin-cli-');
      after(() => dir.remove());
      const env = { ...process.env, DATA_DIR: dir.path, WALLET_DIR: join(dir.path, 'wallet'), DEMO: 'false', PORT: '0' };
      const cli = async (...args: string[]) =>
        JSON.parse((await run(process.execPath, ['dist/scripts/admin.js', ...args], { env })).stdout) as Record<string, unknown>;

      it('provisions a node without the demo: an admin key, an agency, a counter (one of its services deleted); then the server takes them', async () => {
        const adminKey = await cli('admin-key', '--province', '330000');
        expect(adminKey.token).to.match(/^elk_/);
        const agency = await cli('create-agency', '--province', '330000', 'zj-hz-psb', '杭州市公安局', 'id-card');
        expect(agency.txId).to.match(/^[0-9a-f]{64}$/);
        const agencyKey = await cli('issue-key', '--province', '330000', 'agency', 'zj-hz-psb');
        const services = join(dir.path, 'services.json');
        const service = (id: string) => ({ id, names: { zh: id, en: id }, licenseType: 'id-card', claims: ['name'], acceptsUnbound: true });
        writeFileSync(services, JSON.stringify([service('identity'), service('library')]));
        await cli('save-counter', '--province', '330000', 'zj-hz-counter', '杭州窗口', services);
        const trimmed = await cli('delete-service', '--province', '330000', 'zj-hz-counter', 'library');
        expect((trimmed.services as Array<{ id: string }>).map((row) => row.id)).to.deep.equal(['identity']);
        const counterKey = await cli('issue-key', '--province', '330000', 'counter', 'zj-hz-counter');
        expect(existsSync(join(dir.path, 'demo.json'))).to.equal(false);

        const running = await startServer(loadConfig(env), { log: () => undefined });
        try {
          const call = (path: string, key: unknown, body?: unknown) =>
            fetch(`${running.url}${path}`, {
              method: body === undefined ? 'GET' : 'POST',
              headers: { authorization: `Bearer ${String(key)}`, 'content-type': 'application/json' },
              body: body === undefined ? undefined : JSON.stringify(body),
            });
          expect(await (await call('/api/v1/me', adminKey.token)).json()).to.deep.equal({ kind: 'admin', province: '330000' });
          expect((await call('/api/v1/licenses', agencyKey.token, idCardBody())).status).to.equal(201);
          expect(((await (await call('/api/v1/me', counterKey.token)).json()) as { id: string }).id).to.equal('zj-hz-counter');
          const offered = (await (await call('/api/v1/counter/services', counterKey.token)).json()) as { services: Array<{ id: string }> };
          expect(offered.services.map((row) => row.id)).to.deep.equal(['identity']);
        } finally {
          await running.close();
        }
        const revoked = await cli('revoke-key', '--province', '330000', String(counterKey.id));
        expect(revoked.revokedAt).to.be.a('string');
      });
    });
    const ids = seeded.body.services.map((service: { id: string }) => service.id) as string[];
    expect(ids).to.include('hotel-check-in');
    for (const id of ids) expect((await server.api('DELETE', `/api/v1/admin/counters/${counter.id}/services/${id}`, { key: zjAdmin })).status).to.equal(200);
    await server.restart();
    const restarted = await server.api('GET', '/api/v1/counter/services', { key: counter.apiKey });
    expect(restarted.body.services).to.deep.equal([]);
  });
});
