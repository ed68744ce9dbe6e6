/**
 * What a wallet or another province's verifier fetches to use our credentials without custom
 * code: issuer metadata at the iss URL's well-known location (keys from the ledger), the vct of
 * each type and its Type Metadata.
 */
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { ifStarted } from '../support/defined';

describe('registry HTTP API: issuer and type metadata', function () {
  this.timeout(60000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => ifStarted(server, (started) => started.remove()));

  const payloadOf = (credential: string) =>
    JSON.parse(Buffer.from((credential.split('~')[0] ?? '').split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const headerOf = (credential: string) =>
    JSON.parse(Buffer.from((credential.split('~')[0] ?? '').split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

  it("serves each agency's keys at /.well-known/jwt-vc-issuer/<path of iss>, with the kid the credential names", async () => {
    const issued = await server.api('POST', '/api/v1/licenses', { key: server.agencyKey('zj-psb'), body: idCardBody() });
    expect(issued.status).to.equal(201);
    const credential = issued.body.credential as string;
    const iss = payloadOf(credential).iss as string;
    expect(iss).to.equal(`${server.url}/issuers/zj-psb`);
    const url = new URL(iss);
    const metadata = await server.api('GET', `/.well-known/jwt-vc-issuer${url.pathname}`);
    expect(metadata.status).to.equal(200);
    expect(metadata.body.issuer).to.equal(iss);
    expect(metadata.headers.get('access-control-allow-origin')).to.equal('*');
    const keys = metadata.body.jwks.keys as Array<Record<string, unknown>>;
    expect(keys.map((key) => key.kid)).to.include(headerOf(credential).kid);
    for (const key of keys) expect(key).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  });

  it('lists a retired key with retired_at after a rotation, beside the new one', async () => {
    const registry = server.running.registry;
    const old = await registry.signingKeys.active('sc-nr');
    const admin = registry.nodes.find((node) => node.code === '510000')?.adminIdentity ?? '';
    const fresh = await registry.signingKeys.rotate(registry.ledger, admin, 'sc-nr');
    const metadata = await server.api('GET', '/.well-known/jwt-vc-issuer/issuers/sc-nr');
    const keys = metadata.body.jwks.keys as Array<Record<string, unknown>>;
    expect(keys.find((key) => key.kid === old.kid))
      .to.have.property('retired_at')
      .that.is.a('string');
    expect(keys.find((key) => key.kid === fresh.kid)).to.not.have.property('retired_at');
  });

  it('answers 404 with a code for an unknown issuer or path', async () => {
    for (const path of [
      '/.well-known/jwt-vc-issuer/issuers/nobody',
      '/.well-known/jwt-vc-issuer/elsewhere/zj-psb',
      '/.well-known/jwt-vc-issuer/issuers/zj-psb/x',
      // Not an agency id at all: refused here, not by the chaincode (whose 400 carried a query's txId).
      '/.well-known/jwt-vc-issuer/issuers/__proto__',
      '/.well-known/jwt-vc-issuer/issuers/zz',
    ]) {
      const response = await server.api('GET', path);
      expect(response.status, path).to.equal(404);
      expect(response.body.error.code, path).to.equal('NOT_FOUND');
    }
  });

  it('names every type with a national vct and serves its Type Metadata (zh-CN and en, sd per claim)', async () => {
    const types = (await server.api('GET', '/api/v1/license-types')).body.licenseTypes as Array<{ id: string; vct: string; typeMetadataUri: string }>;
    expect(types.map((type) => type.vct)).to.deep.equal(types.map((type) => `urn:cn:elicense:vct:${type.id}`));
    for (const type of types) {
      expect(type.typeMetadataUri).to.equal(`${server.url}/api/v1/license-types/${type.id}/type-metadata`);
      const response = await fetch(type.typeMetadataUri);
      expect(response.status).to.equal(200);
      const metadata = (await response.json()) as {
        vct: string;
        display: Array<{ lang: string; name: string }>;
        claims: Array<{ path: string[]; sd: string; display: Array<{ lang: string; label: string }> }>;
      };
      expect(metadata.vct).to.equal(type.vct);
      expect(metadata.display.map((display) => display.lang)).to.deep.equal(['zh-CN', 'en']);
      expect(metadata.claims.find((claim) => claim.path.join('.') === 'name')).to.include({ sd: 'always' });
      for (const claim of metadata.claims) expect(claim.display.map((display) => display.lang)).to.deep.equal(['zh-CN', 'en']);
    }
    expect((await server.api('GET', '/api/v1/license-types/passport/type-metadata')).status).to.equal(404);
  });

  it('lists the new routes in the OpenAPI document', async () => {
    const document = (await server.api('GET', '/api/v1/openapi.json')).body as { paths: Record<string, unknown> };
    expect(document.paths).to.have.property('/.well-known/jwt-vc-issuer/{issuerPath}');
    expect(document.paths).to.have.property('/api/v1/license-types/{typeId}/type-metadata');
  });
});
