/**
 * Token Status List over HTTP, on the real server and the embedded ledger: every credential points
 * at its own random entry; the served token is a standard statuslist+jwt a verifier checks with the
 * province key from the issuer metadata; a committed revoke, suspend or reinstate shows in the list
 * within 5 s; a wallet credential's own entry can be invalidated while its license stands; and an
 * outside SD-JWT VC library with only the status list callbacks refuses a revoked credential.
 */
import { expect } from 'chai';
import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest } from '@sd-jwt/crypto-nodejs';
import { STATUS_INVALID, STATUS_LIST_SIZE, STATUS_SUSPENDED, STATUS_VALID } from '../../core/status-list';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { verifyOffline } from '../../server/src/offline-verifier';
import { makeBusinessLicenseRequest, makePropertyCertificateRequest } from '../../core/license-types';
import { defined, ifStarted } from '../support/defined';

interface Issued {
  licenseId: string;
  credential: string;
  status: { idx: number; uri: string };
}

describe('Token Status List', function () {
  this.timeout(120000);
  let server: TestServer;
  let zjPsb: string;

  const statusOf = (credential: string) =>
    (decodeJwt(credential.split('~')[0] ?? '') as { status: { status_list: { idx: number; uri: string } } }).status.status_list;

  const issue = async (): Promise<Issued> => {
    const response = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    const { licenseId, credential } = response.body as { licenseId: string; credential: string };
    return { licenseId, credential, status: statusOf(credential) };
  };

  const fetchList = async (uri: string) => {
    const response = await fetch(uri);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/statuslist\+jwt/);
    return response.text();
  };

  /** The issuer metadata of the token's `iss`, at `/.well-known/jwt-vc-issuer/<path of iss>`. */
  const metadataOf = async (iss: string) => {
    const url = new URL(iss);
    const response = await fetch(`${url.origin}/.well-known/jwt-vc-issuer${url.pathname}`);
    expect(response.status).to.equal(200);
    return (await response.json()) as { issuer: string; jwks: JSONWebKeySet };
  };

  const valueAt = async (status: { idx: number; uri: string }) => getListFromStatusListJWT(await fetchList(status.uri)).getStatus(status.idx);

  async function untilValue(status: { idx: number; uri: string }, expected: number): Promise<number> {
    const started = Date.now();
    while ((await valueAt(status)) !== expected) {
      expect(Date.now() - started, `index ${status.idx} still not ${expected}`).to.be.below(5000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Date.now() - started;
  }

  const change = async (licenseId: string, action: 'suspend' | 'reinstate' | 'revoke', reason: string) => {
    const response = await server.api('POST', `/api/v1/licenses/${licenseId}/${action}`, { key: zjPsb, body: { reason } });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
  };

  const verify = async (credential: string) => {
    const response = await server.api('POST', '/api/v1/verify', { key: server.counterKey('510000'), body: { credential } });
    expect(response.status).to.equal(200);
    return response.body as { valid: boolean; verdict: string; checks: Array<{ name: string; ok: boolean; detail: string }> };
  };
  const check = (result: { checks: Array<{ name: string; ok: boolean; detail: string }> }, name: string) => result.checks.find((item) => item.name === name);

  before(async () => {
    server = await startTestServer();
    zjPsb = server.agencyKey('zj-psb');
  });
  after(async () => {
    await ifStarted(server, (started) => started.remove());
  });

  it('gives every credential its own random entry: a few hundred licenses, no index shared, not in issuance order', async () => {
    const issued: Issued[] = [];
    for (let round = 0; round < 10; round++) issued.push(...(await Promise.all(Array.from({ length: 30 }, () => issue()))));
    const ids = issued.map(({ status }) => `${status.uri} ${status.idx}`);
    expect(new Set(ids).size, 'two credentials share an entry').to.equal(issued.length);
    const indices = issued.map(({ status }) => status.idx);
    for (const idx of indices) expect(idx).to.be.within(0, STATUS_LIST_SIZE - 1);
    const ascending = [...indices].sort((a, b) => a - b);
    expect(indices, 'indices follow issuance order').to.not.deep.equal(ascending);
    expect(indices).to.not.deep.equal([...ascending].reverse());
    // Spread over the whole list, not a run: 300 draws from 2^17 span most of it.
    expect(defined(ascending.at(-1)) - defined(ascending[0])).to.be.above(STATUS_LIST_SIZE / 2);
    expect(issued.every(({ status }) => status.uri === `${server.url}/status-lists/zj-psb/1`)).to.equal(true);
    // The ledger holds each entry for its license.
    const ledger = server.running.registry.ledger;
    for (const { licenseId, status } of issued.slice(0, 20)) {
      const entries = await ledger.statusEntriesOf(defined(server.running.registry.nodes[0]).readerIdentity, licenseId);
      expect(entries.map((entry) => [entry.listId, entry.idx, entry.licenseId])).to.deep.equal([['1', status.idx, licenseId]]);
    }
  });

  it('serves a statuslist+jwt that verifies with jose against the province key of the issuer metadata, which the ledger registers', async () => {
    const { status } = await issue();
    const token = await fetchList(status.uri);
    const header = decodeProtectedHeader(token);
    expect(header).to.include({ alg: 'ES256', typ: 'statuslist+jwt' });
    const iss = String(decodeJwt(token).iss);
    expect(iss).to.equal(`${server.url}/provinces/330000`);
    const metadata = await metadataOf(iss);
    expect(metadata.issuer).to.equal(iss);
    const { payload } = await jwtVerify(token, createLocalJWKSet(metadata.jwks), {
      algorithms: ['ES256'],
      typ: 'statuslist+jwt',
      issuer: iss,
      subject: status.uri,
    });
    expect(payload.iat).to.be.a('number');
    expect(payload.exp).to.be.above(defined(payload.iat));
    expect(payload.ttl).to.be.a('number').and.to.be.within(1, 300);
    const list = payload.status_list as { bits: number; lst: string };
    expect(list.bits).to.equal(2);
    const decoded = getListFromStatusListJWT(token);
    expect(decoded.statusList).to.have.length(STATUS_LIST_SIZE);
    expect(decoded.getStatus(status.idx)).to.equal(STATUS_VALID);
    // The metadata is a view of the ledger's trust registry, not a second source.
    const registry = server.running.registry;
    const onLedger = await registry.ledger.listProvinceKeys(defined(registry.nodes[0]).readerIdentity, '330000');
    const active = onLedger.filter((key) => key.status === 'active');
    expect(active).to.have.length(1);
    expect(metadata.jwks.keys.map((key) => key.kid)).to.include(defined(active[0]).kid);
    expect(header.kid).to.equal(defined(active[0]).kid);
    expect(await registry.statusLists.listIds('zj-psb')).to.deep.equal(['1']);
    expect((await server.api('GET', '/status-lists/zj-psb/99')).status).to.equal(404);
    expect((await server.api('GET', '/status-lists/no-such-agency/1')).status).to.equal(404);
    for (const path of ['/status-lists/zz/1', '/status-lists/__proto__/1', `/status-lists/${'a'.repeat(65)}/1`]) {
      const malformed = await server.api('GET', path);
      expect(malformed.status, path).to.equal(404);
      expect(malformed.body, path).to.deep.equal({ error: { code: 'STATUS_LIST_NOT_FOUND', message: malformed.body.error.message } });
    }
    expect((await server.api('GET', '/.well-known/jwt-vc-issuer/provinces/110000')).status).to.equal(404);
  });

  it('flips the bit within 5 s of a revoke committed on the ledger, and the verdict names the status-list check', async () => {
    const issued = await issue();
    const before = await verify(issued.credential);
    expect(check(before, 'status-list')).to.include({ ok: true });
    expect(before.valid).to.equal(true);
    await change(issued.licenseId, 'revoke', 'fraud');
    expect(await untilValue(issued.status, STATUS_INVALID)).to.be.below(5000);
    const after = await verify(issued.credential);
    expect(after.valid).to.equal(false);
    expect(check(after, 'status')).to.include({ ok: false });
    expect(check(after, 'status-list')?.ok).to.equal(false);
    expect(check(after, 'status-list')?.detail).to.match(/^INVALID/);
  });

  it('shows a suspension as SUSPENDED and a reinstatement as VALID', async () => {
    const issued = await issue();
    await change(issued.licenseId, 'suspend', 'investigation');
    await untilValue(issued.status, STATUS_SUSPENDED);
    expect(check(await verify(issued.credential), 'status-list')?.detail).to.match(/^SUSPENDED/);
    await change(issued.licenseId, 'reinstate', 'investigation-cleared');
    await untilValue(issued.status, STATUS_VALID);
    expect((await verify(issued.credential)).valid).to.equal(true);
  });

  it('gives a wallet credential its own entry, which is invalidated alone while the license and its printed credential stand', async () => {
    const issued = await issue();
    const registry = server.running.registry;
    const identity = defined(await registry.store.getAgency('zj-psb')).identityLabel;
    const wallet = await registry.statusLists.register(identity, 'zj-psb', issued.licenseId);
    expect(wallet.idx).to.not.equal(issued.status.idx);
    await untilValue(wallet, STATUS_VALID);
    await registry.statusLists.invalidateCredential(identity, 'zj-psb', { idx: wallet.idx, uri: wallet.uri });
    await untilValue(wallet, STATUS_INVALID);
    expect(await valueAt(issued.status)).to.equal(STATUS_VALID);
    expect((await verify(issued.credential)).valid).to.equal(true);
    const entries = await registry.statusLists.entriesOf(identity, issued.licenseId);
    expect(entries.map((entry) => [entry.idx, entry.invalidated]).sort()).to.deep.equal(
      [
        [issued.status.idx, false],
        [wallet.idx, true],
      ].sort(),
    );
  });

  it('travels in the offline bundle: a counter with only the bundle and the trust anchor sees a revocation the bundle carries', async () => {
    const issued = await issue();
    const anchor: unknown = (await server.api('GET', '/api/v1/trust/anchor')).body;
    const bundleOf = async () => {
      const response = await server.api('GET', '/api/v1/offline-bundle');
      expect(response.status).to.equal(200);
      return response.body as string;
    };
    const before = await verifyOffline(issued.credential, await bundleOf(), anchor);
    expect(before.verdict, JSON.stringify(before.checks)).to.equal('valid');
    expect(before.checks.find((item) => item.name === 'status-list')).to.include({ ok: true });
    await change(issued.licenseId, 'revoke', 'fraud');
    await untilValue(issued.status, STATUS_INVALID);
    // The same signed bundle is served again for a few seconds: wait for one issued after the revocation.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const after = await verifyOffline(issued.credential, await bundleOf(), anchor);
    expect(after.verdict).to.equal('invalid');
    expect(after.checks.find((item) => item.name === 'status-list')?.detail).to.match(/^INVALID/);
  });

  it('is refused after revocation, for each type, by an outside SD-JWT VC verifier that resolves every key from issuer metadata', async () => {
    /** The key of a JWT (credential or status list token), found as SD-JWT VC says: the issuer metadata of its `iss`, by `kid`. */
    const es256ByIssuerMetadata = async (data: string, signature: string) => {
      const [header, payload] = data.split('.');
      const { kid } = JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { kid: string };
      const { iss } = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { iss: string };
      const jwk = (await metadataOf(iss)).jwks.keys.find((key) => key.kid === kid);
      if (!jwk) return false;
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      return cryptoVerify('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
    };
    // The library's own status list fetcher (Accept and content type application/statuslist+jwt) and its own validator (0 = VALID).
    const verifier = new SDJwtVcInstance({ hasher: digest, verifier: es256ByIssuerMetadata });
    const cases: Array<[string, Record<string, unknown>]> = [
      ['zj-psb', idCardBody()],
      ['zj-amr', makeBusinessLicenseRequest(7, { province: '330000' })],
      ['sc-nr', makePropertyCertificateRequest(7, { province: '510000' })],
    ];
    for (const [agency, body] of cases) {
      const key = server.agencyKey(agency);
      const response = await server.api('POST', '/api/v1/licenses', { key, body });
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      const { licenseId, credential } = response.body as { licenseId: string; credential: string };
      const status = statusOf(credential);
      const { payload } = await verifier.verify(credential);
      expect(payload.status?.status_list).to.deep.equal(status);
      const revoked = await server.api('POST', `/api/v1/licenses/${licenseId}/revoke`, { key, body: { reason: 'fraud' } });
      expect(revoked.status).to.equal(200);
      await untilValue(status, STATUS_INVALID);
      let refusal: unknown = null;
      await verifier.verify(credential).catch((error: unknown) => {
        refusal = error;
      });
      expect(refusal, `the outside verifier accepted a revoked ${agency} credential`).to.be.instanceOf(Error);
      expect((refusal as Error).message).to.match(/status/i);
    }
  });
});
