/**
 * `npm run ledger:verify`: re-checks the whole chain and recomputes everything derived from it.
 *
 * - each block: number, link to the previous header, data hash, tx count, LAST_CONFIG pointer;
 * - each transaction: its creator was a member of the channel as configured at that block, and
 *   its recorded validation code is what MVCC validation gives when replayed from genesis;
 * - the checkpoint: its checksum, and world state, history and tx index equal to the recomputed
 *   ones at its height.
 * The first inconsistency is reported; a torn, unacknowledged tail is noted but is not one (the
 * next start cuts it off).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { scanBlocks, type ScannedBlock } from './block-file';
import type { BlockBody, BlockHeader, TxRecord } from './blocks';
import { readCheckpoint, type Checkpoint } from './checkpoint';
import { Membership } from './membership';
import { applyBlock, validateTxs } from './validation';
import { WorldState } from './world-state';

export interface LedgerVerifyReport {
  ok: boolean;
  blocks: number;
  transactions: number;
  validTransactions: number;
  checkpointHeight: number | null;
  tornTailBytes: number;
  /** The first inconsistency found, or null. */
  problem: string | null;
}

interface StateEntry {
  value: Buffer;
  version: { block: number; tx: number };
}

function firstDifference(recomputed: WorldState, stored: WorldState): string | null {
  const a = recomputed.snapshot();
  const b = stored.snapshot();
  const sections = [
    [
      'world state',
      a.state,
      b.state,
      (x: unknown, y: unknown) => {
        const [p, q] = [x as StateEntry, y as StateEntry];
        return p.value.equals(q.value) && p.version.block === q.version.block && p.version.tx === q.version.tx;
      },
    ],
    ['history index', a.history, b.history, (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y)],
    ['transaction index', a.txs, b.txs, (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y)],
  ] as const;
  for (const [name, mine, theirs, same] of sections) {
    const length = Math.max(mine.length, theirs.length);
    for (let i = 0; i < length; i++) {
      const [keyA, valueA] = mine[i] ?? [undefined, undefined];
      const [keyB, valueB] = theirs[i] ?? [undefined, undefined];
      const show = (key: string | undefined) => JSON.stringify(key?.replaceAll('\0', '␀'));
      if (keyA !== keyB) {
        const missing = keyA !== undefined && (keyB === undefined || keyA < keyB);
        return missing ? `checkpoint ${name} lacks ${show(keyA)}` : `checkpoint ${name} has ${show(keyB)}, which the chain never wrote`;
      }
      if (!same(valueA, valueB)) return `checkpoint ${name} entry ${show(keyA)} differs from what the chain gives`;
    }
  }
  return null;
}

/** The body of a block, or null when it is not JSON. */
function parseBody(bytes: Buffer): BlockBody | null {
  try {
    return JSON.parse(bytes.toString('utf8')) as BlockBody;
  } catch {
    return null;
  }
}

/** What is wrong with a block's shape: its count, a config transaction not alone, its LAST_CONFIG pointer. */
function shapeProblem(header: BlockHeader, body: BlockBody, lastConfig: number): string | null {
  if (!Array.isArray(body.txs) || body.txs.length !== header.txCount) return 'its transaction count does not match its header';
  const hasConfig = body.txs.some((tx) => tx.type === 'config');
  if (hasConfig && body.txs.length !== 1) return 'a config transaction must be alone in its block';
  const expectedLastConfig = hasConfig ? header.number : lastConfig;
  if (header.lastConfig !== expectedLastConfig) return `LAST_CONFIG says ${header.lastConfig}, should be ${expectedLastConfig}`;
  return null;
}

