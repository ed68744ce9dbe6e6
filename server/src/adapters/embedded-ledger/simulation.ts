/**
 * The chaincode stub of the embedded ledger: what a peer hands a chaincode during endorsement.
 * It answers reads from committed state and records the read/write set, exactly as Fabric's
 * transaction simulator does: reads never see the transaction's own writes, range reads are kept
 * for phantom detection, only the last event of a transaction survives, and paginated queries
 * are refused outside read-only evaluation.
 *
 * Composite keys use fabric-shim's own implementation so keys are byte-identical to a peer's.
 */
import { ChaincodeStub, type Iterators, type StateQueryResponse } from 'fabric-shim';
import Long from 'long';
import type { RangeRecord } from './blocks';
import type { Version, WorldState } from './world-state';

const COMPOSITE_NS = '\x00';
const EMPTY_KEY_SUBSTITUTE = '\x01';
const MAX_UNICODE_RUNE = '\u{10ffff}';

export interface KeyModification {
  txId: string;
  timestamp: Date;
  isDelete: boolean;
  value: Buffer;
}

export interface SimulationContext {
  state: WorldState;
  /** Committed modifications of a key, newest first (Fabric 2.x order). */
  history(key: string): KeyModification[];
  channel: string;
  txId: string;
  timestamp: Date;
  creator: { mspid: string; idBytes: Buffer };
  args: Buffer[];
  readOnly: boolean;
}

/**
 * What a peer's stub offers that this channel uses. The compiler holds the simulation to
 * fabric-shim's own `ChaincodeStub` for every method but these: the signed proposal and binding,
 * key-level endorsement policies and private data collections, none of which elicense configures.
 */
type UnusedOnThisChannel =
  | 'getSignedProposal'
  | 'getBinding'
  | 'setStateValidationParameter'
  | 'getStateValidationParameter'
  | 'getPrivateDataHash'
  | 'putPrivateData'
  | 'deletePrivateData'
  | 'purgePrivateData'
  | 'setPrivateDataValidationParameter'
  | 'getPrivateDataValidationParameter'
  | 'getPrivateDataByRange'
  | 'getPrivateDataByPartialCompositeKey'
  | 'getPrivateDataQueryResult';
export type PeerStub = Omit<ChaincodeStub, UnusedOnThisChannel>;

type Kv = Iterators.KV;
type CommonIterator<T> = Iterators.CommonIterator<T>;

function listIterator<T>(items: readonly T[]): CommonIterator<T> {
  let index = 0;
  return {
    next: () => {
      const value = items[index];
      if (value === undefined) return Promise.resolve({ value: undefined as unknown as T, done: true });
      index += 1;
      return Promise.resolve({ value, done: false });
    },
    close: () => Promise.resolve(),
  };
}

function asyncIteratorOf<T>(iterator: CommonIterator<T>): AsyncIterator<T> {
  return { next: () => iterator.next(), return: () => Promise.resolve({ value: undefined, done: true }) };
}

/** fabric-shim returns a promise that is also async-iterable; contracts use both forms. */
function iterable<T>(items: readonly T[]): Promise<CommonIterator<T>> & AsyncIterable<T> {
  const iterator = listIterator(items);
  return Object.assign(Promise.resolve(iterator), { [Symbol.asyncIterator]: () => asyncIteratorOf(iterator) });
}

/** The paginated form: the iterator comes with the page's metadata. */
function paged<T>(items: readonly T[], bookmark: string): Promise<StateQueryResponse<CommonIterator<T>>> & AsyncIterable<T> {
  const iterator = listIterator(items);
  const response = { iterator, metadata: { fetchedRecordsCount: items.length, bookmark } };
  return Object.assign(Promise.resolve(response), { [Symbol.asyncIterator]: () => asyncIteratorOf(iterator) });
}

/** A peer answers state calls asynchronously, so a refused key arrives as a rejection, never a throw. */
function answer<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}

function requireKey(key: string): void {
  if (!key) throw new Error('key must not be empty');
}

function validateSimpleKey(key: string): void {
  if (key.startsWith(COMPOSITE_NS)) {
    throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
  }
}

export class Simulation implements PeerStub {
  readonly reads = new Map<string, Version | null>();
  readonly ranges: RangeRecord[] = [];
  readonly writes = new Map<string, Buffer | null>();
  event: { name: string; payload: Buffer } | null = null;
  /** Set when a block committed while this simulation was reading: its snapshot is torn. */
  torn = false;
  private readonly startHeight: number;

  constructor(private readonly ctx: SimulationContext) {
    this.startHeight = ctx.state.height;
  }

  private checkSnapshot(): void {
    if (this.ctx.state.height !== this.startHeight) this.torn = true;
  }

  private readKey(key: string): Buffer {
    this.checkSnapshot();
    const entry = this.ctx.state.get(key);
    if (!this.reads.has(key)) this.reads.set(key, entry ? entry.version : null);
    return entry ? entry.value : Buffer.alloc(0);
  }

