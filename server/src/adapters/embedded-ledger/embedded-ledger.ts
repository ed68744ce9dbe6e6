/**
 * The embedded ledger: one peer and one orderer in-process. It runs the chaincode's contract
 * classes through fabric-shim's own dispatch (ChaincodeFromContract) with a stub of our own, and
 * keeps Fabric's transaction flow:
 *
 *   endorse   simulate against committed state, recording the read/write set
 *   order     queue endorsed transactions; whatever queued while the previous block was being
 *             written becomes the next block (group commit: one fsync for many transactions)
 *   validate  MVCC and phantom checks in block order (validation.ts)
 *   commit    append the hash-chained block with fdatasync, then apply it and answer
 *
 * Everything lives under `dir` (<DATA_DIR>/ledger): blocks.log and checkpoint.json.
 */
import './quiet-shim';
import './client-identity-memo';
import { LRUCache } from 'lru-cache';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract';
import { JSONSerializer } from 'fabric-contract-api';
import { RegistryError, parseWireError } from '../../../../core/errors';
import { contracts } from '../../../../chaincode/src/index';
import type { ChannelConfiguration, Ledger, LedgerEvent, SubmitResult, TransactionStatus } from '../../ports/ledger';
import type { IdentityWallet } from '../identity/wallet';
import { BlockFile } from './block-file';
import { decodeBytes, encodeBlock, encodeBytes, type Block, type BlockBody, type ChannelConfig, type ConfigRecord, type TxRecord } from './blocks';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { Membership } from './membership';
import { Simulation, type KeyModification } from './simulation';
import { applyBlock, validateTxs } from './validation';
import { WorldState } from './world-state';

export interface EmbeddedLedgerOptions {
  /** The ledger's own folder: <DATA_DIR>/ledger. */
  dir: string;
  wallet: IdentityWallet;
  /** The channel's first config; required only when the ledger is created. */
  genesis?: ChannelConfig;
  /** Most transactions in one block. */
  maxBlockTxs?: number;
  /** Checkpoint once this many transactions (at least) committed since the last one. */
  checkpointEveryTxs?: number;
  clock?: () => Date;
}

interface Pending {
  record: Omit<TxRecord, 'code'>;
  payload: Buffer;
  resolve: (result: SubmitResult) => void;
  reject: (error: Error) => void;
}

interface Endorsement {
  record: Omit<TxRecord, 'code'>;
  payload: Buffer;
  torn: boolean;
}

const CHANNEL_CONFIG_TX = 'config';
const NONCE_BYTES = 24;

/**
 * Nonces come from a pool refilled 2,730 at a time: one randomBytes call per evaluate showed up
 * at 5% of its profile, one call per pool costs next to nothing.
 */
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;
function nonce(): Buffer {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * 2730);
    nonceOffset = 0;
  }
  nonceOffset += NONCE_BYTES;
  return noncePool.subarray(nonceOffset - NONCE_BYTES, nonceOffset);
}

type ContractClass = (typeof contracts)[number];

function createChaincode(): ChaincodeFromContract {
  // ChaincodeFromContract appends its system contract to the array it is given: hand it a copy.
  const classes: ContractClass[] = [...contracts];
  const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
  return new ChaincodeFromContract(classes, serializers, {}, 'elicense', '1');
}

/** A chaincode refusal keeps its code; anything else is a fault of the chaincode itself. */
export function chaincodeError(message: string, txId?: string): RegistryError {
  const coded = parseWireError(message);
  const error = coded ?? new RegistryError('INTERNAL', `chaincode failed: ${message}`);
  if (txId) return new RegistryError(error.code, error.message, { ...error.details, txId });
  return error;
}

export class EmbeddedLedger implements Ledger {
  private readonly chaincode = createChaincode();
  private readonly queue: Pending[] = [];
  private readonly listeners = new Set<(event: LedgerEvent) => void>();
  private readonly blockCache = new LRUCache<number, Block>({ max: 64 });
  private committing: Promise<void> | null = null;
  private txsSinceCheckpoint = 0;
  private broken: Error | null = null;
  private closed = false;

