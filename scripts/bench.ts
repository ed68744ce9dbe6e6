/**
 * `npm run bench`: speed figures that mean what they say. Each throughput figure is the median of
 * BENCH_RUNS runs (3) with its spread, measured against a baseline of the same work (the same
 * credentials, the same concurrency) in the same run, on a machine printed at the start and end.
 * Ends with one JSON line of every figure.
 *
 *   embedded ledger (in-process)     evaluates/s, single and batched issue submits/s
 *   HTTP (server in a child process) issue/s; verify/s cached and uncached against raw jose at the
 *                                    same concurrency; the printed QR form verified; QR sizes;
 *                                    offline verification; a paced load run (p50/p99, errors);
 *                                    the status list served and a revoke's visibility in it
 *   presentations                    holder-bound verify/s against raw, QR version, request flow
 *
 * Knobs (environment): BENCH_RUNS (3), BENCH_SECONDS (2, each timed run), BENCH_CONCURRENCY (32),
 * BENCH_POOL (4000 credentials issued), BENCH_LOAD_SECONDS (60, 0 skips), BENCH_LOAD_RATE (200),
 * BENCH_STATUS_SAMPLES (200), BENCH_STATUS_SERVES (200), BENCH_PRESENTATIONS (1500 per run),
 * BENCH_REQUEST_FLOWS (40), BENCH_SKIP_LEDGER (1 skips the embedded ledger section),
 * BENCH_SERVER_NODE_ARGS (node flags of the registry's child process, e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` to profile the server under the load of a phase).
 *
 * `npm run bench -- --only <phase>[,<phase>…]` runs only those phases: `ledgerEvaluate`, `ledger`
 * (evaluate and issue), `httpVerify` (issue a pool, then the verify figures), `http` (every HTTP
 * figure), `presentations`. Without it, every phase runs.
 */
import { tmpdir } from 'node:os';
import { describeMachine, loadAverageNow, printMachine } from './bench/machine';
import { CONCURRENCY, Figures, RUNS, RUN_MS, envNumber, round } from './bench/measure';
import { benchLedger } from './bench/ledger';
import { benchLoad } from './bench/load';
import { benchOffline } from './bench/offline';
import { benchPresentations, benchRequestFlow, makeHolders } from './bench/presentations';
import { walletHolders } from './bench/holders';
import { startRegistry, type IssuedCredential } from './bench/registry';
import { benchStatusListServe, benchStatusListVisible } from './bench/status-list';
import { benchVerify, issuePool, reportCredentialSize, reportQrRender } from './bench/verify';

const PHASES = ['ledgerEvaluate', 'ledger', 'httpVerify', 'http', 'presentations'] as const;
type Phase = (typeof PHASES)[number];

/** The phases `--only` names, or every phase. */
function phasesOf(args: readonly string[]): ReadonlySet<Phase> {
  const at = args.indexOf('--only');
  if (at === -1) return new Set(['ledger', 'http', 'presentations']);
  const named = (args[at + 1] ?? '').split(',').filter((name) => name !== '');
  const unknown = named.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (named.length === 0 || unknown.length > 0) throw new Error(`--only takes phases among ${PHASES.join(', ')}; got ${named.join(',') || 'none'}`);
  return new Set(named as Phase[]);
}

async function benchHttp(figures: Figures, verifyOnly: boolean): Promise<void> {
  console.log('\nHTTP (registry in a child process; this process generates the load)');
  const registry = await startRegistry('http');
  try {
    const poolSize = Math.max(envNumber('BENCH_POOL', 4000), 64);
    const samples = envNumber('BENCH_STATUS_SAMPLES', 200);
    if (verifyOnly) {
      await benchVerify(registry, await issuePool(registry, poolSize, figures), figures);
      return;
    }
    const issued = await issuePool(registry, poolSize + samples, figures);
    const first = issued[0] as IssuedCredential;
    reportCredentialSize(first.credential, figures);
    await reportQrRender(first.credential, figures);
    const verifiable = issued.slice(0, issued.length - samples);
    await benchVerify(registry, verifiable, figures);
    await benchOffline(
      registry,
      verifiable.slice(0, 64).map((item) => item.credential),
      figures,
    );
    await benchLoad(
      registry,
      verifiable.map((item) => item.credential),
      figures,
    );
    await benchStatusListServe(registry, first.credential, figures);
    await benchStatusListVisible(registry, issued.slice(issued.length - samples), figures);
  } finally {
    await registry.stop();
  }
}

async function benchHolderBound(figures: Figures): Promise<void> {
  console.log('\nPresentations (holder-bound; registry in a child process, the wallet module in this process)');
  const registry = await startRegistry('presentations');
  try {
    const holders = await makeHolders(walletHolders(registry));
    await benchPresentations(registry, holders, figures);
    await benchRequestFlow(registry, holders[0] as (typeof holders)[number], figures);
  } finally {
    await registry.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = describeMachine(tmpdir());
  console.log(`elicense bench — ${new Date().toISOString()}`);
  printMachine(machine);
  console.log(`  ${RUNS} runs per figure (median, [min–max]), ${RUN_MS / 1000} s each, ${CONCURRENCY} concurrent where stated`);
  const phases = phasesOf(process.argv.slice(2));
  const figures = new Figures();
  if (envNumber('BENCH_SKIP_LEDGER', 0) === 0 && (phases.has('ledger') || phases.has('ledgerEvaluate'))) {
    await benchLedger(figures, !phases.has('ledger'));
  }
  if (phases.has('http') || phases.has('httpVerify')) await benchHttp(figures, !phases.has('http'));
  if (phases.has('presentations')) await benchHolderBound(figures);
  const loadAtEnd = loadAverageNow();
  console.log(`\n(${round((Date.now() - started) / 1000, 1)} s; load average at end: ${loadAtEnd})`);
  console.log(
    JSON.stringify({
      ...figures.values,
      machine: `${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.dataFilesystem}`,
      loadAtStart: machine.loadAtStart,
      loadAtEnd,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
