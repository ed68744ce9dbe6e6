/**
 * Commit-time validation and state application: one implementation used when a block is cut,
 * when blocks are replayed at start-up, and when `ledger:verify` recomputes everything.
 *
 * Validation follows Fabric's MVCC rules, transaction by transaction in block order:
 * - every key read must still have the version it had at endorsement, and must not have been
 *   written by an earlier valid transaction of the same block;
 * - every range read must return the same keys at the same versions (phantom detection);
 * - a tx id seen before is a duplicate (replay protection).
 */
import { decodeBytes, type Block, type BlockTx, type TxRecord } from './blocks';
import type { ValidationCode, WorldState } from './world-state';

type Unvalidated = Omit<TxRecord, 'code'>;

function readsStillHold(tx: Unvalidated, state: WorldState, writtenInBlock: Set<string>): boolean {
  for (const [key, block, txNum] of tx.reads) {
    if (writtenInBlock.has(key)) return false;
    const current = state.get(key);
    // A key read as absent (block -1) must still be absent; a key read present must be at the same version.
    if (block < 0) {
      if (current !== undefined) return false;
    } else if (current?.version.block !== block || current.version.tx !== txNum) {
      return false;
    }
  }
  return true;
}

/** A key a range read returned, at the version it was read, is what the range returns now. */
function sameVersion(recorded: readonly [string, number, number] | undefined, key: string, state: WorldState): boolean {
  const entry = state.get(key);
  if (recorded === undefined || entry === undefined) return false;
  const [recordedKey, block, txNum] = recorded;
  return recordedKey === key && entry.version.block === block && entry.version.tx === txNum;
}

function rangesStillHold(tx: Unvalidated, state: WorldState, writtenInBlock: Set<string>): boolean {
  for (const range of tx.ranges) {
    const keys = state.range(range.start, range.end);
    if (keys.length !== range.keys.length) return false;
    if (!keys.every((key, i) => sameVersion(range.keys[i], key, state))) return false;
    for (const key of writtenInBlock) {
      if (key >= range.start && (range.end === '' || key < range.end)) return false;
    }
  }
  return true;
}

/**
 * Validation codes for a block's endorser transactions, in order, against the committed state;
 * `recordOf` finds the transaction in each item, so a caller keeps its own bookkeeping beside it.
 */
export function validateTxs<T>(items: readonly T[], state: WorldState, recordOf: (item: T) => Unvalidated): Array<{ item: T; code: ValidationCode }> {
  const writtenInBlock = new Set<string>();
  const idsInBlock = new Set<string>();
  return items.map((item) => {
    const tx = recordOf(item);
    let code: ValidationCode;
    if (state.tx(tx.txId) || idsInBlock.has(tx.txId)) code = 'DUPLICATE_TXID';
    else if (!readsStillHold(tx, state, writtenInBlock)) code = 'MVCC_READ_CONFLICT';
    else if (!rangesStillHold(tx, state, writtenInBlock)) code = 'PHANTOM_READ_CONFLICT';
    else code = 'VALID';
    idsInBlock.add(tx.txId);
    if (code === 'VALID') for (const write of tx.writes) writtenInBlock.add(write.key);
    return { item, code };
  });
}

/** Applies a validated block: the writes of its valid transactions, the history and tx indexes. */
export function applyBlock(state: WorldState, block: Block): void {
  const number = block.header.number;
  block.body.txs.forEach((tx: BlockTx, index) => {
    const version = { block: number, tx: index };
    if (tx.type === 'config') {
      state.recordTx(tx.txId, { ...version, code: 'VALID' });
      return;
    }
    state.recordTx(tx.txId, { ...version, code: tx.code });
    if (tx.code !== 'VALID') return;
    for (const write of tx.writes) {
      if (write.value === undefined) state.delete(write.key, version);
      else state.put(write.key, decodeBytes(write.value), version);
    }
  });
  state.height = number;
}