  private constructor(
    private readonly options: Required<Omit<EmbeddedLedgerOptions, 'genesis'>>,
    private readonly file: BlockFile,
    private readonly state: WorldState,
    private membership: Membership,
    private lastConfig: number,
  ) {}

  static async open(options: EmbeddedLedgerOptions): Promise<EmbeddedLedger> {
    mkdirSync(options.dir, { recursive: true });
    const resolved = {
      dir: options.dir,
      wallet: options.wallet,
      maxBlockTxs: options.maxBlockTxs ?? 1000,
      checkpointEveryTxs: options.checkpointEveryTxs ?? 5000,
      clock: options.clock ?? (() => new Date()),
    };
    const checkpointPath = join(options.dir, 'checkpoint.json');
    const checkpoint = readCheckpoint(checkpointPath);
    const state = checkpoint?.state ?? new WorldState();
    let lastConfig = -1;
    let configBlock: ChannelConfig;
    const file = await BlockFile.open(join(options.dir, 'blocks.log'), (scanned) => {
      lastConfig = scanned.header.lastConfig;
      if (scanned.header.number === checkpoint?.height && scanned.hash !== checkpoint.blockHash) {
        throw new RegistryError('INTERNAL', `ledger checkpoint does not belong to this chain (block ${checkpoint.height} differs); run npm run ledger:verify`);
      }
      if (scanned.header.number <= state.height) return;
      const block: Block = { header: scanned.header, body: JSON.parse(scanned.bodyBytes.toString('utf8')) as BlockBody };
      applyBlock(state, block);
    });
    if (checkpoint && checkpoint.height > file.height) {
      throw new RegistryError('INTERNAL', `ledger checkpoint is at block ${checkpoint.height} but the chain ends at ${file.height}; run npm run ledger:verify`);
    }
    if (file.height >= 0) {
      const tx = file.read(lastConfig).body.txs[0];
      if (tx?.type !== 'config') throw new RegistryError('INTERNAL', `block ${lastConfig} should be a config block`);
      configBlock = tx.config;
    } else {
      if (!options.genesis) throw new RegistryError('INTERNAL', `no ledger at ${options.dir} and no genesis config to create one`);
      configBlock = options.genesis;
    }
    const ledger = new EmbeddedLedger(resolved, file, state, new Membership(configBlock), lastConfig);
    if (file.height < 0) await ledger.appendConfig(configBlock);
    return ledger;
  }

  get height(): number {
    return this.state.height;
  }

  get channelConfig(): ChannelConfig {
    return this.membership.config;
  }

  channelConfiguration(): Promise<ChannelConfiguration> {
    const { channel, organizations } = this.membership.config;
    return Promise.resolve({ channel, organizations: organizations.map((org) => ({ mspId: org.mspId, rootCertificates: [...org.rootCertificates] })) });
  }

  /** A config block adding or changing an organisation (a new province joining the channel). */
  async updateOrganization(mspId: string, rootCertificates: string[]): Promise<void> {
    const organizations = this.membership.config.organizations.filter((org) => org.mspId !== mspId);
    organizations.push({ mspId, rootCertificates });
    await this.appendConfig({ channel: this.membership.config.channel, organizations });
  }

  private async appendConfig(config: ChannelConfig): Promise<void> {
    await this.exclusive(async () => {
      const record: ConfigRecord = {
        type: 'config',
        txId: this.newTxId(Buffer.from(CHANNEL_CONFIG_TX)),
        timestamp: this.options.clock().toISOString(),
        config,
      };
      const number = this.state.height + 1;
      const encoded = encodeBlock(number, this.file.lastHash, number, { txs: [record] }, this.options.clock());
      await this.file.append(encoded.line, encoded.hash);
      applyBlock(this.state, encoded.block);
      this.lastConfig = number;
      this.membership = new Membership(config);
    });
  }

