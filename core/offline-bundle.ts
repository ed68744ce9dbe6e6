/**
 * The two documents a counter with no network works from (README, "Offline verification"):
 *
 *   trust anchor   the provinces' root CA certificates as the ledger's channel configuration holds
 *                  them; provisioned once, unsigned (it is the root of trust itself, so it is
 *                  compared out of band, e.g. by its SHA-256 against the province's notice)
 *   offline bundle one JWT signed by a province's bundle signer, whose certificate (`x5c`) must
 *                  chain to a root of the anchor; it carries the trust registry, the Type Metadata
 *                  documents and every status list token, and its issue time `iat`
 *
 * Shapes and parsers only: no I/O, no crypto (the signature is checked by an adapter).
 */
import { RegistryError } from './errors';

export const TRUST_ANCHOR_FORMAT = 'elicense-trust-anchor/1';
export const OFFLINE_BUNDLE_FORMAT = 'elicense-offline-bundle/1';
export const OFFLINE_BUNDLE_TYP = 'elicense-offline-bundle+jwt';
/** The Fabric CA attribute a certificate needs to sign offline bundles. */
export const BUNDLE_SIGNER_ROLE = 'bundle-signer';
/** A bundle older than this (seconds) no longer makes a credential `valid` offline. */
export const DEFAULT_OFFLINE_MAX_AGE_SECONDS = 24 * 3600;

export interface TrustAnchorProvince {
  /** GB/T 2260 province code. */
  code: string;
  name: string;
  names: { zh: string; en: string };
  mspId: string;
  /** PEM root certificates of the province's CA, as the channel configuration lists them. */
  rootCertificates: string[];
}

export interface TrustAnchor {
  format: typeof TRUST_ANCHOR_FORMAT;
  channel: string;
  /** When this node read it from the ledger (ISO 8601). */
  generatedAt: string;
  provinces: TrustAnchorProvince[];
}

export interface BundleKey {
  kid: string;
  jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  status: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface BundleAgency {
  id: string;
  name: string;
  province: string;
  mspId: string;
  status: 'active' | 'suspended';
  licenseTypes: string[];
  keys: BundleKey[];
}

export interface BundleProvince {
  code: string;
  mspId: string;
  /** Keys the province signs its status list tokens with. */
  statusListKeys: BundleKey[];
}

/** A status list token exactly as `uri` serves it (its own signature is checked again offline). */
export interface BundleStatusList {
  uri: string;
  token: string;
}

export interface OfflineBundleClaims {
  format: typeof OFFLINE_BUNDLE_FORMAT;
  /** The signing node's province code. */
  iss: string;
  /** Issue time (seconds): the age of everything inside. */
  iat: number;
  agencies: BundleAgency[];
  provinces: BundleProvince[];
  /** SD-JWT VC Type Metadata documents by `vct`. */
  typeMetadata: Record<string, Record<string, unknown>>;
  statusLists: BundleStatusList[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(message: string): never {
  throw new RegistryError('BUNDLE_REFUSED', message);
}

function stringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function anchorProvince(value: unknown): TrustAnchorProvince {
  if (!isRecord(value) || typeof value.code !== 'string' || typeof value.mspId !== 'string' || !stringArray(value.rootCertificates)) {
    refuse('a trust anchor province needs code, mspId and rootCertificates');
  }
  const names = isRecord(value.names) ? value.names : {};
  const name = typeof value.name === 'string' ? value.name : value.code;
  return {
    code: value.code,
    name,
    names: { zh: typeof names.zh === 'string' ? names.zh : name, en: typeof names.en === 'string' ? names.en : name },
    mspId: value.mspId,
    rootCertificates: value.rootCertificates,
  };
}

/** Reads a trust anchor file's JSON; refuses anything but the documented format. */
export function parseTrustAnchor(value: unknown): TrustAnchor {
  if (!isRecord(value) || value.format !== TRUST_ANCHOR_FORMAT) refuse(`the trust anchor is not in the format ${TRUST_ANCHOR_FORMAT}`);
  if (!Array.isArray(value.provinces) || value.provinces.length === 0) refuse('the trust anchor lists no province');
  return {
    format: TRUST_ANCHOR_FORMAT,
    channel: typeof value.channel === 'string' ? value.channel : '',
    generatedAt: typeof value.generatedAt === 'string' ? value.generatedAt : '',
    provinces: value.provinces.map(anchorProvince),
  };
}

function listOf(claims: Record<string, unknown>, name: string): unknown[] {
  const value = claims[name];
  if (!Array.isArray(value)) refuse(`the bundle's ${name} is not a list`);
  return value;
}

/**
 * The bundle's claims once its signature has been checked: the shape is checked here so that a
 * well-signed but malformed bundle is refused as a whole, never half-used.
 */
export function readBundleClaims(claims: Record<string, unknown>): OfflineBundleClaims {
  if (claims.format !== OFFLINE_BUNDLE_FORMAT) refuse(`the bundle is not in the format ${OFFLINE_BUNDLE_FORMAT}`);
  if (typeof claims.iat !== 'number' || !Number.isSafeInteger(claims.iat) || claims.iat < 0) refuse('the bundle has no valid iat');
  if (typeof claims.iss !== 'string') refuse('the bundle has no iss');
  const agencies = listOf(claims, 'agencies');
  const provinces = listOf(claims, 'provinces');
  const statusLists = listOf(claims, 'statusLists');
  if (!agencies.every(isAgency)) refuse('an agency in the bundle is malformed');
  if (!provinces.every(isProvince)) refuse('a province in the bundle is malformed');
  if (!statusLists.every((list) => isRecord(list) && typeof list.uri === 'string' && typeof list.token === 'string'))
    refuse('a status list in the bundle is malformed');
  const typeMetadata = claims.typeMetadata;
  if (!isRecord(typeMetadata) || !Object.values(typeMetadata).every(isRecord)) refuse("the bundle's typeMetadata is malformed");
  return {
    format: OFFLINE_BUNDLE_FORMAT,
    iss: claims.iss,
    iat: claims.iat,
    agencies,
    provinces,
    typeMetadata: typeMetadata as Record<string, Record<string, unknown>>,
    statusLists: statusLists as BundleStatusList[],
  };
}

function isKey(value: unknown): value is BundleKey {
  return (
    isRecord(value) &&
    typeof value.kid === 'string' &&
    isRecord(value.jwk) &&
    typeof value.status === 'string' &&
    typeof value.createdAt === 'string' &&
    (value.retiredAt === null || typeof value.retiredAt === 'string')
  );
}

function isAgency(value: unknown): value is BundleAgency {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.province === 'string' &&
    typeof value.mspId === 'string' &&
    (value.status === 'active' || value.status === 'suspended') &&
    stringArray(value.licenseTypes) &&
    Array.isArray(value.keys) &&
    value.keys.every(isKey)
  );
}

function isProvince(value: unknown): value is BundleProvince {
  return (
    isRecord(value) &&
    typeof value.code === 'string' &&
    typeof value.mspId === 'string' &&
    Array.isArray(value.statusListKeys) &&
    value.statusListKeys.every(isKey)
  );
}
