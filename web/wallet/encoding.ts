/**
 * base64url and UTF-8 on the platform's own primitives (TextEncoder, btoa/atob), so the wallet runs
 * unchanged in a browser and on Node without Buffer.
 */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64UrlToBytes(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export function textToBase64Url(text: string): string {
  return bytesToBase64Url(new TextEncoder().encode(text));
}

export function base64UrlToText(text: string): string {
  return new TextDecoder().decode(base64UrlToBytes(text));
}

/** The JSON object in one part of a compact JWS (header or payload). */
export function decodeJwtPart(part: string | undefined): Record<string, unknown> {
  if (part === undefined) throw new TypeError('not a compact JWT');
  const value: unknown = JSON.parse(base64UrlToText(part));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('a JWT part is not a JSON object');
  return value as Record<string, unknown>;
}
