/**
 * The credential a holder carries: an SD-JWT VC (IETF draft-ietf-oauth-sd-jwt-vc over RFC 9901
 * SD-JWT) in compact form, `<JWS>~<disclosure>~…~` (and `…~<KB-JWT>` when a holder presents it),
 * ES256, header `typ: dc+sd-jwt`, `kid` = the issuing key's RFC 7638 thumbprint as the ledger's
 * trust registry files it.
 *
 * In clear, only what a check needs (README "The credential" gives the reasoning per claim):
 *   iss   <base>/issuers/<agencyId>: its issuer metadata lists the keys (a view of the ledger)
 *   vct   urn:cn:elicense:vct:<typeId>: the same name in every province
 *   lid   license id on the ledger (the anchor check reads it)
 *   iat, nbf/exp   issue time (key retirement), the license's validity
 *   status   { status_list: { idx, uri } } (IETF Token Status List), when the issuer has a list
 *   cnf   { jwk }: the holder's key, for the wallet form only
 * Every claim about the holder is selectively disclosable: `_sd` digests (`_sd_alg: sha-256`),
 * with objects kept as containers whose members are disclosed one by one.
 *
 * Pure: claims, parsing and disclosure processing. Signing and signature checks live elsewhere.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { chinaDayStart } from './dates';
import { RegistryError } from './errors';
import { JWK_THUMBPRINT } from './jwk';
import { REGISTRY_ID } from './registry-id';
import type { SubjectClaims } from './license-types/descriptor';

export const CREDENTIAL_TYP = 'dc+sd-jwt';
/** `vc+sd-jwt` is the media type of earlier drafts; the draft asks verifiers to accept it during the transition. */
export const ACCEPTED_TYPS: readonly string[] = [CREDENTIAL_TYP, 'vc+sd-jwt'];
export const CREDENTIAL_ALG = 'ES256';
export const SD_ALG = 'sha-256';
/** A credential longer than this is refused before any parsing: no QR code carries more. */
export const MAX_CREDENTIAL_BYTES = 4096;

/** One national name per license type: the ledger's type registry is national, so is its vct. */
export const VCT_PREFIX = 'urn:cn:elicense:vct:';
/** Issuers live under `<base>/issuers/<agencyId>`; other issuer kinds (provinces) add their own prefix. */
export const AGENCY_ISSUER_PREFIX = 'issuers/';

const TYPE_ID = /^[a-z][a-z0-9-]{1,47}$/;

export function vctOf(typeId: string): string {
  return `${VCT_PREFIX}${typeId}`;
}

/** The license type id a vct names, or null when it is not one of ours. */
export function typeIdOfVct(vct: string): string | null {
  if (!vct.startsWith(VCT_PREFIX)) return null;
  const id = vct.slice(VCT_PREFIX.length);
  return TYPE_ID.test(id) ? id : null;
}

export function issuerUrl(baseUrl: string, agencyId: string): string {
  return `${baseUrl}/${AGENCY_ISSUER_PREFIX}${agencyId}`;
}

/** Loopback hosts may use plain http: the local default, and tests. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The agency id an `iss` names: an https URL (http only on a loopback host) whose path ends in
 * `/issuers/<agencyId>`, no query or fragment. Null otherwise. The host is not checked: any
 * province's node issues under its own base URL, and keys come from the shared ledger.
 */
