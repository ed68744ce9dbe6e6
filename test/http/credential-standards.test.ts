/**
 * The credential as outsiders see it: a wallet vendor's or another province's verifier with the
 * OpenWallet Foundation's SD-JWT VC library and nothing of ours but the URLs the credential names
 * (issuer metadata found from `iss`, the key by `kid`); a thief reading a QR code, who must learn
 * nothing the holder did not disclose; a phone camera at a counter, which must read the printed
 * card's QR code.
 */
import { expect } from 'chai';
import { verify as cryptoVerify, createPublicKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';
import { isLowS } from '../../core/credential';
import { decodeCredentialQr, encodeCredentialQr } from '../../core/credential-qr';
import { makeBusinessLicenseRequest, makePropertyCertificateRequest, makeIdCardRequest, type IssueRequest } from '../../core/license-types';
import type { PrivateJwk } from '../../server/src/ports/keys';
import { startTestServer, type TestServer } from '../support/registry-server';
import { ifStarted } from '../support/defined';

const TODAY = '2026-11-28';

/** Requests of each type from the demo's agencies, current today (the server's clock is real). */
function currentRequest(make: (seed: number) => IssueRequest, from: number): IssueRequest {
  for (let seed = from; ; seed++) {
    try {
      const request = make(seed);
      if (request.validFrom <= TODAY && (request.validUntil === null || request.validUntil > '2027-06-01')) return request;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
}

const TYPES = [
  { type: 'id-card', agency: 'zj-psb', make: (seed: number) => makeIdCardRequest(seed, { province: '330000', validFrom: '2026-06-01' }) },
  { type: 'business-license', agency: 'zj-amr', make: (seed: number) => makeBusinessLicenseRequest(seed, { province: '330000' }) },
  { type: 'property-certificate', agency: 'sc-nr', make: (seed: number) => makePropertyCertificateRequest(seed, { province: '510000' }) },
] as const;

interface IssuerMetadata {
  issuer: string;
  jwks: { keys: Array<Record<string, unknown> & { kid: string }> };
}

function decodeJson(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * SD-JWT VC issuer-metadata key resolution, as the draft words it: the well-known path is
 * inserted between the host and the path of `iss`; the document's `issuer` must equal `iss`;
 * the key is the one whose `kid` the JWT header names.
 */
async function resolveIssuerKey(data: string): Promise<Record<string, unknown>> {
  const [headerPart, payloadPart] = data.split('.');
  const header = decodeJson(headerPart);
  const iss = String(decodeJson(payloadPart).iss);
  const url = new URL(iss);
  const response = await fetch(`${url.origin}/.well-known/jwt-vc-issuer${url.pathname}`);
  if (!response.ok) throw new Error(`issuer metadata: HTTP ${response.status}`);
  const metadata = (await response.json()) as IssuerMetadata;
  if (metadata.issuer !== iss) throw new Error('issuer metadata names another issuer');
  const jwk = metadata.jwks.keys.find((key) => key.kid === header.kid);
  if (!jwk) throw new Error(`no key ${String(header.kid)} in the issuer metadata`);
  return jwk;
}

/** The outside verifier: the OWF library with standard issuer-metadata resolution and @sd-jwt/crypto-nodejs, no project code. */
function outsideVerifier(): SDJwtVcInstance {
  return new SDJwtVcInstance({
    hasher: digest,
    verifier: async (data: string, signature: string) => {
      const jwk = await resolveIssuerKey(data);
      return (await ES256.getVerifier(jwk))(data, signature);
    },
  });
}

/** Where a string can show in base64url text: at each of the three byte offsets, without the characters its neighbours share. */
function base64urlForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64url');
    return encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + bytes.length) * 4) / 3));
  });
}

/** The holder's personal values in a request, each a string of at least two characters. */
function personalValues(request: IssueRequest): string[] {
  const values: string[] = [];
  const collect = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 2) values.push(value);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect);
  };
  collect(request.holder);
  collect(request.data);
  return values;
}