/** Each creator was a member of the channel at the block's time, with a certificate its CA vouches for. */
function membershipProblem(membership: Membership, txs: readonly TxRecord[], at: Date): string | null {
  for (const tx of txs) {
    if (!membership.has(tx.creator.mspId)) return `transaction ${tx.txId} was made by ${tx.creator.mspId}, not a channel member`;
    try {
      membership.authenticateCertificate(tx.creator.mspId, tx.creator.certificate, at);
    } catch (error) {
      return `transaction ${tx.txId}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return null;
}

/** The chain replayed from genesis, block by block, as a peer joining the channel would. */
class Replay {
  readonly state = new WorldState();
  private membership: Membership | null = null;
  private lastConfig = -1;
  checkpointHash: string | null = null;

  constructor(
    private readonly report: LedgerVerifyReport,
    private readonly checkpoint: Checkpoint | null,
  ) {}

  /** scanBlocks' callback: false (stop) at the first problem, which the report keeps. */
  onBlock(scanned: ScannedBlock): boolean {
    const problem = this.replay(scanned);
    if (problem === null) return true;
    this.report.problem ??= `block ${scanned.header.number}: ${problem}`;
    return false;
  }

  private replay(scanned: ScannedBlock): string | null {
    const { header } = scanned;
    const body = parseBody(scanned.bodyBytes);
    if (body === null) return 'its transactions are not valid JSON';
    const problem = shapeProblem(header, body, this.lastConfig) ?? this.apply(header, body);
    if (problem !== null) return problem;
    this.report.blocks += 1;
    this.report.transactions += body.txs.length;
    return this.compareCheckpoint(scanned);
  }

  private apply(header: BlockHeader, body: BlockBody): string | null {
    const [first] = body.txs;
    if (first?.type === 'config') {
      this.membership = new Membership(first.config);
      this.lastConfig = header.number;
    } else {
      const problem = this.validate(body.txs as TxRecord[], new Date(header.timestamp));
      if (problem !== null) return problem;
    }
    applyBlock(this.state, { header, body });
    return null;
  }

  /** Membership at the block's time, then each recorded validation code against MVCC replayed. */
  private validate(txs: readonly TxRecord[], at: Date): string | null {
    if (!this.membership) return 'a transaction block comes before any channel config';
    const problem = membershipProblem(this.membership, txs, at);
    if (problem !== null) return problem;
    const replayed = validateTxs(txs, this.state, (tx) => tx);
    const differing = replayed.find(({ item, code }) => code !== item.code);
    if (differing) return `transaction ${differing.item.txId} is recorded ${differing.item.code} but replays as ${differing.code}`;
    this.report.validTransactions += replayed.filter(({ code }) => code === 'VALID').length;
    return null;
  }

  private compareCheckpoint(scanned: ScannedBlock): string | null {
    if (scanned.header.number !== this.checkpoint?.height) return null;
    this.checkpointHash = scanned.hash;
    if (scanned.hash !== this.checkpoint.blockHash) return 'the checkpoint was taken on a different block';
    return firstDifference(this.state, this.checkpoint.state);
  }
}

function readCheckpointInto(report: LedgerVerifyReport, dir: string): Checkpoint | null {
  try {
    const checkpoint = readCheckpoint(join(dir, 'checkpoint.json'));
    report.checkpointHeight = checkpoint?.height ?? null;
    return checkpoint;
  } catch (error) {
    report.problem = error instanceof Error ? error.message : String(error);
    return null;
  }
}

export function verifyLedger(dir: string): LedgerVerifyReport {
  const report: LedgerVerifyReport = { ok: false, blocks: 0, transactions: 0, validTransactions: 0, checkpointHeight: null, tornTailBytes: 0, problem: null };
  const blocksPath = join(dir, 'blocks.log');
  if (!existsSync(blocksPath)) {
    report.problem = `no ledger at ${dir}`;
    return report;
  }
  const checkpoint = readCheckpointInto(report, dir);
  const replay = new Replay(report, checkpoint);
  const scanProblem = scanBlocks(blocksPath, (scanned) => replay.onBlock(scanned));
  if (scanProblem?.kind === 'corrupt') report.problem ??= scanProblem.message;
  if (scanProblem?.kind === 'torn-tail') report.tornTailBytes = scanProblem.bytes;
  if (report.problem === null && checkpoint && replay.checkpointHash === null) {
    report.problem = `the checkpoint is at block ${checkpoint.height}, beyond the end of the chain (${report.blocks - 1})`;
  }
  report.ok = report.problem === null;
  return report;
}