  private scan(startKey: string, endKey: string, pageSize?: number, bookmark?: string): { kvs: Kv[]; bookmark: string } {
    this.checkSnapshot();
    const start = bookmark || startKey;
    const keys = this.ctx.state.range(start, endKey);
    const page = pageSize === undefined ? keys : keys.slice(0, pageSize);
    const kvs = page.map((key) => ({ namespace: '', key, value: (this.ctx.state.get(key) as { value: Buffer }).value }));
    if (!this.ctx.readOnly) {
      this.ranges.push({
        start,
        end: endKey,
        keys: page.map((key) => {
          const { version } = this.ctx.state.get(key) as { version: Version };
          return [key, version.block, version.tx];
        }),
      });
    }
    return { kvs, bookmark: pageSize !== undefined && keys.length > pageSize ? (keys[pageSize] ?? '') : '' };
  }

  private requireReadOnly(what: string): void {
    if (!this.ctx.readOnly) throw new Error(`${what} is only supported in a read only transaction`);
  }

  // ---- the ChaincodeStub surface the contracts and fabric-shim's dispatch use ----

  getBufferArgs(): Buffer[] {
    return this.ctx.args;
  }

  getArgs(): string[] {
    return this.ctx.args.map((arg) => arg.toString('utf8'));
  }

  getStringArgs(): string[] {
    return this.getArgs();
  }

  getFunctionAndParameters(): { fcn: string; params: string[] } {
    const [fcn = '', ...params] = this.getArgs();
    return { fcn, params };
  }

  getTxID(): string {
    return this.ctx.txId;
  }

  getChannelID(): string {
    return this.ctx.channel;
  }

  getCreator(): { mspid: string; idBytes: Buffer } {
    return this.ctx.creator;
  }

  getMspID(): string {
    return this.ctx.creator.mspid;
  }

  getTransient(): Map<string, Uint8Array> {
    return new Map();
  }

  getTxTimestamp(): { seconds: Long; nanos: number } {
    const ms = this.ctx.timestamp.getTime();
    return { seconds: Long.fromNumber(Math.floor(ms / 1000), true), nanos: (ms % 1000) * 1e6 };
  }

  getDateTimestamp(): Date {
    return new Date(this.ctx.timestamp.getTime());
  }

  getState(key: string): Promise<Buffer> {
    return answer(() => {
      requireKey(key);
      return this.readKey(key);
    });
  }

  putState(key: string, value: Uint8Array): Promise<void> {
    return answer(() => {
      requireKey(key);
      // A peer simulates but never commits an evaluated transaction.
      if (!this.ctx.readOnly) this.writes.set(key, Buffer.from(value));
    });
  }

  deleteState(key: string): Promise<void> {
    return answer(() => {
      requireKey(key);
      if (!this.ctx.readOnly) this.writes.set(key, null);
    });
  }

  setEvent(name: string, payload: Uint8Array): void {
    if (!name) throw new Error('Event name must be a non-empty string');
    this.event = { name, payload: Buffer.from(payload) };
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return ChaincodeStub.prototype.createCompositeKey.call(this, objectType, attributes);
  }

  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] } {
    return ChaincodeStub.prototype.splitCompositeKey.call(this, compositeKey);
  }

  getStateByRange(startKey: string, endKey: string): Promise<CommonIterator<Kv>> & AsyncIterable<Kv> {
    const start = startKey || EMPTY_KEY_SUBSTITUTE;
    validateSimpleKey(start);
    validateSimpleKey(endKey);
    return iterable(this.scan(start, endKey).kvs);
  }

  getStateByRangeWithPagination(
    startKey: string,
    endKey: string,
    pageSize: number,
    bookmark?: string,
  ): Promise<StateQueryResponse<CommonIterator<Kv>>> & AsyncIterable<Kv> {
    this.requireReadOnly('getStateByRangeWithPagination');
    const start = startKey || EMPTY_KEY_SUBSTITUTE;
    validateSimpleKey(start);
    validateSimpleKey(endKey);
    const page = this.scan(start, endKey, pageSize, bookmark);
    return paged(page.kvs, page.bookmark);
  }

  getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<CommonIterator<Kv>> & AsyncIterable<Kv> {
    const start = this.createCompositeKey(objectType, attributes);
    return iterable(this.scan(start, start + MAX_UNICODE_RUNE).kvs);
  }

  getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): Promise<StateQueryResponse<CommonIterator<Kv>>> & AsyncIterable<Kv> {
    this.requireReadOnly('getStateByPartialCompositeKeyWithPagination');
    const start = this.createCompositeKey(objectType, attributes);
    const page = this.scan(start, start + MAX_UNICODE_RUNE, pageSize, bookmark);
    return paged(page.kvs, page.bookmark);
  }

  getHistoryForKey(key: string): Promise<CommonIterator<Iterators.KeyModification>> & AsyncIterable<Iterators.KeyModification> {
    this.checkSnapshot();
    const modifications = this.ctx.history(key).map((modification) => {
      const ms = modification.timestamp.getTime();
      return {
        txId: modification.txId,
        isDelete: modification.isDelete,
        value: modification.value,
        timestamp: { seconds: Long.fromNumber(Math.floor(ms / 1000), true), nanos: (ms % 1000) * 1e6 },
      };
    });
    return iterable(modifications);
  }

  getQueryResult(): never {
    throw new Error('rich queries need CouchDB; the embedded ledger, like a LevelDB peer, has none');
  }

  getQueryResultWithPagination(): never {
    return this.getQueryResult();
  }

  getPrivateData(): never {
    throw new Error('private data collections are not configured on this channel');
  }

  invokeChaincode(): Promise<never> {
    return Promise.reject(new Error('chaincode-to-chaincode calls are not used by elicense'));
  }
}