describe('the credential on open standards', function () {
  this.timeout(120000);
  let server: TestServer;
  const issued: Array<{ type: string; request: IssueRequest; credential: string; licenseId: string }> = [];

  before(async () => {
    server = await startTestServer();
    for (const [index, { type, agency, make }] of TYPES.entries()) {
      const request = currentRequest(make, 500 + index * 100);
      const response = await server.api('POST', '/api/v1/licenses', { key: server.agencyKey(agency), body: request });
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      issued.push({ type, request, credential: response.body.credential as string, licenseId: response.body.licenseId as string });
    }
  });
  after(() => ifStarted(server, (started) => started.remove()));

  describe('an outside verifier (OpenWallet Foundation SD-JWT VC, issuer metadata only)', () => {
    it('verifies each of the three types and sees every disclosed claim', async () => {
      for (const { type, credential, licenseId, request } of issued) {
        const { payload, header } = await outsideVerifier().verify(credential);
        expect(header, type).to.include({ alg: 'ES256', typ: 'dc+sd-jwt' });
        expect(payload, type).to.include({ vct: `urn:cn:elicense:vct:${type}`, lid: licenseId });
        expect(payload.iss, type).to.match(/^http:\/\/127\.0\.0\.1:\d+\/issuers\/[a-z-]+$/);
        expect(payload, type).to.include({ name: request.holder.name });
      }
    });

    it('rejects each type once tampered (a payload claim, the signature) and never shows a changed disclosure', async () => {
      for (const { type, credential } of issued) {
        const [jws = '', ...rest] = credential.split('~');
        const [header = '', payload = '', signature = ''] = jws.split('.');
        const changedPayload = Buffer.from(JSON.stringify({ ...decodeJson(payload), lid: '330000-0000000000000' })).toString('base64url');
        const bytes = Buffer.from(signature, 'base64url');
        bytes.writeUInt8(bytes.readUInt8(5) ^ 0x01, 5);
        for (const tampered of [
          `${header}.${changedPayload}.${signature}~${rest.join('~')}`,
          `${header}.${payload}.${bytes.toString('base64url')}~${rest.join('~')}`,
        ]) {
          let refused = false;
          await outsideVerifier()
            .verify(tampered)
            .catch(() => {
              refused = true;
            });
          expect(refused, `${type}: ${tampered.slice(0, 40)}`).to.equal(true);
        }
        // @sd-jwt/core 0.17 drops a disclosure no digest covers instead of refusing the whole SD-JWT
        // (RFC 9901 §7.1 asks for a refusal; our verifier's disclosures check does refuse): the changed
        // value must at least never reach the caller.
        const [salt, name] = JSON.parse(Buffer.from(rest[0] ?? '', 'base64url').toString('utf8')) as [string, string];
        const changedDisclosure = Buffer.from(JSON.stringify([salt, name, '李四'])).toString('base64url');
        const { payload: seen } = await outsideVerifier().verify(`${jws}~${[changedDisclosure, ...rest.slice(1)].join('~')}`);
        expect(JSON.stringify(seen), type).to.not.include('李四');
        const ours = await server.api('POST', '/api/v1/verify', { body: { credential: `${jws}~${[changedDisclosure, ...rest.slice(1)].join('~')}` } });
        expect(ours.body.reason, type).to.equal('disclosures');
      }
    });
  });

  describe('selective disclosure', () => {
    it('holds none of the holder’s personal values in clear in the signed payload (raw, or base64url at any offset)', () => {
      for (const { type, credential, request } of issued) {
        const jws = credential.split('~')[0] ?? '';
        const payloadJson = JSON.stringify(decodeJson(jws.split('.')[1]));
        const disclosed = credential
          .split('~')
          .slice(1)
          .filter((piece) => piece !== '')
          .map((piece) => (JSON.parse(Buffer.from(piece, 'base64url').toString('utf8')) as unknown[]).at(-1))
          .filter((value): value is string => typeof value === 'string' && value.length >= 2);
        const values = [...personalValues(request), ...disclosed];
        expect(values.length, type).to.be.greaterThan(3);
        for (const value of values) {
          expect(payloadJson, `${type}: ${value}`).to.not.include(value);
          expect(jws, `${type}: ${value}`).to.not.include(value);
          for (const form of base64urlForms(value)) expect(jws, `${type}: ${value} as ${form}`).to.not.include(form);
        }
      }
    });

    it('each disclosure hides its claim: left out, the verifier no longer sees it', async () => {
      const counter = server.counterKey('510000');
      for (const { type, credential } of issued) {
        const [jws = '', ...rest] = credential.split('~');
        const disclosures = rest.filter((piece) => piece !== '');
        expect(disclosures.length, type).to.be.at.least(3);
        for (const [index, disclosure] of disclosures.entries()) {
          const [, name, value] = JSON.parse(Buffer.from(disclosure, 'base64url').toString('utf8')) as [string, string, unknown];
          const others = disclosures.filter((_, other) => other !== index);
          const result = await server.api('POST', '/api/v1/verify', { key: counter, body: { credential: `${jws}~${others.map((d) => `${d}~`).join('')}` } });
          expect(result.body.valid, `${type} without ${name}`).to.equal(true);
          const claims = result.body.license.claims as Record<string, unknown>;
          const seen = [claims, ...Object.values(claims).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)];
          expect(
            seen.some((object) => Object.hasOwn(object, name) && JSON.stringify(object[name]) === JSON.stringify(value)),
            `${type}: ${name}`,
          ).to.equal(false);
        }
      }
    });
  });

  describe('signatures', () => {
    it('are low-S: 200 signatures of the issuing signer, while raw OpenSSL ones are high-S about half the time', () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const signer = server.running.registry.keys.es256Signer(privateKey.export({ format: 'jwk' }) as unknown as PrivateJwk);
      let rawHigh = 0;
      for (let i = 0; i < 200; i++) {
        const data = `header.payload-${i}`;
        const signature = Buffer.from(signer(data), 'base64url');
        expect(isLowS(signature), `signature ${i}`).to.equal(true);
        expect(cryptoVerify('sha256', Buffer.from(data), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature), `signature ${i}`).to.equal(true);
        if (!isLowS(cryptoSign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' }))) rawHigh += 1;
      }
      expect(rawHigh, 'the check would catch high-S signatures').to.be.greaterThan(50);
      for (const { credential } of issued) expect(isLowS(Buffer.from((credential.split('~')[0] ?? '').split('.')[2] ?? '', 'base64url'))).to.equal(true);
    });

    it('are accepted by a strict verifier given the key from the issuer metadata (node crypto, ieee-p1363)', async () => {
      for (const { credential } of issued) {
        const jws = credential.split('~')[0] ?? '';
        const [header = '', payload = '', signature = ''] = jws.split('.');
        const key = createPublicKey({ key: (await resolveIssuerKey(`${header}.${payload}`)) as import('node:crypto').JsonWebKey, format: 'jwk' });
        expect(cryptoVerify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).to.equal(
          true,
        );
      }
    });
  });

  describe('the printed ID card fits a QR code a phone reads (version ≤ 25, error correction M)', () => {
    const version = (text: string) => QRCode.create(text, { errorCorrectionLevel: 'M' }).version;

    it('measures the ID card with every disclosure, with none, and with a status reference, and keeps the printed QR form within version 25', async () => {
      const { credential, licenseId } = issued[0] ?? { credential: '', licenseId: '' };
      const noDisclosures = `${credential.split('~')[0] ?? ''}~`;
      const registry = server.running.registry;
      const row = await registry.store.getLicense(licenseId);
      const record = row?.record as { holder: { name: string }; data: { birthDate: string } } | undefined;
      const withStatus = (
        await registry.credentials.issue({
          license: { licenseId, agencyId: 'zj-psb', type: 'id-card', validFrom: row?.validFrom ?? '', validUntil: row?.validUntil ?? null },
          subject: {
            name: record?.holder.name ?? '',
            birthdate: record?.data.birthDate ?? '',
            age_equal_or_over: { 18: true, 60: false },
            address: { region: '浙江省' },
          },
          status: { idx: 99999, uri: `${server.url}/api/v1/status-lists/zj-psb/0` },
        })
      ).credential;
      const figures = {
        allDisclosures: {
          chars: credential.length,
          qrVersion: version(credential),
          qrForm: encodeCredentialQr(credential).length,
          qrFormVersion: version(encodeCredentialQr(credential)),
        },
        noDisclosures: {
          chars: noDisclosures.length,
          qrVersion: version(noDisclosures),
          qrForm: encodeCredentialQr(noDisclosures).length,
          qrFormVersion: version(encodeCredentialQr(noDisclosures)),
        },
        withStatusReference: {
          chars: withStatus.length,
          qrVersion: version(withStatus),
          qrForm: encodeCredentialQr(withStatus).length,
          qrFormVersion: version(encodeCredentialQr(withStatus)),
        },
      };
      console.log(`      ID card QR figures (error correction M): ${JSON.stringify(figures)}`);
      expect(figures.allDisclosures.qrFormVersion).to.be.at.most(25);
      expect(figures.withStatusReference.qrFormVersion).to.be.at.most(25);
      expect(figures.noDisclosures.qrVersion).to.be.at.most(25);
      for (const text of [credential, noDisclosures, withStatus]) expect(decodeCredentialQr(encodeCredentialQr(text))).to.equal(text);
    });

    it('renders the QR form, which a scanner reads back and /verify accepts as scanned', async () => {
      const { credential, licenseId } = issued[0] ?? { credential: '', licenseId: '' };
      const png = await server.api('GET', `/api/v1/licenses/${licenseId}/qr.png`, { key: server.agencyKey('zj-psb') });
      const image = PNG.sync.read(png.bytes);
      const scanned = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? '';
      expect(scanned).to.equal(encodeCredentialQr(credential));
      expect(decodeCredentialQr(scanned)).to.equal(credential);
      const result = await server.api('POST', '/api/v1/verify', { key: server.counterKey('510000'), body: { credential: scanned } });
      expect(result.body.valid, JSON.stringify(result.body.checks)).to.equal(true);
      expect(result.body.checks[0].detail).to.match(/QR form/);
    });

    it('refuses a QR form with a changed character, or one that inflates beyond the size limit, as format', async () => {
      const { credential } = issued[0] ?? { credential: '' };
      const packed = encodeCredentialQr(credential);
      const position = packed.length - 10;
      const changed = `${packed.slice(0, position)}${packed.charAt(position) === 'A' ? 'B' : 'A'}${packed.slice(position + 1)}`;
      for (const text of [changed, 'ELC1:', 'ELC1:%%%%']) {
        const result = await server.api('POST', '/api/v1/verify', { body: { credential: text } });
        expect(result.body.valid, text.slice(0, 20)).to.equal(false);
        expect(result.body.checks.filter((check: { ok: boolean }) => !check.ok).map((check: { name: string }) => check.name)).to.deep.equal(['format']);
      }
    });
  });
});
