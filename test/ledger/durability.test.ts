/**
 * The embedded ledger keeps what it acknowledged: across restarts, across SIGKILL at random
 * instants, and it notices when its stored blocks or state were edited.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { LicenseAnchor } from '../../core/anchor';
import { EmbeddedLedger } from '../../server/src/adapters/embedded-ledger/embedded-ledger';
import { verifyLedger } from '../../server/src/adapters/embedded-ledger/verify-ledger';
import { anchorFor, createTestNetwork, type TestNetwork } from '../support/embedded-network';
import { tempDir } from '../support/temp-dir';
import { defined } from '../support/defined';

const VERIFY_SCRIPT = join(__dirname, '..', '..', 'scripts', 'ledger-verify.js');

function runVerifyCommand(dataDir: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [VERIFY_SCRIPT], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

async function populate(net: TestNetwork, count: number): Promise<LicenseAnchor[]> {
  const anchors: LicenseAnchor[] = [];
  for (let i = 0; i < count; i++) {
    const result = await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(anchorFor('zj-psb', 'id-card'))]);
    anchors.push(JSON.parse(result.payload.toString('utf8')) as LicenseAnchor);
  }
  return anchors;
}

describe('embedded ledger durability', function () {
  this.timeout(180000);

  describe('restart', () => {
    let dir: ReturnType<typeof tempDir>;
    after(() => dir.remove());

    it('keeps state, history, tx index and events order across a restart, from the checkpoint and from replay', async () => {
      dir = tempDir();
      // A small checkpoint interval: some blocks come from the checkpoint, the rest from replay.
      const net = await createTestNetwork(dir.path, { checkpointEveryTxs: 5 });
      const anchors = await populate(net, 12);
      const suspended = await net.ledger.submit(net.ids.zjPsb, 'license:SuspendLicense', [defined(anchors[3]).id, 'lost']);
      const before = await net.ledger.evaluate(net.ids.zjClerk, 'license:GetLicenseHistory', [defined(anchors[3]).id]);
      const height = net.ledger.height;
      await net.ledger.close();

      const ledger = await net.reopen();
      try {
        expect(ledger.height).to.equal(height);
        expect((await ledger.evaluate(net.ids.zjClerk, 'license:GetLicenseHistory', [defined(anchors[3]).id])).toString()).to.equal(before.toString());
        expect(await ledger.transactionStatus(net.ids.zjClerk, suspended.txId)).to.include({ valid: true, blockNumber: suspended.blockNumber });
        for (const anchor of anchors) {
          const read = JSON.parse((await ledger.evaluate(net.ids.zjClerk, 'license:ReadLicense', [anchor.id])).toString()) as LicenseAnchor;
          expect(read.docHash).to.equal(anchor.docHash);
        }
        const next = await ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(anchorFor('zj-psb', 'id-card'))]);
        expect(next.blockNumber).to.equal(height + 1);
      } finally {
        await ledger.close();
      }
      const report = verifyLedger(net.ledgerDir);
      expect(report, report.problem ?? '').to.include({ ok: true, problem: null });
      expect(report.checkpointHeight).to.equal(height + 1);
      const cli = runVerifyCommand(dir.path);
      expect(cli.status, cli.output).to.equal(0);
      expect(cli.output).to.contain('OK');
    });
  });

  describe('crash safety', () => {
    let dir: ReturnType<typeof tempDir>;
    after(() => dir.remove());

    it('loses no acknowledged transaction when killed with SIGKILL at random instants, 20 times', async () => {
      dir = tempDir();
      const net = await createTestNetwork(dir.path);
      await net.ledger.close();
      const childScript = join(__dirname, '..', 'support', 'crash-child.js');
      const acknowledged: string[] = [];
      for (let round = 0; round < 20; round++) {
        const child = spawn(process.execPath, [childScript, dir.path, net.ids.zjPsb], { stdio: ['ignore', 'pipe', 'pipe'] });
        let buffered = '';
        let stderr = '';
        let ackedThisRound = 0;
        // Resolves at this round's first acknowledged submit: from then on the child is writing, so
        // every kill below lands mid-write, however slowly a loaded machine started the child.
        let writing: () => void = () => undefined;
        const firstAck = new Promise<void>((resolve) => (writing = resolve));
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (!line.startsWith('ACK ')) continue;
            acknowledged.push(line.slice(4));
            if (++ackedThisRound === 1) writing();
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const startedOrDied = await Promise.race([firstAck.then(() => 'writing' as const), exited.then(() => 'died' as const)]);
        expect(startedOrDied, `round ${round}: the child died before writing: ${stderr}`).to.equal('writing');
        // A random instant within the submit loop: mid-block, mid-fdatasync, mid-checkpoint.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 800));
        child.kill('SIGKILL');
        const code = await exited;
        expect(code, `the child died on its own: ${stderr}`).to.equal(null);

        const report = verifyLedger(net.ledgerDir);
        expect(report.ok, `round ${round}: ${report.problem}`).to.equal(true);
        const ledger = await EmbeddedLedger.open({ dir: net.ledgerDir, wallet: net.wallet });
        try {
          for (const txId of acknowledged) {
            const status = await ledger.transactionStatus(net.ids.zjClerk, txId);
            expect(status, `round ${round}: acknowledged tx ${txId} is missing`).to.not.equal(null);
            expect(status?.valid).to.equal(true);
          }
        } finally {
          await ledger.close();
        }
      }
      // One acknowledged submit at least per round, by construction of the wait above.
      expect(acknowledged.length).to.be.at.least(20);
      const final = runVerifyCommand(dir.path);
      expect(final.status, final.output).to.equal(0);
    });
  });

  describe('tampering', () => {
    let dir: ReturnType<typeof tempDir>;
    let net: TestNetwork;
    let anchors: LicenseAnchor[];
    let pristineBlocks: Buffer;
    let pristineCheckpoint: string;
    const blocksPath = () => join(net.ledgerDir, 'blocks.log');
    const checkpointPath = () => join(net.ledgerDir, 'checkpoint.json');

    before(async () => {
      dir = tempDir();
      net = await createTestNetwork(dir.path);
      anchors = await populate(net, 6);
      await net.ledger.close();
      pristineBlocks = readFileSync(blocksPath());
      pristineCheckpoint = readFileSync(checkpointPath(), 'utf8');
    });
    afterEach(() => {
      writeFileSync(blocksPath(), pristineBlocks);
      writeFileSync(checkpointPath(), pristineCheckpoint);
    });
    after(() => dir.remove());

    it('verifies the untouched ledger', () => {
      const cli = runVerifyCommand(dir.path);
      expect(cli.status, cli.output).to.equal(0);
    });

    it('catches one changed byte in a stored transaction, and refuses to start on it', async () => {
      const text = pristineBlocks.toString('latin1');
      const at = text.indexOf(defined(anchors[2]).docHash);
      const tampered = Buffer.from(pristineBlocks);
      tampered[at] = tampered[at] === 0x61 ? 0x62 : 0x61;
      writeFileSync(blocksPath(), tampered);
      const report = verifyLedger(net.ledgerDir);
      expect(report.ok).to.equal(false);
      expect(report.problem).to.match(/data hash/);
      const cli = runVerifyCommand(dir.path);
      expect(cli.status).to.equal(1);
      expect(cli.output).to.contain('INCONSISTENT');
      let refused: Error | null = null;
      try {
        await (await net.reopen()).close();
      } catch (error) {
        refused = error as Error;
      }
      expect(refused?.message).to.match(/corrupt/);
    });

    it('catches an edited state entry even when the editor fixed the checkpoint checksum', () => {
      const body = defined(pristineCheckpoint.split('\n')[0]);
      // State values are JSON text stored inside JSON strings, hence the escaped quotes.
      const edited = body.replace('\\"status\\":\\"active\\"', '\\"status\\":\\"revoked\\"');
      expect(edited).to.not.equal(body);
      writeFileSync(checkpointPath(), `${edited}\n${createHash('sha256').update(edited).digest('hex')}\n`);
      const report = verifyLedger(net.ledgerDir);
      expect(report.ok).to.equal(false);
      expect(report.problem).to.match(/world state entry .* differs/);
      expect(runVerifyCommand(dir.path).status).to.equal(1);
    });

    it('catches an edited state entry that left the checksum stale', () => {
      const edited = pristineCheckpoint.replace('\\"status\\":\\"active\\"', '\\"status\\":\\"revoked\\"');
      expect(edited).to.not.equal(pristineCheckpoint);
      writeFileSync(checkpointPath(), edited);
      const report = verifyLedger(net.ledgerDir);
      expect(report.problem).to.match(/checksum/);
      expect(runVerifyCommand(dir.path).status).to.equal(1);
    });

    it('catches a removed block in the middle of the chain', () => {
      const lines = pristineBlocks.toString('utf8').split('\n');
      lines.splice(3, 1);
      writeFileSync(blocksPath(), lines.join('\n'));
      const report = verifyLedger(net.ledgerDir);
      expect(report.ok).to.equal(false);
      expect(runVerifyCommand(dir.path).status).to.equal(1);
    });

    it('notes a torn unacknowledged tail, and cuts it off on the next start', async () => {
      const lines = pristineBlocks.toString('utf8').split('\n');
      appendFileSync(blocksPath(), defined(lines.at(-2)).slice(0, 40));
      const report = verifyLedger(net.ledgerDir);
      expect(report).to.include({ ok: true, tornTailBytes: 40 });
      const ledger = await net.reopen();
      await ledger.close();
      expect(readFileSync(blocksPath()).equals(pristineBlocks)).to.equal(true);
    });
  });
});
