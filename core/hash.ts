import { createHash, createHmac } from 'node:crypto';
import { canonicalize } from './canonical-json';

/** SHA-256 as 64 lowercase hex digits: the one hash format on the ledger. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * docHash = SHA-256 over the RFC 8785 form of `{ record, salt }`. The salt (random, kept off-chain
 * with the record) stops anyone from confirming a guessed record against the public hash.
 */
export function computeDocHash(record: unknown, salt: string): string {
  return sha256Hex(canonicalize({ record, salt }));
}

/**
 * holderRef = HMAC-SHA-256(key, holder identifier), hex. Keyed, because a plain hash of an
 * 18-digit ID number is brute-forced in minutes: region and birth date leave ~10^7 candidates.
 */
export function holderRefOf(key: Uint8Array, identifier: string): string {
  return createHmac('sha256', key).update(identifier, 'utf8').digest('hex');
}
