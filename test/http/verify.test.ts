/**
 * "Show license, get served", over HTTP: a counter scans a credential and gets a verdict checked
 * against the ledger. Forged, tampered, revoked, suspended, superseded, expired and unknown-issuer
 * credentials are `valid: false` with the failing check named; none is ever a 5xx. And what we
 * issue verifies with independent libraries given only the key the ledger publishes.
 */
import { expect } from 'chai';
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import jsQR from 'jsqr';
import { KEYUTIL, KJUR } from 'jsrsasign';
import { PNG } from 'pngjs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest } from '@sd-jwt/crypto-nodejs';
import { credentialPayload } from '../../core/credential';
import { decodeCredentialQr } from '../../core/credential-qr';
import type { PrivateJwk } from '../../server/src/ports/keys';
import { CREDENTIAL_CHECK_NAMES } from '../../server/src/services/verification';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { defined, ifStarted } from '../support/defined';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The three parts of the compact JWS a credential starts with. */
function jwsParts(credential: string): [string, string, string] {
  const [header, payload, signature] = (credential.split('~')[0] ?? '').split('.');
  return [defined(header, 'JWS header'), defined(payload, 'JWS payload'), defined(signature, 'JWS signature')];
}

describe('registry HTTP API: verification', function () {
  this.timeout(60000);
  let server: TestServer;
  let zjPsb: string;
  let scCounter: string;

  const issue = async (body = idCardBody()) => {
    const response = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    return response.body as { licenseId: string; credential: string; docHash: string };
  };
  const verify = async (credential: unknown, key: string | undefined = scCounter) => {
    const response = await server.api('POST', '/api/v1/verify', { key, body: { credential } });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return response.body as {
      valid: boolean;
      verdict: string;
      status: string | null;
      reason?: string;
      checks: Check[];
      license: { id: string; claims: Record<string, unknown> } | null;
    };
  };
  const failed = (result: { checks: Check[] }) => result.checks.filter((check) => !check.ok).map((check) => check.name);

  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  /** A compact JWS signed low-S with `privateJwk` (the registry's own ES256 signer), as a forger holding that key would. */
  function signJws(claims: Record<string, unknown>, header: Record<string, unknown>, privateJwk: PrivateJwk): string {
    const data = `${b64({ alg: 'ES256', typ: 'dc+sd-jwt', ...header })}.${b64(claims)}`;
    return `${data}.${server.running.registry.keys.es256Signer(privateJwk)(data)}`;
  }

  /** Signs claims with the agency's real key (held by the running registry), as a forger with the key would. */
  async function signWithAgencyKey(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const key = await server.running.registry.signingKeys.active('zj-psb');
    return `${signJws(claims, { kid: key.kid, ...header }, key.privateJwk)}~`;
  }

  /** Claims of a zj-psb ID card for `licenseId`, the holder's name in clear (a forger need not hide it). */
  const claimsFor = (licenseId: string, overrides: Record<string, unknown> = {}) => ({
    ...credentialPayload({
      issuerBaseUrl: server.url,
      agencyId: 'zj-psb',
      licenseId,
      type: 'id-card',
      validFrom: '2026-06-01',
      validUntil: '2036-06-01',
      issuedAt: new Date(),
      subject: { name: '张三' },
    }).payload,
    ...overrides,
  });

  before(async () => {
    server = await startTestServer();
    zjPsb = server.agencyKey('zj-psb');
    scCounter = server.counterKey('510000');
  });
  after(() => ifStarted(server, (started) => started.remove()));

  it('finds a Zhejiang ID card valid at a Sichuan counter, with every check and the display claims', async () => {
    const body = idCardBody();
    const issued = await issue(body);
    const result = await verify(issued.credential);
    expect(result).to.include({ valid: true, verdict: 'valid', status: 'active' });
    // Every check of a credential, in the order the verdict lists them (a presentation adds its own).
    expect(result.checks.map((check) => check.name)).to.deep.equal(CREDENTIAL_CHECK_NAMES);
    expect(result.checks.every((check) => check.ok)).to.equal(true);
    expect(result.license).to.deep.include({
      id: issued.licenseId,
      type: 'id-card',
      vct: 'urn:cn:elicense:vct:id-card',
      issuer: { agency: 'zj-psb', name: '浙江省公安厅', iss: `${server.url}/issuers/zj-psb`, province: '330000' },
    });
    const birthdate = (body.data as { birthDate: string }).birthDate;
    const age = Number('2026-11-28'.slice(0, 4)) - Number(birthdate.slice(0, 4));
    expect(result.license?.claims).to.deep.include({ name: (body.holder as { name: string }).name, birthdate, address: { region: '浙江省' } });
    const ages = result.license?.claims.age_equal_or_over as Record<string, boolean>;
    expect(Object.keys(ages)).to.deep.equal(['18', '60']);
    if (age > 19 && age < 59) expect(ages).to.deep.equal({ 18: true, 60: false });
    expect(result.license?.claims).to.not.have.property('idNumber');
  });

  it('verifies for the public too, without a key', async () => {
    const issued = await issue();
    expect((await verify(issued.credential, undefined)).valid).to.equal(true);
  });

  it('refuses as malformed a credential whose iat, nbf or exp lies beyond the Date range, even when signed with the real key', async () => {
    const issued = await issue();
    for (const change of [{ iat: 1e16 }, { iat: 253402300800 }, { nbf: 8.64e15 }, { exp: 2 ** 53 - 1 }]) {
      const result = await verify(await signWithAgencyKey(claimsFor(issued.licenseId, change)));
      expect(result, JSON.stringify(change)).to.include({ valid: false, verdict: 'invalid', reason: 'format' });
      expect(result.checks[0]?.detail).to.match(/seconds since the epoch/);
    }
    // The bound itself: the last second of year 9999 is still a date (and then an issue in the future).
    const edge = await verify(await signWithAgencyKey(claimsFor(issued.licenseId, { iat: 253402300799 })));
    expect(edge.valid).to.equal(false);
    expect(edge.reason, JSON.stringify(edge.checks)).to.not.equal('format');
  });

  it('counts junk (texts that fail format) per day and verifier instead of logging a row each, and prunes rows past the retention', async () => {
    const { store, retention } = server.running.registry;
    const counterId = server.demo.counters.find((counter) => counter.province === '510000')?.id;
    const junkCount = async () => (await store.listRejectedVerificationCounts(1000)).find((count) => count.verifierId === counterId)?.count ?? 0;
    const junkBefore = await junkCount();
    const rowsBefore = (await store.listVerifications({ limit: 1000 })).length;
    for (let i = 0; i < 5; i++) expect((await verify(`not a credential ${i}`)).checks[0]).to.include({ name: 'format', ok: false });
    await server.running.registry.audit.drain();
    expect(await junkCount()).to.equal(junkBefore + 5);
    expect((await store.listVerifications({ limit: 1000 })).length).to.equal(rowsBefore);

    const issued = await issue();
    await verify(issued.credential);
    const trail = await server.api('GET', `/api/v1/verifications?licenseId=${issued.licenseId}`, { key: zjPsb });
    expect(trail.body.verifications).to.have.length(1);
    // 181 days on, the default retention of 180 days has passed for that row.
    server.setClockOffset(181 * 24 * 60 * 60 * 1000);
    try {
      expect(await retention.prune()).to.be.at.least(1);
    } finally {
      server.setClockOffset(0);
    }
    const pruned = await server.api('GET', `/api/v1/verifications?licenseId=${issued.licenseId}`, { key: zjPsb });
    expect(pruned.body.verifications).to.deep.equal([]);
  });

  describe('tampering, each part', () => {
    let credential: string;
    before(async () => {
      credential = (await issue()).credential;
    });
    const jwsOf = (text: string) => text.split('~')[0] ?? '';
    const parts = () => jwsParts(credential);
    const tail = () => credential.slice(jwsOf(credential).length);
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

    it('a changed claim in the payload fails the signature', async () => {
      const [header, payload, signature] = parts();
      const changed = { ...decode(payload), name: '李四' };
      const result = await verify(`${header}.${b64(changed)}.${signature}${tail()}`);
      expect(result).to.include({ valid: false, verdict: 'invalid', reason: 'signature' });
      expect(failed(result)).to.deep.equal(['signature']);
    });

    it('a changed license id, validity or digest list fails the signature', async () => {
      const [header, payload, signature] = parts();
      for (const change of [{ lid: '330000-0000000000000' }, { exp: 4102444800 }, { _sd: [] }]) {
        const result = await verify(`${header}.${b64({ ...decode(payload), ...change })}.${signature}${tail()}`);
        expect(failed(result), JSON.stringify(change)).to.deep.equal(['signature']);
      }
    });

    it('a flipped signature byte fails the signature', async () => {
      const [header, payload, signature] = parts();
      const bytes = Buffer.from(signature, 'base64url');
      bytes.writeUInt8(bytes.readUInt8(10) ^ 0x01, 10);
      const result = await verify(`${header}.${payload}.${bytes.toString('base64url')}${tail()}`);
      expect(failed(result)).to.deep.equal(['signature']);
    });

    it('a header naming another algorithm, type or key, or a crit extension, fails', async () => {
      const [header, payload, signature] = parts();
      const original = decode(header);
      for (const [change, check] of [
        [{ alg: 'none' }, 'format'],
        [{ alg: 'HS256' }, 'format'],
        [{ typ: 'JWT' }, 'format'],
        [{ crit: ['b64'], b64: false }, 'format'],
        [{ kid: 'x'.repeat(43) }, 'issuer-key'],
        [{ jwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } }, 'signature'],
      ] as const) {
        const result = await verify(`${b64({ ...original, ...change })}.${payload}.${signature}${tail()}`);
        expect(result.valid, JSON.stringify(change)).to.equal(false);
        expect(failed(result), JSON.stringify(change)).to.deep.equal([check]);
      }
    });

    it('an appended disclosure not covered by the signature fails the disclosures check', async () => {
      const disclosure = Buffer.from(JSON.stringify(['c2FsdHNhbHRzYWx0c2FsdA', 'nationality', 'XX'])).toString('base64url');
      const result = await verify(`${credential}${disclosure}~`);
      expect(failed(result)).to.deep.equal(['disclosures']);
    });

    it('a disclosure whose value was changed fails the disclosures check', async () => {
      const [first, ...rest] = tail().slice(1, -1).split('~');
      const [salt, name] = JSON.parse(Buffer.from(first ?? '', 'base64url').toString('utf8')) as [string, string, unknown];
      const changed = Buffer.from(JSON.stringify([salt, name, '李四'])).toString('base64url');
      const result = await verify(`${jwsOf(credential)}~${[changed, ...rest].join('~')}~`);
      expect(failed(result)).to.deep.equal(['disclosures']);
    });

    it('fewer disclosures still verify and hide what they leave out', async () => {
      const disclosures = tail().slice(1, -1).split('~');
      const nameOnly = disclosures.filter((encoded) => JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))[1] === 'name');
      expect(nameOnly).to.have.length(1);
      const result = await verify(`${jwsOf(credential)}~${nameOnly.join('~')}~`);
      expect(result.valid).to.equal(true);
      // Containers none of whose members were disclosed (address, age_equal_or_over) are not shown.
      expect(Object.keys(result.license?.claims ?? {})).to.deep.equal(['name']);
      const none = await verify(`${jwsOf(credential)}~`);
      expect(none.valid).to.equal(true);
      expect(none.license?.claims).to.not.have.property('name');
    });

    it('refuses a bare JWS (no ~) and a high-S signature; accepts the transitional typ vc+sd-jwt', async () => {
      expect(failed(await verify(jwsOf(credential)))).to.deep.equal(['format']);
      const [header, payload, signature] = parts();
      const bytes = Buffer.from(signature, 'base64url');
      const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
      const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
      const highS = Buffer.concat([bytes.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
      const refused = await verify(`${header}.${payload}.${highS.toString('base64url')}${tail()}`);
      expect(failed(refused)).to.deep.equal(['format']);
      expect(refused.checks[0]?.detail).to.match(/low-S/);
      const transitional = await signWithAgencyKey(decode(payload), { typ: 'vc+sd-jwt' });
      const accepted = await verify(`${transitional.slice(0, -1)}${tail()}`);
      expect(accepted.valid, JSON.stringify(accepted.checks)).to.equal(true);
    });

    it('parses a trailing key-binding JWT instead of refusing the text, and leaves its verdict to holder binding', async () => {
      const kb = `${b64({ typ: 'kb+jwt', alg: 'ES256' })}.${b64({ iat: 1, aud: 'x', nonce: 'n', sd_hash: 'h' })}.${'A'.repeat(86)}`;
      const result = await verify(`${credential}${kb}`);
      expect(result.checks[0]?.detail).to.match(/key-binding JWT/);
      expect(failed(result)).to.deep.equal(['holder-binding']);
    });

    it('garbage, an empty string, and a credential over 4 KB are invalid, not errors', async () => {
      for (const text of ['', 'hello', 'a.b.c', `${credential.slice(0, -1)}${'A'.repeat(5000)}~`]) {
        const result = await verify(text);
        expect(result.verdict).to.equal('invalid');
        expect(failed(result)).to.deep.equal(['format']);
      }
    });
  });

  describe('forgery', () => {
    it('a credential signed by a key the ledger does not know is an unknown issuer', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
      const issued = await issue();
      const jws = signJws(claimsFor(issued.licenseId), { kid }, (await exportJWK(privateKey)) as PrivateJwk);
      const result = await verify(`${jws}~`);
      expect(result).to.include({ valid: false, reason: 'issuer-key' });
      expect(result.checks.find((check) => check.name === 'issuer-key')?.detail).to.match(/unknown issuer/);
    });

    it("a credential naming zj-psb's kid but signed by another key fails the signature", async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const issued = await issue();
      const real = await server.running.registry.signingKeys.active('zj-psb');
      const jws = signJws(claimsFor(issued.licenseId), { kid: real.kid }, (await exportJWK(privateKey)) as PrivateJwk);
      expect(failed(await verify(`${jws}~`))).to.deep.equal(['signature']);
    });

    it('a well-signed credential for a license never anchored fails the anchor check', async () => {
      const result = await verify(await signWithAgencyKey(claimsFor('330000-NEVERANCHORED')));
      expect(result).to.include({ valid: false, reason: 'anchor' });
    });

    it('an iss that is not an issuer URL, or a bare type word for vct, fails format', async () => {
      const issued = await issue();
      for (const change of [{ iss: 'zj-psb' }, { iss: 'http://evil.example/issuers/zj-psb' }, { vct: 'id-card' }]) {
        const result = await verify(await signWithAgencyKey(claimsFor(issued.licenseId, change)));
        expect(failed(result), JSON.stringify(change)).to.deep.equal(['format']);
      }
    });

    it('a type the issuer may not issue fails issuer-authorized', async () => {
      const issued = await issue();
      const result = await verify(await signWithAgencyKey(claimsFor(issued.licenseId, { vct: 'urn:cn:elicense:vct:business-license' })));
      expect(failed(result)).to.include('issuer-authorized');
      expect(failed(result)).to.include('anchor');
    });

    it('a claimed issuer that does not hold the key fails issuer-key', async () => {
      const issued = await issue();
      const result = await verify(await signWithAgencyKey(claimsFor(issued.licenseId, { iss: `${server.url}/issuers/sc-nr` })));
      expect(failed(result)).to.deep.equal(['issuer-key']);
    });
  });

  describe('status on the ledger', () => {
    it('suspended, then reinstated', async () => {
      const issued = await issue();
      await server.api('POST', `/api/v1/licenses/${issued.licenseId}/suspend`, { key: zjPsb, body: { reason: 'investigation' } });
      const suspended = await verify(issued.credential);
      expect(suspended).to.include({ valid: false, verdict: 'invalid', status: 'suspended', reason: 'suspended' });
      // The ledger and the status list, both derived from the same commit, agree.
      expect(failed(suspended)).to.deep.equal(['status', 'status-list']);
      await server.api('POST', `/api/v1/licenses/${issued.licenseId}/reinstate`, { key: zjPsb, body: { reason: 'investigation-cleared' } });
      expect((await verify(issued.credential)).valid).to.equal(true);
    });

    it('revoked, with the reason code', async () => {
      const issued = await issue();
      await server.api('POST', `/api/v1/licenses/${issued.licenseId}/revoke`, { key: zjPsb, body: { reason: 'stolen' } });
      const result = await verify(issued.credential);
      expect(result).to.include({ valid: false, status: 'revoked', reason: 'revoked' });
      expect(result.checks.find((check) => check.name === 'status')?.detail).to.contain('stolen');
    });

    it('superseded by a renewal, while the successor is valid', async () => {
      const issued = await issue();
      const renewed = (await server.api('POST', `/api/v1/licenses/${issued.licenseId}/renew`, { key: zjPsb, body: { reason: 'damaged' } })).body;
      const old = await verify(issued.credential);
      expect(old).to.include({ valid: false, status: 'superseded', reason: 'superseded' });
      expect(old.checks.find((check) => check.name === 'status')?.detail).to.contain(renewed.licenseId);
      expect((await verify(renewed.credential)).valid).to.equal(true);
    });

    it('expired once its last valid day has passed', async () => {
      const issued = await issue(idCardBody({ expiring: true }));
      server.setClockOffset(40 * 365 * 24 * 3600 * 1000);
      try {
        const result = await verify(issued.credential);
        expect(result).to.include({ valid: false, status: 'expired', reason: 'expired' });
        expect(failed(result)).to.deep.equal(['status', 'validity']);
      } finally {
        server.setClockOffset(0);
      }
    });

    it('a credential signed with a key retired before it was issued fails; one issued before stays valid', async () => {
      const before = await issue();
      const registry = server.running.registry;
      const oldKey = await registry.signingKeys.active('zj-psb');
      const admin = defined(registry.nodes.find((node) => node.code === '330000')).adminIdentity;
      await registry.signingKeys.rotate(registry.ledger, admin, 'zj-psb');
      expect((await verify(before.credential)).valid, 'issued before the rotation').to.equal(true);
      const after = await issue();
      expect((await verify(after.credential)).valid, 'issued with the new key').to.equal(true);
      // A credential made with the old key after its retirement: someone who kept the old key.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const late = signJws(claimsFor(after.licenseId), { kid: oldKey.kid }, oldKey.privateJwk);
      const result = await verify(`${late}~`);
      expect(failed(result)).to.deep.equal(['issuer-key']);
      expect(result.checks[1]?.detail).to.match(/retired/);
    });
  });

  describe('the credential itself', () => {
    it('renders the credential as a QR code that decodes back exactly', async () => {
      const issued = await issue();
      const png = await server.api('GET', `/api/v1/licenses/${issued.licenseId}/qr.png`, { key: zjPsb });
      const image = PNG.sync.read(png.bytes);
      const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
      expect(decodeCredentialQr(decoded?.data ?? '')).to.equal(issued.credential);
    });

    it('verifies with jsrsasign given only the JWK the trust registry publishes', async () => {
      const issued = await issue();
      const issuers = (await server.api('GET', '/api/v1/trust/issuers')).body.issuers as Array<{ id: string; keys: Array<{ kid: string; jwk: object }> }>;
      const jws = issued.credential.split('~')[0] ?? '';
      const kid = (JSON.parse(Buffer.from(jwsParts(jws)[0], 'base64url').toString()) as { kid: string }).kid;
      const jwk = defined(defined(issuers.find((issuer) => issuer.id === 'zj-psb')).keys.find((key) => key.kid === kid)).jwk;
      const publicKey = KEYUTIL.getKey(jwk as Parameters<typeof KEYUTIL.getKey>[0]);
      expect(KJUR.jws.JWS.verify(jws, publicKey as Parameters<typeof KJUR.jws.JWS.verify>[1], ['ES256'])).to.equal(true);
      const tampered = jws.slice(0, -2) + (jws.endsWith('AA') ? 'BA' : 'AA');
      expect(KJUR.jws.JWS.verify(tampered, publicKey as Parameters<typeof KJUR.jws.JWS.verify>[1], ['ES256'])).to.equal(false);
    });

    it('verifies as an SD-JWT VC with the OpenWallet Foundation library', async () => {
      const issued = await issue();
      const issuers = (await server.api('GET', '/api/v1/trust/issuers')).body.issuers as Array<{ id: string; keys: Array<{ jwk: object }> }>;
      const jwk = defined(defined(issuers.find((issuer) => issuer.id === 'zj-psb')).keys.at(-1)).jwk;
      const publicKey = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
      const es256 = (key: ReturnType<typeof createPublicKey>) => (data: string, signature: string) =>
        Promise.resolve(cryptoVerify('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url')));
      const sdjwt = new SDJwtVcInstance({
        hasher: digest,
        verifier: es256(publicKey),
        // The credential's status list token is signed by a province key, listed in the issuer metadata of the token's iss.
        statusVerifier: async (data: string, signature: string) => {
          const { iss } = JSON.parse(Buffer.from(defined(data.split('.')[1]), 'base64url').toString()) as { iss: string };
          const url = new URL(iss);
          const metadata = (await (await fetch(`${url.origin}/.well-known/jwt-vc-issuer${url.pathname}`)).json()) as { jwks: { keys: object[] } };
          const results = await Promise.all(
            metadata.jwks.keys.map((jwk) => es256(createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }))(data, signature)),
          );
          return results.includes(true);
        },
      });
      const { payload, header } = await sdjwt.verify(issued.credential);
      expect(header).to.include({ alg: 'ES256', typ: 'dc+sd-jwt' });
      expect(payload).to.include({ iss: `${server.url}/issuers/zj-psb`, vct: 'urn:cn:elicense:vct:id-card', lid: issued.licenseId });
      expect(payload).to.have.property('name');
    });

    it('logs every verification, keyed on the decoded signature whatever its spelling', async () => {
      const issued = await issue();
      const jws = issued.credential.split('~')[0] ?? '';
      const disclosures = issued.credential.slice(jws.length);
      const [header, payload, signature] = jwsParts(jws);
      // 64 signature bytes fill 85⅓ base64url characters: the last one has 4 spare bits.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(signature.slice(-1));
      const respelled = signature.slice(0, -1) + alphabet.charAt((last & 0b110000) | ((last + 1) & 0b001111));
      expect(respelled).to.not.equal(signature);
      expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(signature, 'base64url'))).to.equal(true);
      await verify(issued.credential);
      const other = await verify(`${header}.${payload}.${respelled}${disclosures}`);
      expect(other.verdict).to.be.oneOf(['valid', 'invalid']);
      const log = await server.api('GET', `/api/v1/verifications?licenseId=${issued.licenseId}`, { key: zjPsb });
      expect(log.status).to.equal(200);
      const entries = log.body.verifications as Array<{ credentialRef: string; verifierKind: string; verifierId: string; province: string }>;
      expect(entries).to.have.length(2);
      const ref = createHash('sha256').update(Buffer.from(signature, 'base64url')).digest('hex');
      expect(entries.map((entry) => entry.credentialRef)).to.deep.equal([ref, ref]);
      expect(entries[0]).to.include({ verifierKind: 'counter', verifierId: 'sc-chengdu-counter', province: '510000' });
      expect((await server.api('GET', `/api/v1/verifications?licenseId=${issued.licenseId}`, { key: server.agencyKey('sc-nr') })).status).to.equal(403);
    });
  });
});
