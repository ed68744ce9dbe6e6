/**
 * A checkpoint of the derived ledger data (world state, history index, tx index) at a block
 * height, so a restart replays only the blocks after it — what Fabric's state and history
 * databases do with their savepoints. Written to a temp file, fsync'd and renamed, so a crash
 * leaves either the old checkpoint or the new one. The trailing SHA-256 catches accidental
 * damage at start-up; `ledger:verify` catches deliberate edits by recomputing from the blocks.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { RegistryError } from '../../../../core/errors';
import { sha256Hex } from '../../../../core/hash';
import { decodeBytes, encodeBytes, type StoredBytes } from './blocks';
import { WorldState, type ValidationCode } from './world-state';

interface CheckpointBody {
  version: 1;
  height: number;
  blockHash: string;
  state: Array<[string, StoredBytes, number, number]>;
  history: Array<[string, Array<[number, number]>]>;
  txs: Array<[string, number, number, ValidationCode]>;
}

export interface Checkpoint {
  height: number;
  blockHash: string;
  state: WorldState;
}

export function writeCheckpoint(path: string, state: WorldState, blockHash: string): void {
  const snapshot = state.snapshot();
  const body: CheckpointBody = {
    version: 1,
    height: state.height,
    blockHash,
    state: snapshot.state.map(([key, entry]) => [key, encodeBytes(entry.value), entry.version.block, entry.version.tx]),
    history: snapshot.history.map(([key, versions]) => [key, versions.map((v): [number, number] => [v.block, v.tx])]),
    txs: snapshot.txs.map(([txId, at]) => [txId, at.block, at.tx, at.code]),
  };
  const text = JSON.stringify(body);
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${text}\n${sha256Hex(text)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  fsyncSync(dir);
  closeSync(dir);
}

/** The checkpoint, or null when there is none. Throws when it fails its own checksum. */
export function readCheckpoint(path: string): Checkpoint | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const newline = text.lastIndexOf('\n', text.length - 2);
  const body = text.slice(0, newline);
  const checksum = text.slice(newline + 1).trim();
  if (newline < 0 || sha256Hex(body) !== checksum) {
    throw new RegistryError('INTERNAL', `ledger checkpoint ${path} fails its checksum; run npm run ledger:verify`);
  }
  const parsed = JSON.parse(body) as CheckpointBody;
  const state = WorldState.restore(parsed.height, {
    state: parsed.state.map(([key, value, block, tx]) => [key, { value: decodeBytes(value), version: { block, tx } }]),
    history: parsed.history.map(([key, versions]) => [key, versions.map(([block, tx]) => ({ block, tx }))]),
    txs: parsed.txs.map(([txId, block, tx, code]) => [txId, { block, tx, code }]),
  });
  return { height: parsed.height, blockHash: parsed.blockHash, state };
}