export function agencyIdOfIssuer(iss: string): string | null {
  let url: URL;
  try {
    url = new URL(iss);
  } catch {
    return null;
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!secure || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return null;
  const match = /\/issuers\/([^/]+)$/.exec(url.pathname);
  const id = match?.[1];
  return id !== undefined && REGISTRY_ID.test(id) ? id : null;
}

export interface StatusReference {
  idx: number;
  uri: string;
}

/** A public JWK of the holder, as `cnf.jwk` carries it (RFC 7800). */
export type HolderJwk = Readonly<Record<string, unknown>>;

export interface CredentialInput {
  /** The node's public base URL, no trailing slash (`https://zj.example.cn`, `http://127.0.0.1:3000`). */
  issuerBaseUrl: string;
  agencyId: string;
  licenseId: string;
  type: string;
  validFrom: string;
  validUntil: string | null;
  issuedAt: Date;
  /** The holder's claims (core/license-types credentialSubject): every one selectively disclosable. */
  subject: SubjectClaims;
  /** The license's entry in its issuer's status list (IETF Token Status List). */
  status?: StatusReference;
  /** The holder's public key: the wallet form is bound to it (`cnf.jwk`); the printed form has none. */
  holderJwk?: HolderJwk;
}

export interface CredentialClaims {
  iss: string;
  vct: string;
  lid: string;
  iat: number;
  nbf?: number;
  exp?: number;
  status?: { status_list: StatusReference };
  cnf?: { jwk: HolderJwk };
  [claim: string]: unknown;
}

/** RFC 9901 disclosure frame, as @sd-jwt/core reads it: `_sd` lists the members that become disclosures. */
export interface DisclosureFrame {
  _sd?: string[];
  [container: string]: DisclosureFrame | string[] | undefined;
}

const REGISTERED = new Set(['iss', 'vct', 'lid', 'iat', 'nbf', 'exp', 'status', 'cnf', 'sub', '_sd', '_sd_alg', '...']);

/** Registered and internal claims, never part of the holder's claims shown to a counter. */
export function isRegisteredClaim(name: string): boolean {
  return REGISTERED.has(name);
}

/**
 * The payload before packing, and the frame saying which claims become disclosures: every
 * top-level subject value is one disclosure; an object stays in clear as a container whose
 * members are one disclosure each (RFC 9901 §6.2's structured form), so `age_equal_or_over.18`
 * is shown without `.60`, and a container adds no digest of its own to the QR code.
 */
export function credentialPayload(input: CredentialInput): { payload: CredentialClaims; frame: DisclosureFrame } {
  const payload: CredentialClaims = {
    iss: issuerUrl(input.issuerBaseUrl, input.agencyId),
    vct: vctOf(input.type),
    lid: input.licenseId,
    iat: Math.floor(input.issuedAt.getTime() / 1000),
    nbf: chinaDayStart(input.validFrom),
  };
  // A license valid long-term (长期) has no expiry.
  if (input.validUntil !== null) payload.exp = chinaDayStart(input.validUntil, 1);
  if (input.status) payload.status = { status_list: { idx: input.status.idx, uri: input.status.uri } };
  if (input.holderJwk) payload.cnf = { jwk: input.holderJwk };
  const frame: DisclosureFrame = { _sd: [] };
  for (const [name, value] of Object.entries(input.subject)) {
    if (isRegisteredClaim(name)) throw new RegistryError('INTERNAL', `subject claim ${name} would overwrite a registered claim`);
    payload[name] = value;
    if (typeof value === 'object') frame[name] = { _sd: Object.keys(value) };
    else frame._sd?.push(name);
  }
  return { payload, frame };
}

export interface Disclosure {
  encoded: string;
  digest: string;
  /** The claim name; null for an array element disclosure. */
  name: string | null;
  value: unknown;
}

export interface KeyBindingJwt {
  /** The compact KB-JWT, `header.payload.signature`, as presented. */
  jwt: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface ParsedCredential {
  /** The issuer-signed JWT, `header.payload.signature`. */
  jws: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: Buffer;
  disclosures: Disclosure[];
  /** A holder's key-binding JWT when the text is a presentation (`…~<KB-JWT>`); verified by the holder-binding check. */
  kbJwt: KeyBindingJwt | null;
  /** The SD-JWT the KB-JWT's `sd_hash` covers: everything up to and including the last `~`. */
  sdJwt: string;
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

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeJson(part: string, what: string): unknown {
  if (!B64URL.test(part)) throw new CredentialFormatError(`${what} is not base64url`);
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new CredentialFormatError(`${what} is not JSON`);
  }
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  const value = decodeJson(part, what);
  if (!isJsonObject(value)) throw new CredentialFormatError(`${what} is not a JSON object`);
  return value;
}

/** RFC 9901 §4.2.3: the digest is over the ASCII bytes of the base64url disclosure as sent. */
export function disclosureDigest(encoded: string): string {
  return Buffer.from(sha256(Buffer.from(encoded, 'ascii'))).toString('base64url');
}

function parseDisclosure(encoded: string): Disclosure {
  const value = decodeJson(encoded, 'a disclosure');
  if (!Array.isArray(value) || typeof value[0] !== 'string') throw new CredentialFormatError('a disclosure must be [salt, claim name, value] or [salt, value]');
  if (value.length === 2) return { encoded, digest: disclosureDigest(encoded), name: null, value: value[1] as unknown };
  const name: unknown = value[1];
  if (value.length !== 3 || typeof name !== 'string') throw new CredentialFormatError('a disclosure must be [salt, claim name, value] or [salt, value]');
  if (name === '_sd' || name === '...') throw new CredentialFormatError(`a disclosure may not name ${name}`);
  return { encoded, digest: disclosureDigest(encoded), name, value: value[2] as unknown };
}

interface CompactJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: Buffer;
}

function parseCompactJws(jws: string, what: string): CompactJws {
  const parts = jws.split('.');
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
    throw new CredentialFormatError(`${what} is not a compact JWS (header.payload.signature)`);
  }
  if (!B64URL.test(signature)) throw new CredentialFormatError(`the signature of ${what} is not base64url`);
  return {
    header: decodeJsonObject(header, `the header of ${what}`),
    payload: decodeJsonObject(payload, `the payload of ${what}`),
    signature: Buffer.from(signature, 'base64url'),
  };
}

