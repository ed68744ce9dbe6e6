/**
 * The holder's P-256 keys on WebCrypto (`globalThis.crypto.subtle`): generated non-extractable, so
 * neither the page nor anything it loads can read the private key out; only sign with it. In the
 * browser the CryptoKey object itself is stored in IndexedDB (structured clone keeps it
 * non-extractable); on Node the same code runs on Node's WebCrypto.
 */
import type { CryptoKey } from 'jose';
import { bytesToBase64Url, textToBase64Url } from './encoding';

export interface HolderPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface HolderKey {
  /** RFC 7638 thumbprint of the public key. */
  id: string;
  publicJwk: HolderPublicJwk;
  privateKey: CryptoKey;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function sha256(data: string | ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
export async function jwkThumbprint(jwk: HolderPublicJwk): Promise<string> {
  return bytesToBase64Url(await sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })));
}

export async function generateHolderKey(): Promise<HolderKey> {
  // extractable=false applies to the private key; WebCrypto always lets the public key out.
  const pair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (typeof exported.x !== 'string' || typeof exported.y !== 'string') throw new Error('WebCrypto exported a P-256 key without coordinates');
  const publicJwk: HolderPublicJwk = { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y };
  return { id: await jwkThumbprint(publicJwk), publicJwk, privateKey: pair.privateKey };
}

// The order n of P-256: a signature (r, s) and (r, n − s) are both valid; strict verifiers
// (noble's defaults, the registry's own) accept only s ≤ n/2, and WebCrypto does not normalise.
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function toLowS(signature: Uint8Array): Uint8Array {
  const s = signature.slice(32);
  const value = BigInt(`0x${Array.from(s, (byte) => byte.toString(16).padStart(2, '0')).join('')}`);
  if (value <= P256_ORDER >> 1n) return signature;
  const low = (P256_ORDER - value).toString(16).padStart(64, '0');
  const result = new Uint8Array(64);
  result.set(signature.slice(0, 32));
  for (let index = 0; index < 32; index += 1) result[32 + index] = parseInt(low.slice(index * 2, index * 2 + 2), 16);
  return result;
}

/** An ES256 signature over the ASCII signing input, base64url (JWS form: r‖s, 64 bytes, low-S). */
export async function signEs256(privateKey: CryptoKey, signingInput: string): Promise<string> {
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(signingInput)));
  return bytesToBase64Url(toLowS(signature));
}

/** A compact JWS `header.payload.signature` signed ES256 by the holder key. */
export async function signJwt(privateKey: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const signingInput = `${textToBase64Url(JSON.stringify(header))}.${textToBase64Url(JSON.stringify(payload))}`;
  return `${signingInput}.${await signEs256(privateKey, signingInput)}`;
}
