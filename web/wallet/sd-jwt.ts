/**
 * SD-JWT operations for the wallet on @sd-jwt/core, with its hashing and signing hooks on WebCrypto
 * (the library's own crypto package for browsers is not a dependency of ours).
 */
import { SDJwtInstance } from '@sd-jwt/core';
import type { PresentationFrame } from '@sd-jwt/types';
import type { CryptoKey } from 'jose';
import { signEs256, sha256 } from './holder-key';

export type ClaimPath = Array<string | number>;

async function hasher(data: string | ArrayBuffer, alg: string): Promise<Uint8Array> {
  // RFC 9901 §4.1.1: the issuer names the algorithm; ours and every credential we accept use sha-256.
  if (alg.toLowerCase() !== 'sha-256') throw new Error(`hash algorithm ${alg} is not supported`);
  return sha256(data);
}

export function sdJwtFor(holderKey?: CryptoKey): SDJwtInstance<Record<string, unknown>> {
  return new SDJwtInstance({
    hasher,
    hashAlg: 'sha-256',
    ...(holderKey ? { kbSigner: (input: string) => signEs256(holderKey, input), kbSignAlg: 'ES256' } : {}),
  });
}

/** Every claim of the credential with all its disclosures applied. */
export async function credentialClaims(credential: string): Promise<Record<string, unknown>> {
  return (await sdJwtFor().getClaims(credential)) as Record<string, unknown>;
}

/** The claim paths that a disclosure carries (and so may be withheld). */
export async function presentablePaths(credential: string): Promise<ClaimPath[]> {
  const keys = await sdJwtFor().presentableKeys(credential);
  return keys.map((key) => key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)));
}

/** { name: true, age_equal_or_over: { 18: true } } from [['name'], ['age_equal_or_over', '18']]. */
export function presentationFrame(paths: readonly ClaimPath[]): PresentationFrame<Record<string, unknown>> {
  const frame: Record<string, unknown> = {};
  for (const path of paths) {
    let node = frame;
    path.forEach((part, index) => {
      const key = String(part);
      if (index === path.length - 1) {
        if (typeof node[key] !== 'object') node[key] = true;
        return;
      }
      const next = node[key];
      node[key] = typeof next === 'object' && next !== null ? next : {};
      node = node[key] as Record<string, unknown>;
    });
  }
  return frame as PresentationFrame<Record<string, unknown>>;
}

export function samePath(a: ClaimPath, b: ClaimPath): boolean {
  return a.length === b.length && a.every((part, index) => String(part) === String(b[index]));
}

export function valueAt(claims: Record<string, unknown>, path: ClaimPath): unknown {
  let node: unknown = claims;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    const key = String(part);
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
