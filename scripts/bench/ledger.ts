/**
 * The embedded ledger in-process: the chaincode through fabric-shim's dispatch, as on a peer, with
 * every block fdatasync'd. No baseline of another kind: each figure stands against its aim.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorFor, createTestNetwork } from '../../test/support/embedded-network';
import { RUN_MS, rate, repeated, type Figures } from './measure';

const BATCH = 500;

/** The ledger figures; `evaluateOnly` stops after the evaluate figure. */
export async function benchLedger(figures: Figures, evaluateOnly = false): Promise<void> {
  console.log('\nEmbedded ledger (in-process)');
  const dir = join(tmpdir(), `elicense-bench-ledger-${process.pid}`);
  const net = await createTestNetwork(dir);
  try {
    const anchor = anchorFor('zj-psb', 'id-card');
    await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(anchor)]);
    const evaluate = () => net.ledger.evaluate(net.ids.scNr, 'license:VerifyLicense', [anchor.id, anchor.docHash]);
    for (let i = 0; i < 200; i++) await evaluate();
    let evaluated = 0;
    const counted = async () => {
      await evaluate();
      evaluated += 1;
    };
    const cpuBefore = process.cpuUsage();
    figures.reportSpread('ledgerEvaluatePerSec', await repeated(() => rate(RUN_MS, 1, counted)), '/s', 'VerifyLicense evaluate, one at a time (aim ≥ 5,000)');
    const cpu = process.cpuUsage(cpuBefore);
    figures.report(
      'ledgerEvaluateCpuUs',
      Math.round((cpu.user + cpu.system) / evaluated),
      'µs',
      'process CPU per evaluate: what a shared machine does not inflate',
    );
    if (evaluateOnly) return;

    const issueOne = () => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(anchorFor('zj-psb', 'id-card'))]);
    figures.reportSpread(
      'ledgerIssuePerSec',
      await repeated(() => rate(RUN_MS, 64, issueOne)),
      '/s',
      'IssueLicense submits, 64 in flight, committed with fdatasync',
    );

    const issueBatch = () =>
      net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(Array.from({ length: BATCH }, () => anchorFor('zj-psb', 'id-card')))]);
    const batches = await repeated(async () => (await rate(RUN_MS, 2, issueBatch)) * BATCH);
    figures.reportSpread('ledgerBatchIssueLicensesPerSec', batches, '/s', `licenses in IssueLicenses of ${BATCH}, 2 in flight (aim ≥ 2,000)`);
    console.log(`  (${net.ledger.height + 1} blocks committed)`);
  } finally {
    await net.ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
