import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalize } from './canonical-json';
import { RegistryError } from './errors';
import type { PublicJwk } from './anchor';

/** RFC 7638 thumbprint of an EC key: SHA-256 over the required members in lexicographic order. */
export function jwkThumbprint(jwk: PublicJwk): string {
  return Buffer.from(sha256(utf8ToBytes(canonicalize({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })))).toString('base64url');
}

const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/** An RFC 7638 thumbprint as a kid: base64url of a SHA-256 digest, 43 characters. */
export const JWK_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Accepts only a public ES256 key (EC P-256, both coordinates, no private part) whose point is on
 * the curve, and returns it reduced to its required members.
 */
export function parsePublicJwk(value: unknown): PublicJwk {
  if (typeof value !== 'object' || value === null) throw new RegistryError('INVALID_ARGUMENT', 'jwk must be an object');
  const jwk = value as Record<string, unknown>;
  if (Object.hasOwn(jwk, 'd')) throw new RegistryError('INVALID_ARGUMENT', 'jwk must be a public key (it carries a private part "d")');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new RegistryError('INVALID_ARGUMENT', 'jwk must be an EC P-256 key (ES256)');
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || !COORDINATE.test(jwk.x) || !COORDINATE.test(jwk.y)) {
    throw new RegistryError('INVALID_ARGUMENT', 'jwk x and y must be 32-byte base64url coordinates');
  }
  const key: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  try {
    // SEC 1 uncompressed form; fromBytes checks each coordinate is below p and the point is on the curve.
    p256.Point.fromBytes(Uint8Array.from([0x04, ...Buffer.from(key.x, 'base64url'), ...Buffer.from(key.y, 'base64url')]));
  } catch {
    throw new RegistryError('INVALID_ARGUMENT', 'jwk is not a point on P-256');
  }
  return key;
}
