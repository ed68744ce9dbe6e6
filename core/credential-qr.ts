/**
 * The QR form of a credential: the same compact SD-JWT, packed so the printed ID card's full
 * form (every disclosure, a status reference) fits a QR code of version 25 at error correction M
 * (an A6 card a phone camera reads at a counter). Measured on an ID card (test/http/credential-
 * standards.test.ts prints the figures): the compact text with every disclosure needs version
 * 28-29, because base64url spends 8 QR bits on every 6 bits of data and the disclosure digests
 * are base64url inside base64url. The QR form is the EU Digital COVID Certificate's recipe:
 *
 *   "ELC1:" + Base45(zlib(segments))                      (Base45: RFC 9285; zlib: RFC 1950)
 *   segments = version 1, flags (bit 0: a KB-JWT follows), disclosure count, then each part
 *              base64url-decoded with a 2-byte big-endian length: JWS header, payload,
 *              signature, each disclosure, and the KB-JWT's three parts when flagged
 *
 * Base45's alphabet is QR's alphanumeric set, so the text is 5.5 bits a character and any QR
 * reader returns it as text. Unpacking gives back the exact compact text (base64url without
 * padding has one spelling per byte string; packing refuses any other), so signatures, digests
 * and a KB-JWT's sd_hash hold unchanged. The verifier accepts either form.
 */
import { Inflate, deflate } from 'pako';
import { Base45Error, base45Decode as decodeBase45, base45Encode } from './base45';
import { CredentialFormatError, MAX_CREDENTIAL_BYTES } from './credential';

export const CREDENTIAL_QR_PREFIX = 'ELC1:';

const VERSION = 1;
const HAS_KB_JWT = 1;

export { base45Encode };

/** RFC 9285 Base45 as bytes; a malformed text is a CredentialFormatError of the QR form. */
export function base45Decode(text: string): Buffer {
  try {
    return Buffer.from(decodeBase45(text));
  } catch (error) {
    if (error instanceof Base45Error) throw new CredentialFormatError(`the QR form is ${error.message}`);
    throw error;
  }
}

function decodePart(part: string): Buffer {
  const bytes = Buffer.from(part, 'base64url');
  if (!/^[A-Za-z0-9_-]*$/.test(part) || bytes.toString('base64url') !== part) {
    throw new CredentialFormatError('a part of the credential is not canonical base64url, so it has no QR form');
  }
  if (bytes.length > 0xffff) throw new CredentialFormatError('a part of the credential is too long for its QR form');
  return bytes;
}

function jwsParts(jws: string): string[] {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new CredentialFormatError('not a compact JWS (header.payload.signature)');
  return parts;
}

/** The QR form of a compact SD-JWT (`<JWS>~<d>~…~` or `…~<KB-JWT>`). */
export function encodeCredentialQr(credential: string): string {
  const pieces = credential.split('~');
  if (pieces.length < 2) throw new CredentialFormatError('a bare JWS is not an SD-JWT');
  const kbJwt = pieces[pieces.length - 1] ?? '';
  const disclosures = pieces.slice(1, -1);
  if (disclosures.length > 0xff) throw new CredentialFormatError('too many disclosures for the QR form');
  const parts = [...jwsParts(pieces[0] ?? ''), ...disclosures, ...(kbJwt === '' ? [] : jwsParts(kbJwt))];
  const chunks: Buffer[] = [Buffer.from([VERSION, kbJwt === '' ? 0 : HAS_KB_JWT, disclosures.length])];
  for (const part of parts) {
    const bytes = decodePart(part);
    chunks.push(Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes);
  }
  return `${CREDENTIAL_QR_PREFIX}${base45Encode(deflate(Buffer.concat(chunks), { level: 9 }))}`;
}

export function isCredentialQr(text: string): boolean {
  return text.startsWith(CREDENTIAL_QR_PREFIX);
}

function readParts(packed: Buffer, count: number): string[] {
  const parts: string[] = [];
  let offset = 3;
  for (let i = 0; i < count; i++) {
    if (offset + 2 > packed.length) throw new CredentialFormatError('the QR form ends inside a part');
    const length = packed.readUInt16BE(offset);
    offset += 2;
    if (offset + length > packed.length) throw new CredentialFormatError('the QR form ends inside a part');
    parts.push(packed.subarray(offset, offset + length).toString('base64url'));
    offset += length;
  }
  if (offset !== packed.length) throw new CredentialFormatError('the QR form has bytes after its last part');
  return parts;
}

/**
 * zlib inflate (RFC 1950, Adler-32 checked) that stops as soon as the output passes `limit`
 * bytes, so a small QR text cannot make a counter inflate megabytes.
 */
function inflateWithin(data: Uint8Array, limit: number): Buffer {
  const inflater = new Inflate();
  const chunks: Uint8Array[] = [];
  let size = 0;
  inflater.onData = (chunk) => {
    // Without the `to: 'string'` option pako hands out bytes; its typing also allows text and ArrayBuffer.
    if (!(chunk instanceof Uint8Array)) throw new CredentialFormatError('the QR form does not inflate to bytes');
    size += chunk.length;
    if (size > limit) throw new CredentialFormatError(`the QR form inflates beyond ${limit} bytes`);
    chunks.push(chunk);
  };
  // push returns true only once the stream's end and its Adler-32 were read.
  if (!inflater.push(data, true)) throw new CredentialFormatError('the QR form does not inflate (zlib, RFC 1950)');
  return Buffer.concat(chunks, size);
}

/** The compact SD-JWT a QR form packs; refuses anything else, and bounds what it inflates. */
export function decodeCredentialQr(text: string): string {
  if (!isCredentialQr(text)) throw new CredentialFormatError(`the QR form starts with ${CREDENTIAL_QR_PREFIX}`);
  if (text.length > MAX_CREDENTIAL_BYTES) throw new CredentialFormatError(`the credential is larger than ${MAX_CREDENTIAL_BYTES} bytes`);
  let packed: Buffer;
  try {
    // A compact credential is at most MAX_CREDENTIAL_BYTES; its packed bytes are fewer.
    packed = inflateWithin(base45Decode(text.slice(CREDENTIAL_QR_PREFIX.length)), MAX_CREDENTIAL_BYTES);
  } catch (error) {
    if (error instanceof CredentialFormatError) throw error;
    throw new CredentialFormatError('the QR form does not inflate (zlib, RFC 1950) within the size limit');
  }
  const [version, flags, count] = [packed[0], packed[1], packed[2]];
  if (version !== VERSION || flags === undefined || count === undefined || (flags & ~HAS_KB_JWT) !== 0) {
    throw new CredentialFormatError('the QR form is not version 1');
  }
  const hasKb = (flags & HAS_KB_JWT) !== 0;
  const parts = readParts(packed, 3 + count + (hasKb ? 3 : 0));
  const jws = parts.slice(0, 3).join('.');
  const disclosures = parts.slice(3, 3 + count);
  const kbJwt = hasKb ? parts.slice(3 + count).join('.') : '';
  return `${[jws, ...disclosures].join('~')}~${kbJwt}`;
}
