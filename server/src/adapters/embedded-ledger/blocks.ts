/**
 * What a block of the embedded ledger holds, and how it hashes. A block is one line of
 * `blocks.log`: `<header JSON>\t<body JSON>\n`, both RFC 8785 canonical (canonical JSON escapes
 * every tab inside strings, so the first tab splits the line unambiguously).
 *
 *   header.dataHash     = SHA-256 of the body bytes
 *   header.previousHash = SHA-256 of the previous block's header bytes
 *
 * so one changed byte anywhere breaks either its own data hash or the next block's link.
 */
import { canonicalize } from '../../../../core/canonical-json';
import { sha256Hex } from '../../../../core/hash';
import type { ValidationCode } from './world-state';

export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

export interface BlockHeader {
  number: number;
  previousHash: string;
  dataHash: string;
  /** When the block was cut (ISO 8601). */
  timestamp: string;
  txCount: number;
  /** Number of the latest config block, as Fabric's LAST_CONFIG metadata: where membership is read. */
  lastConfig: number;
}

export interface OrganizationConfig {
  mspId: string;
  /** PEM root certificate(s) of the org's CA: the identities this org vouches for. */
  rootCertificates: string[];
}

export interface ChannelConfig {
  channel: string;
  organizations: OrganizationConfig[];
}

/** A value as stored in a block: UTF-8 text when it round-trips, else base64. */
export type StoredBytes = string | { base64: string };

export interface WriteRecord {
  key: string;
  /** Absent for a delete. */
  value?: StoredBytes;
}

export interface RangeRecord {
  start: string;
  end: string;
  /** Keys and versions the simulation saw, for phantom detection at commit. */
  keys: Array<[string, number, number]>;
}

export interface TxRecord {
  type: 'endorser';
  txId: string;
  timestamp: string;
  creator: { mspId: string; certificate: string };
  fn: string;
  args: string[];
  /** [key, block, tx] of each key read; block -1 means "read as absent". */
  reads: Array<[string, number, number]>;
  ranges: RangeRecord[];
  writes: WriteRecord[];
  event: { name: string; payload: StoredBytes } | null;
  code: ValidationCode;
}

export interface ConfigRecord {
  type: 'config';
  txId: string;
  timestamp: string;
  config: ChannelConfig;
}

export type BlockTx = TxRecord | ConfigRecord;

export interface BlockBody {
  txs: BlockTx[];
}

export interface Block {
  header: BlockHeader;
  body: BlockBody;
}

export function encodeBytes(bytes: Buffer): StoredBytes {
  const text = bytes.toString('utf8');
  return Buffer.byteLength(text, 'utf8') === bytes.length && Buffer.from(text, 'utf8').equals(bytes) ? text : { base64: bytes.toString('base64') };
}

export function decodeBytes(stored: StoredBytes): Buffer {
  return typeof stored === 'string' ? Buffer.from(stored, 'utf8') : Buffer.from(stored.base64, 'base64');
}

/** Serialises a block to its line, computing the data hash; returns the line and the block's hash. */
export function encodeBlock(
  number: number,
  previousHash: string,
  lastConfig: number,
  body: BlockBody,
  timestamp: Date,
): { line: Buffer; block: Block; hash: string } {
  const bodyText = canonicalize(body);
  const header: BlockHeader = { number, previousHash, dataHash: sha256Hex(bodyText), timestamp: timestamp.toISOString(), txCount: body.txs.length, lastConfig };
  const headerText = canonicalize(header);
  return { line: Buffer.from(`${headerText}\t${bodyText}\n`, 'utf8'), block: { header, body }, hash: sha256Hex(headerText) };
}

export interface ParsedLine {
  header: BlockHeader;
  headerBytes: Buffer;
  bodyBytes: Buffer;
}

/** Splits a stored line (without its newline) into header and body bytes; null if it is not a block line. */
export function splitLine(line: Buffer): ParsedLine | null {
  const tab = line.indexOf(0x09);
  if (tab < 0) return null;
  const headerBytes = line.subarray(0, tab);
  try {
    const header = JSON.parse(headerBytes.toString('utf8')) as Partial<BlockHeader> | null;
    if (typeof header?.number !== 'number') return null;
    return { header: header as BlockHeader, headerBytes, bodyBytes: line.subarray(tab + 1) };
  } catch {
    return null;
  }
}

export function blockHashOf(headerBytes: Buffer): string {
  return sha256Hex(headerBytes);
}
