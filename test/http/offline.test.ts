/**
 * A counter with no network: provisioned once with the trust anchor, it takes a signed offline
 * bundle fetched from a real server over HTTP; then the server is gone and it verifies through the
 * library and through `npm run verify:offline` spawned as a child process — fresh, stale, revoked,
 * tampered and forged bundles. The browser's root (WebCrypto and @peculiar/x509 instead of
 * node:crypto, what the counter page runs offline) gives the same verdicts from the same bundle.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { OFFLINE_BUNDLE_TYP, TRUST_ANCHOR_FORMAT, type TrustAnchor } from '../../core/offline-bundle';
import type { ChannelConfiguration } from '../../server/src/ports/ledger';
import { createCa, enroll } from '../../server/src/adapters/identity/local-ca';
import { loadBundle, offlineVerifyPerSec, verifyOffline, type LoadedBundle } from '../../server/src/offline-verifier';
import * as browserRoot from '../../server/src/offline-verifier.browser';
import { encodeCredentialQr } from '../../core/credential-qr';
import { startTestServer } from '../support/registry-server';
import { refusedWith } from '../support/refusal';
import { idCardBody } from '../support/requests';
import { tempDir } from '../support/temp-dir';

const CLI = join(__dirname, '..', '..', 'scripts', 'verify-offline.js');
const DAY_MS = 24 * 3600 * 1000;

/** Flips one character in the middle of the bundle's payload: still base64url, no longer what was signed. */
function changeOneByte(token: string): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const at = Math.floor(payload.length / 2);
  return `${header}.${payload.slice(0, at)}${payload[at] === 'A' ? 'B' : 'A'}${payload.slice(at + 1)}.${signature}`;
}

/** The same bundle claims, signed by someone else's certificate. */
function resign(bundle: string, identity: { certificate: string; privateKey: string }): Promise<string> {
  return new SignJWT(decodeJwt(bundle))
    .setProtectedHeader({ alg: 'ES256', typ: OFFLINE_BUNDLE_TYP, x5c: [new X509Certificate(identity.certificate).raw.toString('base64')] })
    .sign(createPrivateKey(identity.privateKey));
}

interface CliRun {
  code: number | null;
  verdict: { verdict?: string; valid?: boolean; reason?: string; error?: { code: string } };
}