/**
 * ECDSA signatures are malleable: (r, s) and (r, n − s) both verify. We emit the low-S one and
 * refuse the other, so one credential has one spelling and strict verifiers (noble's defaults)
 * accept ours.
 */
export function isLowS(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return !p256.Signature.fromBytes(signature, 'compact').hasHighS();
  } catch {
    return false;
  }
}

/**
 * Splits and decodes a compact SD-JWT without trusting anything in it: the caller still has to
 * check the signature (over `jws`), apply the disclosures and verify a KB-JWT if there is one.
 * Refuses the non-canonical spellings: no `~` at all (a bare JWS), a high-S signature.
 */
export function parseCredential(text: string): ParsedCredential {
  if (text.length === 0) throw new CredentialFormatError('the credential is empty');
  if (Buffer.byteLength(text, 'utf8') > MAX_CREDENTIAL_BYTES) throw new CredentialFormatError(`the credential is larger than ${MAX_CREDENTIAL_BYTES} bytes`);
  const trimmed = text.trim();
  const pieces = trimmed.split('~');
  const jws = pieces[0] ?? '';
  const last = pieces[pieces.length - 1] ?? '';
  if (pieces.length < 2) throw new CredentialFormatError('a bare JWS is not an SD-JWT: the credential must end with ~ (or carry a key-binding JWT after it)');
  const { header, payload, signature } = parseCompactJws(jws, 'the issuer-signed JWT');
  if (!isLowS(signature)) throw new CredentialFormatError('the signature is not a 64-byte ES256 signature in low-S form (s must be at most n/2)');
  const encodedDisclosures = pieces.slice(1, -1);
  if (encodedDisclosures.includes('')) throw new CredentialFormatError('an empty disclosure (~~) is not allowed');
  let kbJwt: KeyBindingJwt | null = null;
  if (last !== '') {
    const kb = parseCompactJws(last, 'the key-binding JWT');
    kbJwt = { jwt: last, header: kb.header, payload: kb.payload };
  }
  return {
    jws,
    header,
    payload,
    signature,
    disclosures: encodedDisclosures.map(parseDisclosure),
    kbJwt,
    sdJwt: trimmed.slice(0, trimmed.length - last.length),
    ref: bytesToHex(sha256(signature)),
  };
}

/** Header rules the verifier holds to whatever the header says: ES256 only, an SD-JWT VC typ, a kid, no crit. */
export function checkHeader(header: Record<string, unknown>): string | null {
  if (header.alg !== CREDENTIAL_ALG) return `algorithm ${JSON.stringify(header.alg)} is not accepted (only ${CREDENTIAL_ALG})`;
  if (typeof header.typ !== 'string' || !ACCEPTED_TYPS.includes(header.typ)) return `typ must be ${ACCEPTED_TYPS.join(' or ')}`;
  if (typeof header.kid !== 'string' || !JWK_THUMBPRINT.test(header.kid)) return 'kid must be a JWK thumbprint';
  // RFC 7515 §4.1.11: a recipient must reject critical extensions it does not understand; we understand none.
  if (header.crit !== undefined) return 'the header declares critical extensions this verifier does not understand';
  return null;
}

interface Expansion {
  byDigest: ReadonlyMap<string, Disclosure>;
  used: Set<string>;
}

function take(digest: unknown, expansion: Expansion): Disclosure | null {
  if (typeof digest !== 'string') throw new CredentialFormatError('an _sd digest is not a string');
  const disclosure = expansion.byDigest.get(digest);
  // A digest without a disclosure is either undisclosed or a decoy: both simply stay hidden.
  if (!disclosure) return null;
  if (expansion.used.has(digest)) throw new CredentialFormatError('a digest is referenced twice');
  expansion.used.add(digest);
  return disclosure;
}

function expandValue(value: unknown, expansion: Expansion): unknown {
  if (Array.isArray(value)) return expandArray(value, expansion);
  if (isJsonObject(value)) return expandObject(value, expansion);
  return value;
}

function expandArray(items: unknown[], expansion: Expansion): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (isJsonObject(item) && Object.keys(item).length === 1 && Object.hasOwn(item, '...')) {
      const disclosure = take(item['...'], expansion);
      if (disclosure && disclosure.name !== null) throw new CredentialFormatError('an array element disclosure must be [salt, value]');
      if (disclosure) out.push(expandValue(disclosure.value, expansion));
    } else {
      out.push(expandValue(item, expansion));
    }
  }
  return out;
}

