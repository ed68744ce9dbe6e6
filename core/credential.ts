/**
 * The credential a holder carries in a QR code: an SD-JWT VC (IETF draft-ietf-oauth-sd-jwt-vc,
 * RFC 9901 SD-JWT) in compact form — `<JWS>~<disclosure>~…~`, ES256, header `typ: dc+sd-jwt`,
 * `kid` = the issuing key's JWK thumbprint as the ledger's trust registry holds it.
 *
 * Claims (short names: the whole credential must fit a phone-scannable QR code):
 *   iss  issuing agency id            vct  license type id
 *   lid  license id on the ledger      dh   docHash, base64url of its 32 bytes
 *   iat  issued at                     nbf/exp  the license's validity (China Standard Time days)
 *   plus the type's display claims (name, birthdate, …).
 * Display claims travel in clear today; selective disclosure moves them into disclosures with
 * `_sd` digests, and holder binding adds `cnf` — neither changes this format, and the verifier
 * below already checks disclosures per RFC 9901.
 *
 * Pure: parsing and claim building only. Signing and signature checks live in the keys adapter.
 */
import { createHash } from 'node:crypto';
import { chinaDayStart } from './dates';
import { RegistryError } from './errors';

export const CREDENTIAL_TYP = 'dc+sd-jwt';
export const CREDENTIAL_ALG = 'ES256';
/** A credential longer than this is refused before any parsing: no QR code carries more. */
export const MAX_CREDENTIAL_BYTES = 4096;

export interface CredentialClaims {
  iss: string;
  vct: string;
  lid: string;
  dh: string;
  iat: number;
  nbf?: number;
  exp?: number;
  [claim: string]: unknown;
}

export interface CredentialInput {
  agencyId: string;
  licenseId: string;
  type: string;
  docHash: string;
  validFrom: string;
  validUntil: string | null;
  issuedAt: Date;
  display: Record<string, string | number>;
}

export function docHashToClaim(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64url');
}

export function docHashFromClaim(claim: string): string | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(claim)) return null;
  return Buffer.from(claim, 'base64url').toString('hex');
}

export function credentialClaims(input: CredentialInput): CredentialClaims {
  const claims: CredentialClaims = {
    iss: input.agencyId,
    vct: input.type,
    lid: input.licenseId,
    dh: docHashToClaim(input.docHash),
    iat: Math.floor(input.issuedAt.getTime() / 1000),
    nbf: chinaDayStart(input.validFrom),
  };
  // A license valid long-term (长期) has no expiry.
  if (input.validUntil !== null) claims.exp = chinaDayStart(input.validUntil, 1);
  for (const [name, value] of Object.entries(input.display)) {
    if (name in claims) throw new RegistryError('INTERNAL', `display claim ${name} would overwrite a registered claim`);
    claims[name] = value;
  }
  return claims;
}

export interface Disclosure {
  encoded: string;
  digest: string;
  name: string;
  value: unknown;
}

export interface ParsedCredential {
  /** The issuer-signed JWT, `header.payload.signature`. */
  jws: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: Buffer;
  disclosures: Disclosure[];
  /** A key bound to the decoded signature: the same for every spelling of the same credential. */
  ref: string;
}