describe('offline verification: a counter with no network', function () {
  this.timeout(120000);
  const files = tempDir('elicense-offline-');
  const file = (name: string) => join(files.path, name);
  let anchor: TrustAnchor;
  let bundle: string;
  let loaded: LoadedBundle;
  let active: string;
  let revoked: string;
  let caRoots: Record<string, string>;
  let channel: ChannelConfiguration;
  let readerIdentity: { certificate: string; privateKey: string };

  const cli = (...args: string[]): CliRun => {
    const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30000 });
    return { code: run.status, verdict: run.stdout.trim() ? (JSON.parse(run.stdout) as CliRun['verdict']) : {} };
  };

  before(async () => {
    const server = await startTestServer();
    try {
      const zjPsb = server.agencyKey('zj-psb');
      const issue = async () => {
        const response = await server.api('POST', '/api/v1/licenses', { key: zjPsb, body: idCardBody() });
        expect(response.status, JSON.stringify(response.body)).to.equal(201);
        return response.body as { licenseId: string; credential: string };
      };
      const first = await issue();
      const second = await issue();
      active = first.credential;
      revoked = second.credential;
      const revoke = await server.api('POST', `/api/v1/licenses/${second.licenseId}/revoke`, { key: zjPsb, body: { reason: 'fraud' } });
      expect(revoke.status, JSON.stringify(revoke.body)).to.equal(200);
      // The lists follow ledger events: wait until this node's list shows the revocation (within 5 s).
      const counter = server.counterKey('510000');
      for (let tries = 0; ; tries++) {
        const online = await server.api('POST', '/api/v1/verify', { key: counter, body: { credential: revoked } });
        const listCheck = (online.body as { checks: Array<{ name: string; ok: boolean }> }).checks.find((check) => check.name === 'status-list');
        if (listCheck?.ok === false) break;
        expect(tries, 'the status list shows the revocation within 5 s').to.be.below(50);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      const anchorResponse = await server.api('GET', '/api/v1/trust/anchor');
      expect(anchorResponse.status).to.equal(200);
      anchor = anchorResponse.body as TrustAnchor;
      const bundleResponse = await server.api('GET', '/api/v1/offline-bundle');
      expect(bundleResponse.status).to.equal(200);
      expect(bundleResponse.headers.get('content-type')).to.match(/^application\/jwt/);
      bundle = bundleResponse.body as string;
      const again = await server.api('GET', '/api/v1/offline-bundle');
      expect(again.body, 'the same signed bundle is served again for a few seconds').to.equal(bundle);

      caRoots = Object.fromEntries(anchor.provinces.map((p) => [p.mspId, readFileSync(join(server.dataDir, 'ca', p.mspId, 'ca-cert.pem'), 'utf8')]));
      const reader = server.running.registry.nodes[0]?.readerIdentity ?? '';
      channel = await server.running.registry.ledger.port.channelConfiguration(reader);
      readerIdentity = (JSON.parse(readFileSync(join(server.dataDir, 'wallet', `${reader}.id`), 'utf8')) as { credentials: typeof readerIdentity }).credentials;
    } finally {
      // Everything below runs with the server gone, as at a counter with no network.
      await server.remove();
    }
    writeFileSync(file('anchor.json'), JSON.stringify(anchor));
    writeFileSync(file('bundle.jwt'), bundle);
    writeFileSync(file('active.txt'), `${active}\n`);
    loaded = await loadBundle(bundle, anchor);
  });

  after(() => files.remove());

  it("the trust anchor holds each province's root as the ledger's channel configuration does", () => {
    expect(anchor.format).to.equal(TRUST_ANCHOR_FORMAT);
    expect(anchor.channel).to.equal('elicense');
    expect(anchor.provinces.map((province) => [province.code, province.mspId, province.names.zh])).to.deep.equal([
      ['330000', 'ZhejiangMSP', '浙江省'],
      ['510000', 'SichuanMSP', '四川省'],
    ]);
    for (const province of anchor.provinces) {
      expect(province.rootCertificates).to.deep.equal([caRoots[province.mspId]]);
      expect(channel.organizations.find((org) => org.mspId === province.mspId)?.rootCertificates).to.deep.equal(province.rootCertificates);
    }
  });

  it('the bundle is one JWT by the province bundle signer, chaining to the anchor, with the trust registry, Type Metadata and status lists', () => {
    const header = decodeProtectedHeader(bundle);
    expect(header).to.include({ alg: 'ES256', typ: OFFLINE_BUNDLE_TYP });
    const leaf = new X509Certificate(Buffer.from((header.x5c ?? [])[0] ?? '', 'base64'));
    expect(leaf.subject).to.include('CN=bundle-signer');
    expect(loaded.signer.mspId).to.equal('ZhejiangMSP');
    expect(loaded.claims.iss).to.equal('330000');
    expect(Math.abs(loaded.issuedAt.getTime() - Date.now())).to.be.below(120000);
    expect(loaded.claims.agencies.map((agency) => agency.id).sort()).to.deep.equal(['sc-nr', 'zj-amr', 'zj-psb']);
    expect(loaded.claims.agencies.find((agency) => agency.id === 'zj-psb')?.licenseTypes).to.deep.equal(['id-card']);
    expect(Object.keys(loaded.claims.typeMetadata)).to.include('urn:cn:elicense:vct:id-card');
    expect(loaded.claims.statusLists.length).to.be.above(0);
  });

  it('a fresh bundle: an active license is valid, checked by the online checks with the status list standing in for the anchor', async () => {
    const result = await verifyOffline(active, loaded, anchor);
    expect(result.verdict, JSON.stringify(result.checks)).to.equal('valid');
    expect(result.valid).to.equal(true);
    const names = result.checks.map((check) => check.name);
    expect(names).to.include.members(['format', 'issuer-key', 'signature', 'issuer-authorized', 'status-list', 'validity']);
    expect(names).to.not.include('anchor');
    expect(result.license?.claims).to.have.property('name');
    expect(result.bundle.fresh).to.equal(true);
  });

  it('a stale bundle: the same credential is indeterminate, "status data from <time>", never valid', async () => {
    const now = new Date(loaded.issuedAt.getTime() + DAY_MS + 1000);
    const result = await verifyOffline(active, loaded, anchor, { now });
    expect(result.verdict).to.equal('indeterminate');
    expect(result.valid).to.equal(false);
    expect(result.reason).to.equal(`status data from ${loaded.issuedAt.toISOString()}`);
    const hourOld = await verifyOffline(active, loaded, anchor, { now: new Date(loaded.issuedAt.getTime() + 3600 * 1000 + 1000), maxAgeSeconds: 3600 });
    expect(hourOld.verdict, 'a freshness window of one hour').to.equal('indeterminate');
  });

  it('a revoked license is invalid as soon as a bundle carrying the revocation is loaded, fresh or stale', async () => {
    const result = await verifyOffline(revoked, loaded, anchor);
    expect(result.verdict).to.equal('invalid');
    expect(result.checks.find((check) => !check.ok)?.name).to.equal('status-list');
    const stale = await verifyOffline(revoked, loaded, anchor, { now: new Date(loaded.issuedAt.getTime() + 2 * DAY_MS) });
    expect(stale.verdict).to.equal('invalid');
  });

  it('a credential altered after issue is invalid offline as online', async () => {
    const [jws = '', ...rest] = active.split('~');
    const [header = '', payload = '', signature = ''] = jws.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, iat: Number(claims.iat) - 1 })).toString('base64url')}.${signature}`;
    const result = await verifyOffline([altered, ...rest].join('~'), loaded, anchor);
    expect(result.verdict).to.equal('invalid');
    expect(result.reason).to.equal('signature');
  });

  it('a bundle with one byte changed is refused', async () => {
    const error = await refusedWith(verifyOffline(active, changeOneByte(bundle), anchor), 'BUNDLE_REFUSED');
    expect(error.message).to.match(/signature|JSON|JWS/i);
  });

  it('a bundle signed by a certificate that does not chain to the anchor is refused, however well-formed', async () => {
    const stranger = createCa({ country: 'CN', organization: 'Zhejiang', commonName: 'ca.zhejiangmsp' });
    const forged = await resign(bundle, enroll(stranger, { enrollmentId: 'bundle-signer', attributes: { role: 'bundle-signer' } }));
    const error = await refusedWith(verifyOffline(active, forged, anchor), 'BUNDLE_REFUSED');
    expect(error.message).to.include('does not chain to a root of the trust anchor');
  });

  it("a bundle signed by another of the province's identities (no bundle-signer role) is refused", async () => {
    const error = await refusedWith(verifyOffline(active, await resign(bundle, readerIdentity), anchor), 'BUNDLE_REFUSED');
    expect(error.message).to.include('not bundle-signer');
  });

  describe("the browser's verifier (offline-verifier.browser: WebCrypto, @peculiar/x509)", () => {
    it('accepts the bundle the server signs, naming the same signer as the Node verifier', async () => {
      const inBrowser = await browserRoot.loadBundle(bundle, anchor);
      expect(inBrowser.signer).to.deep.equal(loaded.signer);
      expect(inBrowser.issuedAt.getTime()).to.equal(loaded.issuedAt.getTime());
      expect(inBrowser.claims).to.deep.equal(loaded.claims);
    });

    it('gives the verdicts the Node verifier gives: active valid (compact and ELC1), revoked invalid, stale indeterminate', async () => {
      const inBrowser = await browserRoot.loadBundle(bundle, anchor);
      const now = new Date();
      const stale = new Date(loaded.issuedAt.getTime() + DAY_MS + 1000);
      for (const [credential, at, expected] of [
        [active, now, 'valid'],
        [encodeCredentialQr(active), now, 'valid'],
        [revoked, now, 'invalid'],
        [active, stale, 'indeterminate'],
      ] as const) {
        const browser = await browserRoot.verifyOffline(credential, inBrowser, anchor, { now: at });
        expect(browser.verdict, JSON.stringify(browser.checks)).to.equal(expected);
        expect(browser).to.deep.equal(await verifyOffline(credential, loaded, anchor, { now: at }));
      }
    });

    it('refuses a bundle signed outside the anchor, one without the bundle-signer role, and one with a byte changed', async () => {
      const stranger = createCa({ country: 'CN', organization: 'Zhejiang', commonName: 'ca.zhejiangmsp' });
      const forged = await resign(bundle, enroll(stranger, { enrollmentId: 'bundle-signer', attributes: { role: 'bundle-signer' } }));
      const foreign = await refusedWith(browserRoot.verifyOffline(active, forged, anchor), 'BUNDLE_REFUSED');
      expect(foreign.message).to.include('does not chain to a root of the trust anchor');
      const noRole = await refusedWith(browserRoot.verifyOffline(active, await resign(bundle, readerIdentity), anchor), 'BUNDLE_REFUSED');
      expect(noRole.message).to.include('not bundle-signer');
      const tampered = await refusedWith(browserRoot.verifyOffline(active, changeOneByte(bundle), anchor), 'BUNDLE_REFUSED');
      expect(tampered.message).to.match(/signature|JSON|JWS/i);
    });

    it('refuses a bundle when its signing certificate is not yet, or no longer, valid', async () => {
      const leaf = new X509Certificate(Buffer.from(decodeProtectedHeader(bundle).x5c?.[0] ?? '', 'base64'));
      for (const now of [new Date(Date.parse(leaf.validFrom) - 1000), new Date(Date.parse(leaf.validTo) + 1000)]) {
        const error = await refusedWith(browserRoot.loadBundle(bundle, anchor, { now }), 'BUNDLE_REFUSED');
        expect(error.message).to.match(/is not valid at/);
      }
    });
  });

  describe('npm run verify:offline (spawned, no server)', () => {
    it('exits 0 and prints the valid verdict for a credential given as @file', () => {
      const run = cli(file('bundle.jwt'), `@${file('active.txt')}`, '--anchor', file('anchor.json'));
      expect(run.code).to.equal(0);
      expect(run.verdict).to.include({ verdict: 'valid', valid: true });
    });

    it('exits 1 for the revoked credential given as text', () => {
      const run = cli(file('bundle.jwt'), revoked, '--anchor', file('anchor.json'));
      expect(run.code).to.equal(1);
      expect(run.verdict.verdict).to.equal('invalid');
    });

    it('exits 2 when the bundle is older than --max-age', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const run = cli(file('bundle.jwt'), active, '--anchor', file('anchor.json'), '--max-age', '0');
      expect(run.code).to.equal(2);
      expect(run.verdict.reason).to.equal(`status data from ${loaded.issuedAt.toISOString()}`);
    });

    it('exits 3 for a bundle with one byte changed, and for one signed outside the anchor', async () => {
      writeFileSync(file('tampered.jwt'), changeOneByte(bundle));
      const tampered = cli(file('tampered.jwt'), active, '--anchor', file('anchor.json'));
      expect(tampered.code).to.equal(3);
      expect(tampered.verdict.error?.code).to.equal('BUNDLE_REFUSED');
      const stranger = createCa({ country: 'CN', organization: 'Nowhere', commonName: 'ca.nowhere' });
      writeFileSync(file('foreign.jwt'), await resign(bundle, enroll(stranger, { enrollmentId: 'bundle-signer', attributes: { role: 'bundle-signer' } })));
      expect(cli(file('foreign.jwt'), active, '--anchor', file('anchor.json')).code).to.equal(3);
    });

    it('exits 64 with the usage when --anchor is missing', () => {
      expect(cli(file('bundle.jwt'), active).code).to.equal(64);
    });
  });

  it('offlineVerifyPerSec, for the bench, measures verifications from one loaded bundle', async () => {
    const rate = await offlineVerifyPerSec([active, revoked], bundle, anchor, 300);
    expect(rate).to.be.above(10);
  });
});