function expandObject(object: Record<string, unknown>, expansion: Expansion): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object)) if (name !== '_sd' && name !== '_sd_alg') out[name] = expandValue(value, expansion);
  const digests = object._sd;
  if (digests === undefined) return out;
  if (!Array.isArray(digests)) throw new CredentialFormatError('_sd must be an array of digests');
  for (const digest of digests) {
    const disclosure = take(digest, expansion);
    if (!disclosure) continue;
    if (disclosure.name === null) throw new CredentialFormatError('an object member disclosure must be [salt, name, value]');
    if (Object.hasOwn(out, disclosure.name)) throw new CredentialFormatError(`disclosure of ${disclosure.name} would overwrite a signed claim`);
    out[disclosure.name] = expandValue(disclosure.value, expansion);
  }
  return out;
}

/**
 * Applies disclosures to the verified payload (RFC 9901 §7.1): each disclosure's digest must be
 * listed once (in an `_sd` or an array's `...`), at any depth, and may not overwrite a claim.
 * Returns the processed claims, without `_sd` and `_sd_alg`.
 */
export function applyDisclosures(payload: Record<string, unknown>, disclosures: readonly Disclosure[]): Record<string, unknown> {
  const alg = payload._sd_alg ?? SD_ALG;
  if (alg !== SD_ALG) throw new CredentialFormatError(`_sd_alg ${JSON.stringify(alg)} is not supported`);
  const byDigest = new Map<string, Disclosure>();
  for (const disclosure of disclosures) {
    if (byDigest.has(disclosure.digest)) throw new CredentialFormatError(`disclosure of ${disclosure.name ?? 'an array element'} appears twice`);
    byDigest.set(disclosure.digest, disclosure);
  }
  const expansion: Expansion = { byDigest, used: new Set() };
  const claims = expandObject(payload, expansion);
  const stray = disclosures.find((disclosure) => !expansion.used.has(disclosure.digest));
  if (stray) throw new CredentialFormatError(`disclosure of ${stray.name ?? 'an array element'} is not covered by the signature`);
  return claims;
}

function readText(claims: Record<string, unknown>, name: string, valid: (value: string) => boolean): string {
  const value = claims[name];
  if (typeof value !== 'string' || !valid(value)) throw new CredentialFormatError(`claim ${name} is missing or malformed`);
  return value;
}

/** 9999-12-31T23:59:59Z: the last second a four-digit year can write. */
export const MAX_EPOCH_SECONDS = 253402300799;

function readSeconds(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  // Bounded so that every date claim is a real Date: beyond the Date range `new Date(iat * 1000)`
  // is Invalid and every comparison with it false, which would switch off the checks that use it.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_EPOCH_SECONDS) {
    throw new CredentialFormatError(`claim ${name} must be seconds since the epoch, up to the end of year 9999`);
  }
  return value;
}

function readStatus(value: unknown): { status_list: StatusReference } | undefined {
  if (value === undefined) return undefined;
  const list = isJsonObject(value) ? value.status_list : undefined;
  if (!isJsonObject(list) || typeof list.idx !== 'number' || !Number.isInteger(list.idx) || list.idx < 0 || typeof list.uri !== 'string') {
    throw new CredentialFormatError('claim status must be { status_list: { idx, uri } }');
  }
  return { status_list: { idx: list.idx, uri: list.uri } };
}

function readCnf(value: unknown): { jwk: HolderJwk } | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value) || !isJsonObject(value.jwk)) throw new CredentialFormatError('claim cnf must be { jwk: {…} }');
  return { jwk: value.jwk };
}

/** The registered claims every credential of ours carries, checked for type and form. */
export function readRegisteredClaims(claims: Record<string, unknown>): CredentialClaims {
  const iat = readSeconds(claims, 'iat');
  if (iat === undefined) throw new CredentialFormatError('claim iat must be seconds since the epoch');
  const read: CredentialClaims = {
    ...claims,
    iss: readText(claims, 'iss', (value) => agencyIdOfIssuer(value) !== null),
    vct: readText(claims, 'vct', (value) => typeIdOfVct(value) !== null),
    lid: readText(claims, 'lid', (value) => REGISTRY_ID.test(value)),
    iat,
  };
  const nbf = readSeconds(claims, 'nbf');
  const exp = readSeconds(claims, 'exp');
  const status = readStatus(claims.status);
  const cnf = readCnf(claims.cnf);
  if (nbf !== undefined) read.nbf = nbf;
  if (exp !== undefined) read.exp = exp;
  if (status) read.status = status;
  if (cnf) read.cnf = cnf;
  return read;
}
