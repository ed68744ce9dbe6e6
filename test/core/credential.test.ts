/**
 * The credential's pure parts: the QR form packs and unpacks any compact SD-JWT exactly (with a
 * KB-JWT too), Base45 as RFC 9285 spells it; disclosures are applied at any depth and refused
 * when they are not covered, repeated or overwrite a claim; iss and vct read only in our forms.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import {
  CredentialFormatError,
  agencyIdOfIssuer,
  applyDisclosures,
  disclosureDigest,
  parseCredential,
  typeIdOfVct,
  vctOf,
  type Disclosure,
} from '../../core/credential';
import { base45Decode, base45Encode, decodeCredentialQr, encodeCredentialQr } from '../../core/credential-qr';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function disclosure(value: unknown[]): Disclosure {
  const encoded = b64(value);
  return { encoded, digest: disclosureDigest(encoded), name: value.length === 3 ? (value[1] as string) : null, value: value.at(-1) };
}

describe('core: the credential', () => {
  describe('QR form', () => {
    it('spells Base45 as RFC 9285 §4.3 does, in the QR alphanumeric alphabet', () => {
      for (const [text, encoded] of [
        ['AB', 'BB8'],
        ['Hello!!', '%69 VD92EX0'],
        ['base-45', 'UJCLQE7W581'],
      ] as const) {
        expect(base45Encode(Buffer.from(text))).to.equal(encoded);
        expect(base45Decode(encoded).toString()).to.equal(text);
      }
      expect(() => base45Decode('GGW')).to.throw(CredentialFormatError);
      const jws = `${b64({ alg: 'ES256' })}.${b64({ a: 1 })}.${randomBytes(64).toString('base64url')}`;
      const packed = encodeCredentialQr(`${jws}~`);
      expect(packed).to.match(/^ELC1:[0-9A-Z $%*+\-./:]+$/);
      expect(decodeCredentialQr(packed)).to.equal(`${jws}~`);
    });

    it('round-trips disclosures and a KB-JWT exactly, and refuses what it cannot spell back', () => {
      const jws = `${b64({ alg: 'ES256', typ: 'dc+sd-jwt' })}.${b64({ iss: 'x', _sd: ['a'] })}.${randomBytes(64).toString('base64url')}`;
      const kb = `${b64({ typ: 'kb+jwt', alg: 'ES256' })}.${b64({ nonce: 'n' })}.${randomBytes(64).toString('base64url')}`;
      for (const text of [`${jws}~`, `${jws}~${b64(['s', 'name', '张伟'])}~${b64(['t', 'n', 1])}~`, `${jws}~${b64(['s', 'name', '张伟'])}~${kb}`]) {
        expect(decodeCredentialQr(encodeCredentialQr(text))).to.equal(text);
      }
      expect(() => encodeCredentialQr(jws)).to.throw(CredentialFormatError);
      expect(() => encodeCredentialQr(`${jws}=~`)).to.throw(CredentialFormatError);
      expect(() => decodeCredentialQr('ELC1:AB')).to.throw(CredentialFormatError);
    });

    it('reads cards packed by node:zlib before the packer moved to pako, and node reads the new ones: one zlib format', () => {
      const jws = `${b64({ alg: 'ES256', typ: 'dc+sd-jwt' })}.${b64({ iss: 'x', _sd: ['a'] })}.${randomBytes(64).toString('base64url')}`;
      const text = `${jws}~${b64(['s', 'name', '张伟'])}~`;
      const packed = base45Decode(encodeCredentialQr(text).slice('ELC1:'.length));
      const nodePacked = `ELC1:${base45Encode(deflateSync(inflateSync(packed), { level: 9 }))}`;
      expect(decodeCredentialQr(nodePacked)).to.equal(text);
      // A changed Adler-32 (the last four bytes) is refused, as node:zlib refused it.
      const broken = Buffer.from(packed);
      broken[broken.length - 1] = (broken.at(-1) ?? 0) ^ 1;
      expect(() => decodeCredentialQr(`ELC1:${base45Encode(broken)}`)).to.throw(CredentialFormatError, /inflate/);
      // A small text that inflates past the credential size limit is refused, not inflated.
      const bomb = `ELC1:${base45Encode(deflateSync(Buffer.alloc(1 << 20), { level: 9 }))}`;
      expect(() => decodeCredentialQr(bomb)).to.throw(CredentialFormatError, /beyond/);
    });
  });

  describe('disclosures', () => {
    const name = disclosure(['salt1', 'name', '张伟']);
    const over18 = disclosure(['salt2', '18', true]);
    const element = disclosure(['salt3', 'second']);
    const payload = {
      iss: 'x',
      _sd_alg: 'sha-256',
      _sd: [name.digest, 'decoy'],
      age_equal_or_over: { _sd: [over18.digest] },
      list: ['first', { '...': element.digest }],
    };

    it('applies them at any depth and drops undisclosed digests', () => {
      expect(applyDisclosures(payload, [name, over18, element])).to.deep.equal({
        iss: 'x',
        name: '张伟',
        age_equal_or_over: { 18: true },
        list: ['first', 'second'],
      });
      expect(applyDisclosures(payload, [])).to.deep.equal({ iss: 'x', age_equal_or_over: {}, list: ['first'] });
    });

    it('refuses one not covered, one given twice, one overwriting a claim', () => {
      const stray = disclosure(['salt4', 'nationality', 'XX']);
      expect(() => applyDisclosures(payload, [name, stray])).to.throw(/not covered/);
      expect(() => applyDisclosures(payload, [name, name])).to.throw(/twice/);
      const clash = disclosure(['salt5', 'iss', 'y']);
      expect(() => applyDisclosures({ ...payload, _sd: [clash.digest] }, [clash])).to.throw(/overwrite/);
    });

    it('digests the disclosure text as sent (RFC 9901 §4.2.3)', () => {
      expect(name.digest).to.equal(createHash('sha256').update(name.encoded).digest('base64url'));
    });
  });

  describe('registered names', () => {
    it('reads an agency from an https (or loopback http) issuer URL only', () => {
      expect(agencyIdOfIssuer('https://zj.example.cn/issuers/zj-psb')).to.equal('zj-psb');
      expect(agencyIdOfIssuer('http://127.0.0.1:3000/issuers/zj-psb')).to.equal('zj-psb');
      for (const iss of [
        'zj-psb',
        'http://zj.example.cn/issuers/zj-psb',
        'https://zj.example.cn/issuers/zj-psb?x=1',
        'https://zj.example.cn/agencies/zj-psb',
      ]) {
        expect(agencyIdOfIssuer(iss), iss).to.equal(null);
      }
    });

    it('names each type with one national vct', () => {
      expect(vctOf('id-card')).to.equal('urn:cn:elicense:vct:id-card');
      expect(typeIdOfVct('urn:cn:elicense:vct:id-card')).to.equal('id-card');
      expect(typeIdOfVct('id-card')).to.equal(null);
    });

    it('parses a key-binding JWT after the last ~ and refuses a bare JWS', () => {
      const signature = Buffer.alloc(64, 1).toString('base64url');
      const jws = `${b64({ alg: 'ES256' })}.${b64({ iss: 'x' })}.${signature}`;
      const kb = `${b64({ typ: 'kb+jwt' })}.${b64({ nonce: 'n' })}.${signature}`;
      const parsed = parseCredential(`${jws}~${kb}`);
      expect(parsed.kbJwt?.payload).to.deep.equal({ nonce: 'n' });
      expect(parsed.sdJwt).to.equal(`${jws}~`);
      expect(() => parseCredential(jws)).to.throw(/bare JWS/);
    });
  });
});
