/**
 * The shapes the ledger holds: provinces, issuing agencies with their keys, license anchors.
 * Shared by the chaincode (which writes them) and the server (which reads them), so both sides
 * agree on every field. Nothing here is personal data: a license anchor holds hashes, never a
 * name or an ID number.
 */
import type { ErrorCode } from './errors';

/** Statuses stored on the ledger. `expired` is never stored: it is derived from validUntil at read time. */
export const STORED_STATUSES = ['active', 'suspended', 'revoked', 'superseded'] as const;
export type StoredStatus = (typeof STORED_STATUSES)[number];
export type EffectiveStatus = StoredStatus | 'expired';

/**
 * Reasons are codes, never free text: free text on a shared ledger is where personal data leaks in.
 */
export const REASON_CODES = [
  'lost',
  'stolen',
  'damaged',
  'data-error',
  'holder-request',
  'holder-deceased',
  'fraud',
  'court-order',
  'administrative-penalty',
  'investigation',
  'investigation-cleared',
  'renewal',
  'replacement',
  'entity-dissolved',
  'other',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Why a license is renewed: the reasons a successor may name (a subset of REASON_CODES). */
export const RENEW_REASONS = ['renewal', 'replacement', 'data-error', 'lost', 'damaged'] as const satisfies readonly ReasonCode[];
export type RenewReason = (typeof RENEW_REASONS)[number];

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface AgencyKey {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url): the `kid` a credential names. */
  kid: string;
  jwk: PublicJwk;
  status: 'active' | 'retired';
  createdAt: string;
  /** When the key stopped signing; credentials it signed before this stay verifiable. */
  retiredAt: string | null;
}

export interface Province {
  docType: 'province';
  /** GB/T 2260 six-digit code of a province-level division, e.g. 330000. */
  code: string;
  mspId: string;
  registeredAt: string;
  txId: string;
}

export interface Agency {
  docType: 'agency';
  id: string;
  name: string;
  province: string;
  mspId: string;
  licenseTypes: string[];
  status: 'active' | 'suspended';
  keys: AgencyKey[];
  createdAt: string;
  updatedAt: string;
  updatedTxId: string;
}

/** A key as the trust registry resolves it by kid: the key and the agency that holds it. */
/** What a verifier knows of the agency holding a key: the trust registry's public record, no keys. */
export type AgencyRecord = Pick<Agency, 'id' | 'name' | 'province' | 'mspId' | 'status' | 'licenseTypes'>;

export function agencyRecordOf(agency: AgencyRecord): AgencyRecord {
  return { id: agency.id, name: agency.name, province: agency.province, mspId: agency.mspId, status: agency.status, licenseTypes: agency.licenseTypes };
}

export interface ResolvedKey extends AgencyKey {
  agency: AgencyRecord;
}

export interface IssuerRef {
  agencyId: string;
  mspId: string;
  province: string;
}

export interface LicenseAnchor {
  docType: 'license';
  id: string;
  type: string;
  issuer: IssuerRef;
  /** SHA-256 hex of the RFC 8785 form of { record, salt }; record and salt stay off-chain. */
  docHash: string;
  /** HMAC-SHA-256 hex of the holder's identifier under an off-ledger secret. */
  holderRef: string;
  status: StoredStatus;
  /** 'YYYY-MM-DD', inclusive, in China Standard Time. */
  validFrom: string;
  /** 'YYYY-MM-DD' inclusive, or null for a license valid long-term (长期). */
  validUntil: string | null;
  /** 1 on issue, +1 on every change. */
  version: number;
  supersedes: string | null;
  supersededBy: string | null;
  reason: ReasonCode | null;
  createdTxId: string;
  createdAt: string;
  updatedTxId: string;
  updatedAt: string;
}

/** Where a credential's status lives in its agency's Token Status List (core/status-list.ts), as an issuer asks the ledger to record it. */
export interface StatusEntryRef {
  listId: string;
  idx: number;
}

/** What the issuer submits to anchor one license. */
export interface AnchorInput {
  id: string;
  type: string;
  agencyId: string;
  docHash: string;
  holderRef: string;
  validFrom: string;
  validUntil: string | null;
  /** The status list entry of the license's first credential, registered in the same transaction. */
  statusEntry?: StatusEntryRef;
}

/** The ledger's answer to "does this license, with this docHash, stand?" — data, never an exception. */
export interface AnchorVerdict {
  licenseId: string;
  found: boolean;
  docHashMatches: boolean;
  status: EffectiveStatus | null;
  anchor: LicenseAnchor | null;
  /** The ledger's date ('YYYY-MM-DD', China Standard Time) the verdict was computed for. */
  checkedOn: string;
}

/** The status a reader sees: an active or suspended license past its last valid day is expired. */
export function effectiveStatus(anchor: Pick<LicenseAnchor, 'status' | 'validUntil'>, today: string): EffectiveStatus {
  if ((anchor.status === 'active' || anchor.status === 'suspended') && anchor.validUntil !== null && today > anchor.validUntil) {
    return 'expired';
  }
  return anchor.status;
}

export function isWithinValidity(anchor: Pick<LicenseAnchor, 'validFrom' | 'validUntil'>, today: string): boolean {
  return today >= anchor.validFrom && (anchor.validUntil === null || today <= anchor.validUntil);
}

/** The error a status change meets when the license is not in a state that allows it. */
export function statusRefusal(status: StoredStatus): ErrorCode {
  switch (status) {
    case 'revoked':
      return 'LICENSE_REVOKED';
    case 'superseded':
      return 'LICENSE_SUPERSEDED';
    case 'suspended':
      return 'LICENSE_NOT_ACTIVE';
    default:
      return 'LICENSE_NOT_SUSPENDED';
  }
}

export const MAX_BATCH_ISSUE = 500;
