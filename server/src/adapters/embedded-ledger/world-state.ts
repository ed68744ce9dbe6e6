/**
 * The committed world state of the embedded ledger: every key's latest value with the version
 * (block, tx) that wrote it — what Fabric's state database holds — plus the history index
 * (which transactions wrote each key) and the transaction index (tx id → where and how it
 * committed). All three are derived from the blocks alone; `checkpoint.ts` saves them so a
 * restart replays only the blocks after the checkpoint.
 */

export interface Version {
  block: number;
  tx: number;
}

export interface StateEntry {
  value: Buffer;
  version: Version;
}

export type ValidationCode = 'VALID' | 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT' | 'DUPLICATE_TXID';

export interface TxLocation {
  block: number;
  tx: number;
  code: ValidationCode;
}

export function sameVersion(a: Version | null, b: Version | null): boolean {
  if (a === null || b === null) return a === b;
  return a.block === b.block && a.tx === b.tx;
}

/**
 * Keys are kept in a sorted array for range scans. New keys land in an unsorted tail that is
 * merged in on the next scan: issuing writes several new keys per license, and re-sorting or
 * splicing a large array on every write would make issuance O(n) per key.
 */
/** The index of the first of the sorted keys that is not below `target`. */
function lowerBound(keys: readonly string[], target: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const key = keys[mid];
    if (key !== undefined && key < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Two sorted key lists as one, each key once, in linear time (the state can hold millions of keys). */
function mergeSorted(old: readonly string[], added: readonly string[]): string[] {
  const merged: string[] = [];
  let i = 0;
  let j = 0;
  for (;;) {
    const a = old[i];
    const b = added[j];
    if (a !== undefined && (b === undefined || a <= b)) {
      merged.push(a);
      i += 1;
      if (a === b) j += 1;
    } else if (b !== undefined) {
      merged.push(b);
      j += 1;
    } else {
      return merged;
    }
  }
}

export class WorldState {
  private readonly entries = new Map<string, StateEntry>();
  private sortedKeys: string[] = [];
  private unsortedKeys: string[] = [];
  private readonly history = new Map<string, Version[]>();
  private readonly txs = new Map<string, TxLocation>();
  /** Number of the last block applied, -1 before genesis. */
  height = -1;

  get size(): number {
    return this.entries.size;
  }

  get(key: string): StateEntry | undefined {
    return this.entries.get(key);
  }

  /** Keys in [startKey, endKey) in Fabric's lexical order; an empty endKey means unbounded. */
  range(startKey: string, endKey: string): string[] {
    this.mergeKeys();
    const keys = this.sortedKeys;
    return keys.slice(lowerBound(keys, startKey), endKey === '' ? keys.length : lowerBound(keys, endKey));
  }

  historyOf(key: string): readonly Version[] {
    return this.history.get(key) ?? [];
  }

  tx(txId: string): TxLocation | undefined {
    return this.txs.get(txId);
  }

  put(key: string, value: Buffer, version: Version): void {
    if (!this.entries.has(key)) this.unsortedKeys.push(key);
    this.entries.set(key, { value, version });
    this.recordHistory(key, version);
  }

  delete(key: string, version: Version): void {
    // The key stays in sortedKeys until the next merge drops it; range() reads only live keys.
    if (this.entries.delete(key)) this.unsortedKeys.push(key);
    this.recordHistory(key, version);
  }

  recordTx(txId: string, location: TxLocation): void {
    // The first occurrence of a tx id stands; later duplicates are recorded invalid in their block.
    if (!this.txs.has(txId)) this.txs.set(txId, location);
  }

  private recordHistory(key: string, version: Version): void {
    const list = this.history.get(key);
    if (list) list.push(version);
    else this.history.set(key, [version]);
  }

  private mergeKeys(): void {
    if (this.unsortedKeys.length === 0) return;
    const added = [...new Set(this.unsortedKeys)].filter((key) => this.entries.has(key)).sort();
    this.sortedKeys = mergeSorted(this.sortedKeys, added).filter((key) => this.entries.has(key));
    this.unsortedKeys = [];
  }

  /** Everything, in a deterministic order, for checkpoints and for comparing two states. */
  snapshot(): { state: Array<[string, StateEntry]>; history: Array<[string, Version[]]>; txs: Array<[string, TxLocation]> } {
    const byKey = <T>(a: [string, T], b: [string, T]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    return {
      state: [...this.entries.entries()].sort(byKey),
      history: [...this.history.entries()].sort(byKey),
      txs: [...this.txs.entries()].sort(byKey),
    };
  }

  static restore(height: number, snapshot: ReturnType<WorldState['snapshot']>): WorldState {
    const state = new WorldState();
    state.height = height;
    for (const [key, entry] of snapshot.state) state.entries.set(key, entry);
    state.sortedKeys = snapshot.state.map(([key]) => key);
    for (const [key, versions] of snapshot.history) state.history.set(key, versions);
    for (const [txId, location] of snapshot.txs) state.txs.set(txId, location);
    return state;
  }
}
