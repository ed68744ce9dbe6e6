/**
 * The process the crash test kills: it opens the embedded ledger in `dir` and submits licenses
 * as fast as it can, printing `ACK <txId>` only after a submit resolved (i.e. was acknowledged).
 * Output goes straight to fd 1 with writeSync, so an ACK the parent reads was really given.
 */
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedLedger } from '../../server/src/adapters/embedded-ledger/embedded-ledger';
import { IdentityWallet } from '../../server/src/adapters/identity/wallet';
import { anchorFor } from './embedded-network';

async function main(): Promise<void> {
  const [dir = '', identity = ''] = process.argv.slice(2);
  const wallet = await IdentityWallet.open(join(dir, 'wallet'));
  // Frequent checkpoints so that kills also land while a checkpoint is being written.
  const ledger = await EmbeddedLedger.open({ dir: join(dir, 'ledger'), wallet, checkpointEveryTxs: 40 });
  writeSync(1, 'READY\n');
  const worker = async (batch: boolean): Promise<never> => {
    for (;;) {
      const result = batch
        ? await ledger.submit(identity, 'license:IssueLicenses', [JSON.stringify(Array.from({ length: 25 }, () => anchorFor('zj-psb', 'id-card')))])
        : await ledger.submit(identity, 'license:IssueLicense', [JSON.stringify(anchorFor('zj-psb', 'id-card'))]);
      writeSync(1, `ACK ${result.txId}\n`);
    }
  };
  await Promise.all([worker(true), ...Array.from({ length: 7 }, () => worker(false))]);
}

main().catch((error: unknown) => {
  writeSync(2, `crash-child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
