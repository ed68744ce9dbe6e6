/**
 * Token Status List (IETF draft-ietf-oauth-status-list) as the ledger holds it: each credential
 * points at one entry `(agency, list, idx)` of its agency's lists, and the ledger records which
 * license each entry belongs to and whether the entry itself was invalidated (a wallet credential
 * bound to a lost phone). The value served in the list is derived from the entry and the license's
 * status, so any node reading the shared ledger serves the same list.
 *
 * Shared by the chaincode (which writes entries) and the server (which builds the lists).
 */
import type { PublicJwk, StatusEntryRef, StoredStatus } from './anchor';

export type { StatusEntryRef };

/**
 * Entries per list: fixed, never shrinking, so a list's length says nothing about how many
 * licenses it covers, and a random index hides issuance order among 131,072 (herd privacy).
 * At 2 bits per entry a list is 32 KiB before compression.
 */
export const STATUS_LIST_SIZE = 2 ** 17;
export const STATUS_LIST_BITS = 2;

/** The `typ` of a status list token (the draft's "Status List Token in JWT Format"): signed by a node, read by any verifier. */
export const STATUS_LIST_TYP = 'statuslist+jwt';

/** Status types of the draft's registry (section "Status Types"). */
export const STATUS_VALID = 0;
export const STATUS_INVALID = 1;
export const STATUS_SUSPENDED = 2;
export type StatusValue = typeof STATUS_VALID | typeof STATUS_INVALID | typeof STATUS_SUSPENDED;

/** A list id is the list's decimal number within its agency (1, 2, …). */
export const LIST_ID_PATTERN = /^[1-9][0-9]{0,5}$/;

/** An entry as the ledger stores it. */
export interface StatusEntry {
  docType: 'statusEntry';
  agencyId: string;
  listId: string;
  idx: number;
  licenseId: string;
  /** Set once the credential that points here must stop verifying while its license stands. */
  invalidated: boolean;
  createdTxId: string;
  createdAt: string;
  invalidatedAt: string | null;
}

/** An entry with the status of its license: what a list is built from, in queries and events. */
export interface StatusEntryView {
  agencyId: string;
  listId: string;
  idx: number;
  licenseId: string;
  invalidated: boolean;
  licenseStatus: StoredStatus;
  /** When the entry was registered: a license's first entry is its printed credential's. */
  createdAt: string;
}

/**
 * The value an entry shows. Expiry is not a status here: an expired license stays VALID in the
 * list because validity is checked from the credential's own dates, as the draft leaves it.
 */
export function statusValue(licenseStatus: StoredStatus, invalidated: boolean): StatusValue {
  if (invalidated) return STATUS_INVALID;
  switch (licenseStatus) {
    case 'active':
      return STATUS_VALID;
    case 'suspended':
      return STATUS_SUSPENDED;
    default:
      return STATUS_INVALID;
  }
}

export function statusName(value: number): string {
  return value === STATUS_VALID ? 'VALID' : value === STATUS_INVALID ? 'INVALID' : value === STATUS_SUSPENDED ? 'SUSPENDED' : `0x${value.toString(16)}`;
}

export function isStatusIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < STATUS_LIST_SIZE;
}

/** Purposes a province key may be registered for on the trust registry. */
export const PROVINCE_KEY_PURPOSES = ['status-list'] as const;
export type ProvinceKeyPurpose = (typeof PROVINCE_KEY_PURPOSES)[number];

/** A province's key on the trust registry, e.g. the key its nodes sign status list tokens with. */
export interface ProvinceKey {
  docType: 'provinceKey';
  province: string;
  purpose: ProvinceKeyPurpose;
  kid: string;
  jwk: PublicJwk;
  status: 'active' | 'retired';
  createdAt: string;
  retiredAt: string | null;
}
