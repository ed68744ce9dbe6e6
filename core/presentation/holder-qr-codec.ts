/**
 * The holder-shown QR code's compact encoding ("EL1:"). A compact SD-JWT+KB-JWT is base64url text
 * of JSON, which a QR code carries in byte mode at 8 bits a character although it holds only 6
 * bits of information. This encoding, reversible to the exact same characters (signatures and
 * `_sd` digests cover the base64url text), does three things:
 *   1. each JWS header, JWS payload and disclosure is replaced by the JSON text it encodes, so the
 *      compressor sees the JSON (segments separated by U+001F for "." and U+001E for "~", which
 *      JSON text never contains raw); a segment whose bytes would not re-encode to the very same
 *      characters (non-canonical base64url, not UTF-8, not JSON) is kept as it was;
 *   2. strings every presentation of ours repeats (header templates, claim names, the status and
 *      cnf scaffolding) are replaced by one control character each from a fixed table — a preset
 *      dictionary in effect; JSON text never contains raw control characters, so this is reversible;
 *   3. the result is compressed with raw DEFLATE (RFC 1951; CompressionStream, in browsers and Node);
 *   4. the bytes are written in Base45 (RFC 9285), whose 45 characters are exactly the QR code's
 *      alphanumeric mode (5.5 bits a character instead of 8), behind the prefix `EL1:`.
 * Nothing is dropped: the verifier rebuilds the presentation and checks every signature as sent.
 * Isomorphic (TextEncoder, CompressionStream, jose's base64url): the wallet in the browser encodes,
 * the verifier on the server decodes.
 */
import { base64url } from 'jose';
import { Base45Error, base45Decode, base45Encode } from '../base45';

export const HOLDER_QR_PREFIX = 'EL1:';
const DOT = '\u001f';
const TILDE = '\u001e';
/**
 * Part of the EL1 format, never edited (a change is EL2). Longest first; each entry's token is the
 * control character at its position in TOKENS.
 */
const PHRASES = [
  '{"alg":"ES256","typ":"dc+sd-jwt","kid":"',
  '"cnf":{"jwk":{"kty":"EC","crv":"P-256","x":"',
  '"cnf":{"jwk":{"crv":"P-256","kty":"EC","x":"',
  '"status":{"status_list":{"idx":',
  '{"alg":"ES256","typ":"kb+jwt"}',
  '"vct":"urn:cn:elicense:vct:',
  '"age_equal_or_over":{',
  '"_sd_alg":"sha-256"',
  '"sd_hash":"',
  '/api/v1/',
  '"birthdate"',
  '"nonce":"',
  '"_sd":["',
  '"iss":"',
  '"uri":"',
  '"aud":"',
  '"iat":',
  '"nbf":',
  '"exp":',
  '"lid":"',
  '"dh":"',
  '"name"',
  '"y":"',
  '","',
] as const;
const TOKENS =
  '\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b';
/** A decoded presentation larger than this is refused before inflating further (a zip bomb guard). */
const MAX_DECODED_BYTES = 8192;

export class HolderQrFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HolderQrFormatError';
  }
}

export function isHolderQr(text: string): boolean {
  return text.startsWith(HOLDER_QR_PREFIX);
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  void writer
    .write(bytes)
    .then(() => writer.close())
    .catch(() => undefined);
  const reader = (stream.readable as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new HolderQrFormatError(`the decoded presentation is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The JSON text a segment encodes, when writing it back gives the very same characters; else null. */
function jsonTextOf(segment: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(segment));
  } catch {
    return null;
  }
  // Raw control characters are the separators and phrase tokens: JSON text never holds any.
  if (!(text.startsWith('{') || text.startsWith('[')) || hasControlCharacter(text)) return null;
  return base64url.encode(text) === segment ? text : null;
}

function packSegment(segment: string): string {
  return jsonTextOf(segment) ?? segment;
}

function substitutePhrases(text: string): string {
  return PHRASES.reduce((out, phrase, index) => out.replaceAll(phrase, TOKENS.charAt(index)), text);
}

function restorePhrases(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    const token = text.charCodeAt(i) < 0x20 ? TOKENS.indexOf(char) : -1;
    out += token >= 0 ? (PHRASES[token] ?? char) : char;
  }
  return out;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

function unpackSegment(segment: string): string {
  // base64url never starts with "{" or "[": a segment that does is JSON text packSegment unwrapped.
  return segment.startsWith('{') || segment.startsWith('[') ? base64url.encode(segment) : segment;
}

/** A compact SD-JWT(+KB-JWT) → `EL1:<Base45 of raw DEFLATE>`. */
export async function encodeHolderQr(presentation: string): Promise<string> {
  const packed = presentation
    .split('~')
    .map((piece) => piece.split('.').map(packSegment).join(DOT))
    .join(TILDE);
  const compressed = await pipe(new TextEncoder().encode(substitutePhrases(packed)), new CompressionStream('deflate-raw'), MAX_DECODED_BYTES * 2);
  return HOLDER_QR_PREFIX + base45Encode(compressed);
}

/** `EL1:…` → the compact SD-JWT(+KB-JWT) it was made from. */
export async function decodeHolderQr(text: string): Promise<string> {
  if (!isHolderQr(text)) throw new HolderQrFormatError(`a holder QR code starts with ${HOLDER_QR_PREFIX}`);
  let compressed: Uint8Array;
  try {
    compressed = base45Decode(text.slice(HOLDER_QR_PREFIX.length));
  } catch (error) {
    if (error instanceof Base45Error) throw new HolderQrFormatError(`the holder QR code is ${error.message}`);
    throw error;
  }
  let packed: Uint8Array;
  try {
    packed = await pipe(compressed, new DecompressionStream('deflate-raw'), MAX_DECODED_BYTES);
  } catch (error) {
    if (error instanceof HolderQrFormatError) throw error;
    throw new HolderQrFormatError('the holder QR code does not inflate');
  }
  const textForm = restorePhrases(new TextDecoder('utf-8', { fatal: false }).decode(packed));
  return textForm
    .split(TILDE)
    .map((piece) => piece.split(DOT).map(unpackSegment).join('.'))
    .join('~');
}