  private newTxId(creator: Buffer): string {
    // As Fabric: SHA-256 over a fresh nonce and the creator's serialized identity.
    return createHash('sha256').update(nonce()).update(creator).digest('hex');
  }

  private async endorse(identityLabel: string, fn: string, args: string[], readOnly: boolean): Promise<Endorsement> {
    if (this.closed) throw new RegistryError('LEDGER_UNAVAILABLE', 'the embedded ledger is closed');
    const identity = await this.options.wallet.get(identityLabel);
    if (!identity) throw new RegistryError('UNAUTHENTICATED', `identity ${identityLabel} is not in the wallet`);
    const now = this.options.clock();
    const creator = this.membership.authenticate(identity.mspId, identity.certificate, identity.privateKey, now);
    const txId = this.newTxId(creator.idBytes);
    const simulation = new Simulation({
      state: this.state,
      history: (key) => this.history(key),
      channel: this.membership.config.channel,
      txId,
      timestamp: now,
      creator,
      args: [fn, ...args].map((arg) => Buffer.from(arg, 'utf8')),
      readOnly,
    });
    const response = await this.chaincode.Invoke(simulation);
    if (response.status !== 200) throw chaincodeError(response.message ?? 'no message', txId);
    const payload = Buffer.from(response.payload ?? []);
    const record: Omit<TxRecord, 'code'> = {
      type: 'endorser',
      txId,
      timestamp: now.toISOString(),
      creator: { mspId: creator.mspid, certificate: identity.certificate },
      fn,
      args,
      reads: [...simulation.reads.entries()].map(([key, version]) => [key, version ? version.block : -1, version ? version.tx : -1]),
      ranges: simulation.ranges,
      writes: [...simulation.writes.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => (value === null ? { key } : { key, value: encodeBytes(value) })),
      event: simulation.event ? { name: simulation.event.name, payload: encodeBytes(simulation.event.payload) } : null,
    };
    return { record, payload, torn: simulation.torn };
  }

  async evaluate(identity: string, fn: string, args: string[]): Promise<Buffer> {
    // A block that commits mid-simulation tears the snapshot; reads are cheap, so the evaluation runs
    // again, at most five times in all, and the last answer stands.
    for (let attempt = 0; ; attempt++) {
      const endorsement = await this.endorse(identity, fn, args, true);
      if (!endorsement.torn || attempt >= 4) return endorsement.payload;
    }
  }

  async submit(identity: string, fn: string, args: string[]): Promise<SubmitResult> {
    const { record, payload } = await this.endorse(identity, fn, args, false);
    if (this.broken) throw new RegistryError('LEDGER_UNAVAILABLE', `the embedded ledger stopped after a write failure: ${this.broken.message}`);
    return new Promise<SubmitResult>((resolve, reject) => {
      this.queue.push({ record, payload, resolve, reject });
      void this.drain();
    });
  }

  /** Runs `work` once no block is being committed, and holds off commits while it runs. */
  private async exclusive(work: () => Promise<void>): Promise<void> {
    while (this.committing) await this.committing;
    let done!: () => void;
    this.committing = new Promise<void>((resolve) => (done = resolve));
    try {
      await work();
    } finally {
      this.committing = null;
      done();
    }
  }

  private async drain(): Promise<void> {
    // Checked on every turn: another caller may have started committing while this one awaited.
    while (this.queue.length > 0) {
      if (this.committing) return;
      const batch = this.queue.splice(0, this.options.maxBlockTxs);
      await this.exclusive(() => this.commitBlock(batch));
    }
  }

