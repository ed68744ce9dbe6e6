/**
 * Building a presentation from a held SD-JWT VC (RFC 9901 §4.3, §7.3): keep the issuer-signed JWT,
 * keep only the disclosures of the claims to show (and the objects on their way, for nested
 * claims), and append a KB-JWT (typ kb+jwt) signed by the holder key over nonce, aud, iat and the
 * sd_hash of exactly what is presented. Isomorphic: WebCrypto digests, jose for the signature.
 */
import { SignJWT, base64url, decodeJwt, type CryptoKey } from 'jose';

export interface HolderKey {
  /** Non-extractable in the browser: the private key never leaves WebCrypto. */
  privateKey: CryptoKey;
  publicJwk: { kty: string; crv: string; x: string; y: string };
}

export interface HeldDisclosure {
  encoded: string;
  digest: string;
  name: string;
  value: unknown;
  /** The claim path it discloses, `/` between levels. */
  path: string;
}

export interface HeldCredential {
  /** The issuer-signed JWT. */
  jws: string;
  payload: Record<string, unknown>;
  disclosures: HeldDisclosure[];
}

export async function generateHolderKey(): Promise<HolderKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('WebCrypto exported no EC coordinates');
  return { privateKey: pair.privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } };
}

export async function sha256Base64url(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits a held SD-JWT (all disclosures, ending in ~) and finds each disclosure's claim path. */
export async function readHeldCredential(compact: string): Promise<HeldCredential> {
  const pieces = compact.trim().split('~');
  const jws = pieces[0] ?? '';
  const payload = decodeJwt(jws) as Record<string, unknown>;
  const decoded = await Promise.all(
    pieces
      .slice(1)
      .filter((piece) => piece !== '' && !piece.includes('.'))
      .map(async (encoded) => {
        const [, name, value] = JSON.parse(new TextDecoder().decode(base64url.decode(encoded))) as [string, string, unknown];
        return { encoded, digest: await sha256Base64url(encoded), name, value };
      }),
  );
  const byDigest = new Map(decoded.map((disclosure) => [disclosure.digest, disclosure]));
  const disclosures: HeldDisclosure[] = [];
  const walk = (node: Record<string, unknown>, prefix: string[]): void => {
    for (const digest of Array.isArray(node._sd) ? node._sd : []) {
      const disclosure = typeof digest === 'string' ? byDigest.get(digest) : undefined;
      if (!disclosure) continue;
      const path = [...prefix, disclosure.name];
      disclosures.push({ ...disclosure, path: path.join('/') });
      if (isRecord(disclosure.value)) walk(disclosure.value, path);
    }
    for (const [name, value] of Object.entries(node)) if (name !== '_sd' && isRecord(value)) walk(value, [...prefix, name]);
  };
  walk(payload, []);
  return { jws, payload, disclosures };
}

/** The claim paths a held credential can disclose. */
export function disclosablePaths(held: HeldCredential): string[] {
  return held.disclosures.map((disclosure) => disclosure.path);
}

/** The disclosures that show `paths`: each asked claim and the objects on its way. */
export function selectDisclosures(held: HeldCredential, paths: readonly string[]): HeldDisclosure[] {
  return held.disclosures.filter((disclosure) => paths.some((path) => path === disclosure.path || path.startsWith(`${disclosure.path}/`)));
}

export interface KeyBindingInput {
  nonce: string;
  aud: string;
  holderKey: HolderKey;
  /** Seconds since the epoch; now by default. */
  iat?: number;
}

/** `<JWS>~<chosen disclosures>~<KB-JWT>`. */
export async function presentWithKeyBinding(held: HeldCredential, paths: readonly string[], binding: KeyBindingInput): Promise<string> {
  const chosen = selectDisclosures(held, paths);
  const presented = `${[held.jws, ...chosen.map((disclosure) => disclosure.encoded)].join('~')}~`;
  const kbJwt = await new SignJWT({ nonce: binding.nonce, aud: binding.aud, iat: binding.iat ?? Math.floor(Date.now() / 1000), sd_hash: await sha256Base64url(presented) })
    .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
    .sign(binding.holderKey.privateKey);
  return presented + kbJwt;
}
