/**
 * Base45 (RFC 9285): two bytes become three characters of the QR code's alphanumeric set (little
 * end first), a last odd byte two. Pure and isomorphic: the printed QR form (credential-qr.ts) and
 * the wallet's holder-shown QR code (presentation/holder-qr-codec.ts) both use it.
 */
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const BASE45_VALUE = new Map(Array.from({ length: BASE45.length }, (_, index) => [BASE45.charAt(index), index]));

export class Base45Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Base45Error';
  }
}

export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    const first = bytes[i] ?? 0;
    const second = bytes[i + 1];
    let n = second === undefined ? first : first * 256 + second;
    const digits = second === undefined ? 2 : 3;
    for (let d = 0; d < digits; d++) {
      out += BASE45[n % 45] ?? '';
      n = Math.floor(n / 45);
    }
  }
  return out;
}

export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error('not Base45 (RFC 9285): a dangling character');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    let n = 0;
    for (let d = chunk.length - 1; d >= 0; d--) {
      const value = BASE45_VALUE.get(chunk.charAt(d));
      if (value === undefined) throw new Base45Error('not Base45 (RFC 9285): a character outside its alphabet');
      n = n * 45 + value;
    }
    if (chunk.length === 3) {
      if (n > 0xffff) throw new Base45Error('not Base45 (RFC 9285): a triple above 65535');
      bytes.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) throw new Base45Error('not Base45 (RFC 9285): a pair above 255');
      bytes.push(n);
    }
  }
  return Uint8Array.from(bytes);
}