export class CredentialFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialFormatError';
  }
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function decodeJsonPart(part: string, what: string): Record<string, unknown> {
  if (!B64URL.test(part)) throw new CredentialFormatError(`${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new CredentialFormatError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CredentialFormatError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function disclosureDigest(encoded: string): string {
  // RFC 9901 §4.2.3: the digest is over the ASCII bytes of the base64url disclosure as sent.
  return createHash('sha256').update(encoded, 'ascii').digest('base64url');
}

function parseDisclosure(encoded: string): Disclosure {
  if (!B64URL.test(encoded)) throw new CredentialFormatError('a disclosure is not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new CredentialFormatError('a disclosure is not JSON');
  }
  if (!Array.isArray(value) || value.length !== 3 || typeof value[0] !== 'string' || typeof value[1] !== 'string') {
    throw new CredentialFormatError('a disclosure must be [salt, claim name, value]');
  }
  if (value[1] === '_sd' || value[1] === '...') throw new CredentialFormatError(`a disclosure may not name ${value[1]}`);
  return { encoded, digest: disclosureDigest(encoded), name: value[1], value: value[2] };
}

/**
 * Splits and decodes a compact SD-JWT without trusting anything in it: the caller still has to
 * check the signature (over `jws`) and then call `applyDisclosures`.
 */
export function parseCredential(text: string): ParsedCredential {
  if (typeof text !== 'string' || text.length === 0) throw new CredentialFormatError('the credential is empty');
  if (Buffer.byteLength(text, 'utf8') > MAX_CREDENTIAL_BYTES) throw new CredentialFormatError(`the credential is larger than ${MAX_CREDENTIAL_BYTES} bytes`);
  const pieces = text.trim().split('~');
  const jws = pieces[0] ?? '';
  // `<JWS>~d1~d2~`: the last piece is empty (or a key-binding JWT, which this format never carries yet).
  const last = pieces.length > 1 ? pieces.at(-1) : '';
  if (last !== '') throw new CredentialFormatError('key-binding JWTs are not supported; the credential must end with ~');
  const [headerPart, payloadPart, signaturePart, ...extra] = jws.split('.');
  if (headerPart === undefined || payloadPart === undefined || signaturePart === undefined || extra.length > 0) {
    throw new CredentialFormatError('the signed part is not a compact JWS (header.payload.signature)');
  }
  const header = decodeJsonPart(headerPart, 'the JWS header');
  const payload = decodeJsonPart(payloadPart, 'the JWS payload');
  if (!B64URL.test(signaturePart)) throw new CredentialFormatError('the signature is not base64url');
  const signature = Buffer.from(signaturePart, 'base64url');
  const disclosures = pieces.slice(1, pieces.length > 1 ? -1 : undefined).map(parseDisclosure);
  return { jws, header, payload, signature, disclosures, ref: createHash('sha256').update(signature).digest('hex') };
}

/** Header rules the verifier holds to whatever the header says: ES256 only, our typ, a kid, no crit. */
export function checkHeader(header: Record<string, unknown>): string | null {
  if (header.alg !== CREDENTIAL_ALG) return `algorithm ${JSON.stringify(header.alg)} is not accepted (only ${CREDENTIAL_ALG})`;
  if (header.typ !== CREDENTIAL_TYP) return `typ must be ${CREDENTIAL_TYP}`;
  if (typeof header.kid !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(header.kid)) return 'kid must be a JWK thumbprint';
  // RFC 7515 §4.1.11: a recipient must reject critical extensions it does not understand; we understand none.
  if (header.crit !== undefined) return 'the header declares critical extensions this verifier does not understand';
  return null;
}

/**
 * Applies disclosures to the verified payload (RFC 9901 §7.1): every disclosure's digest must be
 * listed once in `_sd`, and may not overwrite a claim in clear. Returns the disclosed claims.
 */
export function applyDisclosures(payload: Record<string, unknown>, disclosures: Disclosure[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(payload)) if (name !== '_sd' && name !== '_sd_alg') claims[name] = value;
  if (disclosures.length === 0) return claims;
  const alg = payload._sd_alg ?? 'sha-256';
  if (alg !== 'sha-256') throw new CredentialFormatError(`_sd_alg ${String(alg)} is not supported`);
  const digests = Array.isArray(payload._sd) ? (payload._sd as unknown[]) : [];
  const used = new Set<string>();
  for (const disclosure of disclosures) {
    if (!digests.includes(disclosure.digest)) throw new CredentialFormatError(`disclosure of ${disclosure.name} is not covered by the signature`);
    if (used.has(disclosure.digest)) throw new CredentialFormatError(`disclosure of ${disclosure.name} appears twice`);
    if (disclosure.name in claims) throw new CredentialFormatError(`disclosure of ${disclosure.name} would overwrite a signed claim`);
    used.add(disclosure.digest);
    claims[disclosure.name] = disclosure.value;
  }
  return claims;
}

/** The registered claims every credential of ours carries, checked for type. */
export function readRegisteredClaims(claims: Record<string, unknown>): CredentialClaims {
  const text = (name: string, pattern: RegExp) => {
    const value = claims[name];
    if (typeof value !== 'string' || !pattern.test(value)) throw new CredentialFormatError(`claim ${name} is missing or malformed`);
    return value;
  };
  const seconds = (name: string, required: boolean) => {
    const value = claims[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new CredentialFormatError(`claim ${name} must be seconds since the epoch`);
    return value;
  };
  return {
    ...claims,
    iss: text('iss', /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/),
    vct: text('vct', /^[a-z][a-z0-9-]{1,47}$/),
    lid: text('lid', /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/),
    dh: text('dh', /^[A-Za-z0-9_-]{43}$/),
    iat: seconds('iat', true) as number,
    nbf: seconds('nbf', false),
    exp: seconds('exp', false),
  };
}