  private async commitBlock(batch: Pending[]): Promise<void> {
    if (this.broken) {
      for (const pending of batch) pending.reject(new RegistryError('LEDGER_UNAVAILABLE', 'the embedded ledger stopped after a write failure'));
      return;
    }
    const validated = validateTxs(batch, this.state, (pending) => pending.record);
    const txs: TxRecord[] = validated.map(({ item, code }) => ({ ...item.record, code }));
    const number = this.state.height + 1;
    const encoded = encodeBlock(number, this.file.lastHash, this.lastConfig, { txs }, this.options.clock());
    try {
      await this.file.append(encoded.line, encoded.hash);
    } catch (error) {
      // The file may now end in a partial line; appending after it would bury good blocks behind
      // garbage. Stop taking writes: a restart cuts the torn tail and carries on.
      this.broken = error as Error;
      for (const pending of batch)
        pending.reject(
          new RegistryError('LEDGER_UNAVAILABLE', `block ${number} could not be written: ${(error as Error).message}`, { txId: pending.record.txId }),
        );
      return;
    }
    applyBlock(this.state, encoded.block);
    for (const { item: pending, code } of validated) {
      const { txId } = pending.record;
      if (code === 'VALID') pending.resolve({ txId, blockNumber: number, payload: pending.payload });
      else pending.reject(new RegistryError('MVCC_CONFLICT', `transaction ${txId} was invalidated at commit: ${code}`, { txId, validationCode: code }));
    }
    this.emitEvents(number, txs);
    this.txsSinceCheckpoint += txs.length;
    if (this.txsSinceCheckpoint >= Math.max(this.options.checkpointEveryTxs, this.state.size / 4)) this.checkpoint();
  }

  private emitEvents(blockNumber: number, txs: TxRecord[]): void {
    if (this.listeners.size === 0) return;
    for (const tx of txs) {
      if (tx.code !== 'VALID' || !tx.event) continue;
      const event: LedgerEvent = { txId: tx.txId, blockNumber, name: tx.event.name, payload: decodeBytes(tx.event.payload) };
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // A listener's fault must not stop commits or other listeners.
        }
      }
    }
  }

  private checkpoint(): void {
    writeCheckpoint(join(this.options.dir, 'checkpoint.json'), this.state, this.file.lastHash);
    this.txsSinceCheckpoint = 0;
  }

  private readBlock(number: number): Block {
    let block = this.blockCache.get(number);
    if (!block) {
      block = this.file.read(number);
      this.blockCache.set(number, block);
    }
    return block;
  }

  private history(key: string): KeyModification[] {
    const modifications: KeyModification[] = [];
    for (const version of this.state.historyOf(key)) {
      const tx = this.readBlock(version.block).body.txs[version.tx];
      if (tx === undefined) throw new RegistryError('LEDGER_UNAVAILABLE', `block ${version.block} has no transaction ${version.tx}`);
      if (tx.type !== 'endorser') continue;
      const write = tx.writes.find((candidate) => candidate.key === key);
      if (!write) continue;
      modifications.push({
        txId: tx.txId,
        timestamp: new Date(tx.timestamp),
        isDelete: write.value === undefined,
        value: write.value === undefined ? Buffer.alloc(0) : decodeBytes(write.value),
      });
    }
    return modifications.reverse();
  }

  transactionStatus(_identity: string, txId: string): Promise<TransactionStatus | null> {
    const location = this.state.tx(txId);
    return Promise.resolve(location ? { txId, blockNumber: location.block, code: location.code, valid: location.code === 'VALID' } : null);
  }

  onEvent(listener: (event: LedgerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ping(): Promise<void> {
    if (this.closed) return Promise.reject(new RegistryError('LEDGER_UNAVAILABLE', 'the embedded ledger is closed'));
    if (this.broken)
      return Promise.reject(new RegistryError('LEDGER_UNAVAILABLE', `the embedded ledger stopped after a write failure: ${this.broken.message}`));
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.committing || this.queue.length > 0) {
      if (this.committing) await this.committing;
      else await this.drain();
    }
    if (!this.broken && this.txsSinceCheckpoint > 0) this.checkpoint();
    await this.file.close();
  }
}
