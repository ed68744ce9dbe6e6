/**
 * The registry over HTTP, as an agency clerk and the public use it: issuing with real check
 * digits, idempotent retries, the lifecycle, public status and history, the trust registry, the
 * type catalogue, the OpenAPI document, and what hostile input gets back.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { canonicalize } from '../../core/canonical-json';
import { citizenIdCheckDigit } from '../../core/citizen-id';
import { makeBusinessLicenseRequest, makePropertyCertificateRequest } from '../../core/license-types';
import { ROUTES } from '../../server/src/http/http-app';
import { openApiPath } from '../../server/src/http/openapi';
import { startTestServer, type TestServer } from '../support/registry-server';
import { allFiles, personalDataNeedles, scanDirectory } from '../support/privacy-scan';
import { idCardBody } from '../support/requests';
import { ifStarted } from '../support/defined';

describe('registry HTTP API: licenses', function () {
  this.timeout(60000);
  let server: TestServer;
  let zjPsb: string;
  let zjAmr: string;
  let scNr: string;

  before(async () => {
    server = await startTestServer();
    zjPsb = server.agencyKey('zj-psb');
    zjAmr = server.agencyKey('zj-amr');
    scNr = server.agencyKey('sc-nr');
  });
  after(() => ifStarted(server, (started) => started.remove()));

  describe('issuing', () => {
    it('issues an ID card: anchored, with a credential and QR links', async () => {
      const response = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() });
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      const body = response.body;
      expect(body.licenseId).to.match(/^330000-[0-9A-HJKMNP-TV-Z]{13}$/);
      expect(body).to.include({ type: 'id-card', status: 'active' });
      expect(body.docHash).to.match(/^[0-9a-f]{64}$/);
      expect(body.anchor.txId).to.match(/^[0-9a-f]{64}$/);
      expect(body.anchor.blockNumber).to.be.a('number').greaterThan(0);
      expect(body.credential).to.be.a('string').and.match(/~$/);
      expect(body.qr).to.deep.equal({ png: `/api/v1/licenses/${body.licenseId}/qr.png`, svg: `/api/v1/licenses/${body.licenseId}/qr.svg` });

      const status = await server.api('GET', `/api/v1/licenses/${body.licenseId}/status`, { key: zjPsb });
      expect(status.body).to.include({ id: body.licenseId, status: 'active', docHash: body.docHash });
    });

    it('issues a business license and a property certificate in their own provinces', async () => {
      const business = await server.api('POST', '/api/v1/licenses', { key: zjAmr, body: makeBusinessLicenseRequest(7, { province: '330000' }) });
      expect(business.status, JSON.stringify(business.body)).to.equal(201);
      const property = await server.api('POST', '/api/v1/licenses', { key: scNr, body: makePropertyCertificateRequest(7, { province: '510000' }) });
      expect(property.status, JSON.stringify(property.body)).to.equal(201);
      expect(property.body.licenseId).to.match(/^510000-/);
    });

    it('names the field when a check digit is wrong', async () => {
      const body = idCardBody();
      const holder = body.holder as { idNumber: string };
      const good = holder.idNumber;
      const wrong = citizenIdCheckDigit(good.slice(0, 17)) === '1' ? '2' : '1';
      holder.idNumber = good.slice(0, 17) + wrong;
      const response = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body });
      expect(response.status).to.equal(400);
      expect(response.body.error).to.include({ code: 'INVALID_FIELD', field: 'holder.idNumber' });
      expect(response.body.error.message).to.match(/check digit/);
    });

    it('refuses a type the agency may not issue, and unknown types', async () => {
      const wrongType = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: makeBusinessLicenseRequest(8, { province: '330000' }) });
      expect(wrongType.status).to.equal(403);
      expect(wrongType.body.error.code).to.equal('TYPE_NOT_ALLOWED');
      const unknown = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: { ...idCardBody(), type: 'fishing-permit' } });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.code).to.equal('UNKNOWN_LICENSE_TYPE');
    });

    it('refuses issuing without a key, with a wrong key, and with a counter key', async () => {
      const none = await server.api('POST', '/api/v1/licenses', { body: idCardBody() });
      expect(none.status).to.equal(401);
      expect(none.body.error.code).to.equal('UNAUTHENTICATED');
      const forged = zjPsb.slice(0, -4) + (zjPsb.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const wrong = await server.api('POST', '/api/v1/licenses', { key: forged, body: idCardBody() });
      expect(wrong.status).to.equal(401);
      const counter = await server.api('POST', '/api/v1/licenses', { key: server.counterKey('330000'), body: idCardBody() });
      expect(counter.status).to.equal(403);
      expect(counter.body.error.code).to.equal('FORBIDDEN');
    });

    it('returns the first result for a retried Idempotency-Key instead of issuing twice', async () => {
      const body = idCardBody();
      const headers = { 'Idempotency-Key': `retry-${Date.now()}` };
      const first = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body, headers });
      const second = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body, headers });
      expect(first.status).to.equal(201);
      expect(second.status).to.equal(201);
      expect(second.body).to.deep.equal(first.body);
      expect(second.headers.get('idempotent-replayed')).to.equal('true');
      const reused = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody(), headers });
      expect(reused.status).to.equal(409);
      expect(reused.body.error.code).to.equal('IDEMPOTENCY_CONFLICT');
    });

    it('answers concurrent retries of one Idempotency-Key, sent while the first is in flight, with the first result', async () => {
      for (let round = 0; round < 3; round++) {
        const body = idCardBody();
        const headers = { 'Idempotency-Key': `concurrent-${round}-${Date.now()}` };
        const responses = await Promise.all(Array.from({ length: 8 }, () => server.api('POST', '/api/v1/licenses', { key: zjPsb, body, headers })));
        expect(
          responses.map((r) => r.status),
          JSON.stringify(responses.map((r) => r.body.error ?? null)),
        ).to.deep.equal(responses.map(() => 201));
        expect(new Set(responses.map((r) => r.body.licenseId)).size, 'one license for all retries').to.equal(1);
        const replayed = responses.filter((r) => r.headers.get('idempotent-replayed') === 'true');
        expect(replayed.length).to.equal(7);
        for (const r of replayed) expect(r.body).to.deep.equal(responses.find((first) => !first.headers.has('idempotent-replayed'))?.body);
      }
    });

    it('issues many concurrent requests, each once, batched on the ledger', async () => {
      const bodies = Array.from({ length: 24 }, () => idCardBody());
      const responses = await Promise.all(bodies.map((body) => server.api('POST', '/api/v1/licenses', { key: zjPsb, body })));
      expect(responses.map((r) => r.status)).to.deep.equal(bodies.map(() => 201));
      const ids = new Set(responses.map((r) => r.body.licenseId));
      expect(ids.size).to.equal(24);
      const blocks = new Set(responses.map((r) => r.body.anchor.blockNumber));
      expect(blocks.size, 'concurrent issues should share transactions').to.be.lessThan(24);
    });
  });

  describe('records and credentials', () => {
    let licenseId: string;
    before(async () => {
      licenseId = (await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() })).body.licenseId;
    });

    it('shows the record to the issuing agency only', async () => {
      const own = await server.api('GET', `/api/v1/licenses/${licenseId}`, { key: zjPsb });
      expect(own.status).to.equal(200);
      expect(own.body).to.include({ licenseId, state: 'anchored', status: 'active' });
      expect(own.body.record.holder.idNumber).to.match(/^\d{17}[\dX]$/);
      const other = await server.api('GET', `/api/v1/licenses/${licenseId}`, { key: zjAmr });
      expect(other.status).to.equal(403);
      const otherProvince = await server.api('GET', `/api/v1/licenses/${licenseId}`, { key: scNr });
      expect(otherProvince.status).to.equal(403);
      const unknown = await server.api('GET', '/api/v1/licenses/330000-0000000000000', { key: zjPsb });
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('LICENSE_NOT_FOUND');
      const malformed = await server.api('GET', '/api/v1/licenses/%3Cscript%3E', { key: zjPsb });
      expect(malformed.status).to.equal(400);
    });

    it('hands the agency the credential and its QR code as PNG and SVG', async () => {
      const credential = await server.api('GET', `/api/v1/licenses/${licenseId}/credential`, { key: zjPsb });
      expect(credential.status).to.equal(200);
      expect(credential.body.credential).to.match(/^eyJ/);
      const png = await server.api('GET', `/api/v1/licenses/${licenseId}/qr.png`, { key: zjPsb });
      expect(png.status).to.equal(200);
      expect(png.headers.get('content-type')).to.equal('image/png');
      expect(png.bytes.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
      const svg = await server.api('GET', `/api/v1/licenses/${licenseId}/qr.svg`, { key: zjPsb });
      expect(svg.headers.get('content-type')).to.match(/^image\/svg\+xml/);
      expect(svg.body).to.match(/^<svg/);
      expect((await server.api('GET', `/api/v1/licenses/${licenseId}/qr.png`, { key: zjAmr })).status).to.equal(403);
      expect((await server.api('GET', `/api/v1/licenses/${licenseId}/credential`)).status).to.equal(401);
    });
  });

  it("finds an agency's licenses of one holder by ID number, and only its own", async () => {
    const body = idCardBody();
    const first = (await server.api('POST', '/api/v1/licenses', { key: zjPsb, body })).body;
    const renewed = (await server.api('POST', `/api/v1/licenses/${first.licenseId}/renew`, { key: zjPsb, body: { reason: 'lost' } })).body;
    const idNumber = (body.holder as { idNumber: string }).idNumber;
    const found = await server.api('POST', '/api/v1/licenses/search', { key: zjPsb, body: { idNumber: idNumber.toLowerCase() } });
    expect(found.status).to.equal(200);
    expect(found.body.licenses.map((l: { licenseId: string }) => l.licenseId)).to.deep.equal([first.licenseId, renewed.licenseId]);
    expect(found.body.licenses.map((l: { status: string }) => l.status)).to.deep.equal(['superseded', 'active']);
    const elsewhere = await server.api('POST', '/api/v1/licenses/search', { key: scNr, body: { idNumber } });
    expect(elsewhere.body.licenses).to.deep.equal([]);
    const bad = await server.api('POST', '/api/v1/licenses/search', { key: zjPsb, body: { idNumber: idNumber.slice(0, 17) } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.field).to.equal('idNumber');
    expect((await server.api('POST', '/api/v1/licenses/search', { key: zjPsb, body: {} })).status).to.equal(400);
  });

  describe('lifecycle', () => {
    it('suspends, reinstates and revokes with reasons; revoked is terminal', async () => {
      const { licenseId } = (await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() })).body;
      const suspend = await server.api('POST', `/api/v1/licenses/${licenseId}/suspend`, { key: zjPsb, body: { reason: 'investigation' } });
      expect(suspend.status).to.equal(200);
      expect(suspend.body).to.include({ licenseId, status: 'suspended', reason: 'investigation', version: 2 });
      const again = await server.api('POST', `/api/v1/licenses/${licenseId}/suspend`, { key: zjPsb, body: { reason: 'investigation' } });
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('LICENSE_NOT_ACTIVE');
      expect(
        (await server.api('POST', `/api/v1/licenses/${licenseId}/reinstate`, { key: zjPsb, body: { reason: 'investigation-cleared' } })).body.status,
      ).to.equal('active');
      expect((await server.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: zjPsb, body: { reason: 'fraud' } })).body.status).to.equal('revoked');
      const revive = await server.api('POST', `/api/v1/licenses/${licenseId}/reinstate`, { key: zjPsb, body: { reason: 'other' } });
      expect(revive.status).to.equal(409);
      expect(revive.body.error.code).to.equal('LICENSE_REVOKED');

      const history = await server.api('GET', `/api/v1/licenses/${licenseId}/history`, { key: zjPsb });
      expect(history.body.history.map((h: { status: string }) => h.status)).to.deep.equal(['active', 'suspended', 'active', 'revoked']);
      expect(history.body.history.every((h: { txId: string }) => /^[0-9a-f]{64}$/.test(h.txId))).to.equal(true);
    });

    it("refuses another agency's license and unknown reasons", async () => {
      const { licenseId } = (await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() })).body;
      const other = await server.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: scNr, body: { reason: 'fraud' } });
      expect(other.status).to.equal(403);
      const badReason = await server.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: zjPsb, body: { reason: 'dislike' } });
      expect(badReason.status).to.equal(400);
      expect(badReason.body.error).to.include({ code: 'INVALID_FIELD', field: 'reason' });
      expect((await server.api('GET', `/api/v1/licenses/${licenseId}/status`)).body).to.deep.equal({ id: licenseId, active: true });
    });

    it('renews: the successor supersedes the old license, and the chain shows on the ledger', async () => {
      const old = (await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() })).body;
      const renewed = await server.api('POST', `/api/v1/licenses/${old.licenseId}/renew`, { key: zjPsb, body: { reason: 'lost' } });
      expect(renewed.status, JSON.stringify(renewed.body)).to.equal(201);
      expect(renewed.body.licenseId).to.not.equal(old.licenseId);
      expect(renewed.body.supersedes).to.equal(old.licenseId);
      const oldStatus = (await server.api('GET', `/api/v1/licenses/${old.licenseId}/status`, { key: zjPsb })).body;
      expect(oldStatus).to.include({ status: 'superseded', supersededBy: renewed.body.licenseId });
      const again = await server.api('POST', `/api/v1/licenses/${old.licenseId}/renew`, { key: zjPsb, body: {} });
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('LICENSE_SUPERSEDED');
    });
  });

  describe('public reads', () => {
    it('lists the trust registry with each agency, its province and public keys', async () => {
      const { body } = await server.api('GET', '/api/v1/trust/issuers');
      const ids = body.issuers.map((issuer: { id: string }) => issuer.id);
      expect(ids).to.include.members(['zj-psb', 'zj-amr', 'sc-nr']);
      const psb = body.issuers.find((issuer: { id: string }) => issuer.id === 'zj-psb');
      expect(psb).to.include({ province: '330000', mspId: 'ZhejiangMSP', status: 'active' });
      expect(psb.keys[0].jwk).to.include({ kty: 'EC', crv: 'P-256' });
      expect(psb.keys[0].jwk).to.not.have.property('d');
    });

    it('describes each license type with names, a schema and an example that issues as is', async () => {
      const { body } = await server.api('GET', '/api/v1/license-types');
      expect(body.licenseTypes.map((t: { id: string }) => t.id)).to.deep.equal(['id-card', 'business-license', 'property-certificate']);
      const keys: Record<string, string> = { 'id-card': zjPsb, 'business-license': zjAmr, 'property-certificate': scNr };
      for (const type of body.licenseTypes) {
        expect(type.names.zh).to.be.a('string').and.not.equal('');
        expect(type.schema.type).to.equal('object');
        const issued = await server.api('POST', '/api/v1/licenses', { key: keys[type.id], body: type.example });
        expect(issued.status, `${type.id}: ${JSON.stringify(issued.body)}`).to.equal(201);
      }
    });

    it('tells the public only whether a license is active: no reason, no history; counters and the issuer see both', async () => {
      const { licenseId } = (await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() })).body;
      await server.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key: zjPsb, body: { reason: 'fraud' } });
      const anyone = await server.api('GET', `/api/v1/licenses/${licenseId}/status`);
      expect(anyone.status).to.equal(200);
      expect(anyone.body).to.deep.equal({ id: licenseId, active: false });
      // Another agency is no counter: it learns what the public learns.
      expect((await server.api('GET', `/api/v1/licenses/${licenseId}/status`, { key: scNr })).body).to.deep.equal({ id: licenseId, active: false });
      for (const key of [zjPsb, server.counterKey('510000')]) {
        const full = await server.api('GET', `/api/v1/licenses/${licenseId}/status`, { key });
        expect(full.body).to.include({ id: licenseId, status: 'revoked', reason: 'fraud' });
        const history = await server.api('GET', `/api/v1/licenses/${licenseId}/history`, { key });
        expect(history.status).to.equal(200);
        expect(history.body.history.map((h: { reason: string | null }) => h.reason)).to.deep.equal([null, 'fraud']);
      }
      const noKey = await server.api('GET', `/api/v1/licenses/${licenseId}/history`);
      expect(noKey.status).to.equal(401);
      expect(noKey.body.error.code).to.equal('UNAUTHENTICATED');
      expect((await server.api('GET', `/api/v1/licenses/${licenseId}/history`, { key: scNr })).status).to.equal(403);
    });

    it('answers 404 for an unknown license, with a code', async () => {
      const response = await server.api('GET', '/api/v1/licenses/330000-ZZZZZZZZZZZZZ/status');
      expect(response.status).to.equal(404);
      expect(response.body.error.code).to.equal('LICENSE_NOT_FOUND');
    });

    it('serves an OpenAPI document that matches the routes', async () => {
      // The app serves both route tables (http-app.ts); the document must list both.
      const { body } = await server.api('GET', '/api/v1/openapi.json');
      expect(body.openapi).to.equal('3.1.0');
      const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      );
      const routed = ROUTES.map((route) => `${route.method} ${openApiPath(route.path)}`);
      expect(documented.sort()).to.deep.equal(routed.sort());
      expect(body.paths['/api/v1/licenses'].post.requestBody.content['application/json'].schema.oneOf).to.have.length(3);
      // Every documented route answers (not 404) on the running server.
      for (const route of ROUTES) {
        const path = route.path.replace(':id', '330000-ZZZZZZZZZZZZZ');
        const response = await server.api(route.method.toUpperCase(), path, route.method === 'post' ? { body: {} } : {});
        expect(response.body?.error?.message ?? '', `${route.method} ${route.path}`).to.not.match(/^no route/);
      }
    });

    it('reports health of ledger and store', async () => {
      const { status, body } = await server.api('GET', '/healthz');
      expect(status).to.equal(200);
      expect(body).to.include({ status: 'ok', ledger: 'ok', store: 'ok' });
    });
  });

  describe('hostile input', () => {
    it('answers a body over 64 KB with 413', async () => {
      const response = await server.api('POST', '/api/v1/licenses', { key: zjPsb, raw: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }) });
      expect(response.status).to.equal(413);
      expect(response.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
    });

    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      const response = await server.api('POST', '/api/v1/verify', { raw: '{"credential": "abc"' });
      expect(response.status).to.equal(400);
      expect(response.body.error.code).to.equal('MALFORMED_JSON');
    });

    it('answers JSON sent without its Content-Type with 415 naming it, not "got nothing"', async () => {
      const body = JSON.stringify({ credential: 'abc~' });
      for (const type of ['text/plain', 'application/octet-stream']) {
        const response = await server.api('POST', '/api/v1/verify', { raw: body, headers: { 'content-type': type } });
        expect(response.status, type).to.equal(415);
        expect(response.body.error.code, type).to.equal('UNSUPPORTED_MEDIA_TYPE');
        expect(response.body.error.message, type).to.include('application/json');
      }
      // A body-less POST (suspend without a body) is still a field refusal, not a media type one.
      expect((await server.api('POST', '/api/v1/verify', {})).status).to.equal(400);
    });

    it('reads form bodies only where the route table declares them (OAuth token, direct_post): elsewhere 415', async () => {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const refused = [
        { path: '/api/v1/verify', key: undefined, raw: new URLSearchParams({ credential: 'abc~' }).toString() },
        { path: '/api/v1/licenses', key: zjPsb, raw: new URLSearchParams({ type: 'id-card' }).toString() },
        { path: '/api/v1/presentation-requests', key: server.counterKey('510000'), raw: new URLSearchParams({ service: 'identity-check' }).toString() },
        { path: '/api/v1/receipts', key: undefined, raw: new URLSearchParams({ proof: 'x'.repeat(40) }).toString() },
      ];
      for (const { path, key, raw } of refused) {
        const response = await server.api('POST', path, { key, raw, headers: form });
        expect(response.status, path).to.equal(415);
        expect(response.body.error.code, path).to.equal('UNSUPPORTED_MEDIA_TYPE');
        expect(response.body.error.message, path).to.include('application/json');
      }
      // The token endpoint reads its form (an unknown code is an OAuth refusal, not a media type one) and only a form.
      const tokenForm = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': 'nope' });
      const token = await server.api('POST', '/issuers/zj-psb/token', { raw: tokenForm.toString(), headers: form });
      expect(token.status).to.equal(400);
      expect(token.body.error).to.not.equal('UNSUPPORTED_MEDIA_TYPE');
      const tokenJson = await server.api('POST', '/issuers/zj-psb/token', { body: Object.fromEntries(tokenForm) });
      expect(tokenJson.status).to.equal(415);
      expect(tokenJson.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
      expect(tokenJson.body.error.message).to.include('application/x-www-form-urlencoded');
      // The OpenAPI document says the same as the gate: forms only on those two routes.
      const forms = ROUTES.filter((route) => route.consumes?.includes('application/x-www-form-urlencoded')).map((route) => route.operationId);
      expect(forms.sort()).to.deep.equal(['postPresentationResponse', ROUTES.find((route) => route.path === '/issuers/:agencyId/token')?.operationId].sort());
    });

    it('answers deep nesting with 400, not a crash', async () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      const response = await server.api('POST', '/api/v1/licenses', { key: zjPsb, raw: `{"data":${deep}}` });
      expect(response.status).to.equal(400);
      expect(response.body.error.code).to.equal('NESTING_TOO_DEEP');
      expect((await server.api('GET', '/healthz')).status).to.equal(200);
    });

    it('answers an unknown route and a non-object body clearly', async () => {
      const unknown = await server.api('GET', '/api/v1/nothing-here');
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('NOT_FOUND');
      const array = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: [1, 2] });
      expect(array.status).to.equal(400);
      const verifyNumber = await server.api('POST', '/api/v1/verify', { body: { credential: 42 } });
      expect(verifyNumber.status).to.equal(400);
      expect(verifyNumber.body.error).to.include({ code: 'INVALID_FIELD', field: 'credential' });
    });

    it('refuses a malformed Authorization header and a malformed Idempotency-Key', async () => {
      const basic = await server.api('GET', '/api/v1/licenses/330000-ZZZZZZZZZZZZZ', { headers: { authorization: 'Basic abc' } });
      expect(basic.status).to.equal(401);
      const key = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody(), headers: { 'Idempotency-Key': 'x'.repeat(300) } });
      expect(key.status).to.equal(400);
    });
  });

  describe('privacy', () => {
    it('keeps no personal data under DATA_DIR in any form: raw, base64url at each offset, the credential, the stored reply', async () => {
      const name = '欧阳测试甲乙';
      const body = idCardBody();
      const holder = body.holder as { name: string; idNumber: string };
      const data = body.data as { address: string };
      holder.name = name;
      const key = 'privacy-scan-1';
      const issued = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body, headers: { 'Idempotency-Key': key } });
      expect(issued.status).to.equal(201);
      // The stored reply is what a retry gets back: replayed, byte for byte the first reply.
      const replay = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body, headers: { 'Idempotency-Key': key } });
      expect(replay.headers.get('idempotent-replayed')).to.equal('true');
      const credential = issued.body.credential as string;
      // Verify once so the audit log has an entry too, then make PGlite flush to its files.
      await server.api('POST', '/api/v1/verify', { key: server.counterKey('510000'), body: { credential } });
      await server.restart();
      const needles = personalDataNeedles(
        { name, idNumber: holder.idNumber, idNumberPrefix: holder.idNumber.slice(0, 14), address: data.address },
        {
          credential,
          'credential payload': credential.split('.')[1] as string,
          'stored reply': JSON.stringify(replay.body),
          'stored reply (canonical)': canonicalize(replay.body),
        },
      );
      const files = allFiles(server.dataDir);
      expect(files.length).to.be.greaterThan(10);
      expect(scanDirectory(server.dataDir, needles)).to.deep.equal([]);
      // The scan is not vacuous: the license id is in the clear where it belongs.
      expect(files.some((file) => readFileSync(file).includes(Buffer.from(issued.body.licenseId)))).to.equal(true);
    });
  });
});
