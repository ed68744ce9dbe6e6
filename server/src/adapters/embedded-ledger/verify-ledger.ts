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
import { scanBlocks } from './block-file';
import type { BlockBody, TxRecord } from './blocks';
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

function firstDifference(recomputed: WorldState, stored: WorldState): string | null {
  const a = recomputed.snapshot();
  const b = stored.snapshot();
  const sections = [
    [
      'world state',
      a.state,
      b.state,
      (x: unknown, y: unknown) => {
        const [p, q] = [
          x as { value: Buffer; version: { block: number; tx: number } },
          y as typeof x & { value: Buffer; version: { block: number; tx: number } },
        ];
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

export function verifyLedger(dir: string): LedgerVerifyReport {
  const report: LedgerVerifyReport = { ok: false, blocks: 0, transactions: 0, validTransactions: 0, checkpointHeight: null, tornTailBytes: 0, problem: null };
  const blocksPath = join(dir, 'blocks.log');
  if (!existsSync(blocksPath)) {
    report.problem = `no ledger at ${dir}`;
    return report;
  }
  let checkpoint: Checkpoint | null = null;
  try {
    checkpoint = readCheckpoint(join(dir, 'checkpoint.json'));
    report.checkpointHeight = checkpoint?.height ?? null;
  } catch (error) {
    report.problem = (error as Error).message;
  }
  const state = new WorldState();
  let membership: Membership | null = null;
  let lastConfig = -1;
  let checkpointHash: string | null = null;
  const scanProblem = scanBlocks(blocksPath, (scanned) => {
    const { header } = scanned;
    const fail = (message: string): false => {
      report.problem ??= `block ${header.number}: ${message}`;
      return false;
    };
    let body: BlockBody;
    try {
      body = JSON.parse(scanned.bodyBytes.toString('utf8')) as BlockBody;
    } catch {
      return fail('its transactions are not valid JSON');
    }
    if (!Array.isArray(body.txs) || body.txs.length !== header.txCount) return fail('its transaction count does not match its header');
    const config = body.txs.find((tx) => tx.type === 'config');
    if (config && body.txs.length !== 1) return fail('a config transaction must be alone in its block');
    const expectedLastConfig = config ? header.number : lastConfig;
    if (header.lastConfig !== expectedLastConfig) return fail(`LAST_CONFIG says ${header.lastConfig}, should be ${expectedLastConfig}`);
    if (config?.type === 'config') {
      membership = new Membership(config.config);
      lastConfig = header.number;
    } else {
      if (!membership) return fail('a transaction block comes before any channel config');
      const txs = body.txs as TxRecord[];
      const at = new Date(header.timestamp);
      for (const tx of txs) {
        if (!membership.has(tx.creator.mspId)) return fail(`transaction ${tx.txId} was made by ${tx.creator.mspId}, not a channel member`);
        try {
          membership.authenticateCertificate(tx.creator.mspId, tx.creator.certificate, at);
        } catch (error) {
          return fail(`transaction ${tx.txId}: ${(error as Error).message}`);
        }
      }
      const replayed = validateTxs(txs, state, (tx) => tx);
      for (const { item: tx, code } of replayed) {
        if (code !== tx.code) return fail(`transaction ${tx.txId} is recorded ${tx.code} but replays as ${code}`);
      }
      report.validTransactions += replayed.filter(({ code }) => code === 'VALID').length;
    }
    applyBlock(state, { header, body });
    report.blocks += 1;
    report.transactions += body.txs.length;
    if (checkpoint && header.number === checkpoint.height) {
      checkpointHash = scanned.hash;
      if (scanned.hash !== checkpoint.blockHash) return fail('the checkpoint was taken on a different block');
      const difference = firstDifference(state, checkpoint.state);
      if (difference) return fail(difference);
    }
    return true;
  });
  if (scanProblem?.kind === 'corrupt') report.problem ??= scanProblem.message;
  if (scanProblem?.kind === 'torn-tail') report.tornTailBytes = scanProblem.bytes;
  if (!report.problem && checkpoint && checkpointHash === null) {
    report.problem = `the checkpoint is at block ${checkpoint.height}, beyond the end of the chain (${report.blocks - 1})`;
  }
  report.ok = report.problem === null;
  return report;
}
