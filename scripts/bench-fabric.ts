/**
 * `npm run bench:fabric`: throughput of the running two-province Fabric network (start it with
 * `npm run network:up`), through the Fabric ledger adapter exactly as the server uses it, then
 * through two registry servers, one per province, each in its own child process (as `npm run
 * bench` runs its server), so this process is only the load.
 *
 *   raw submit     license:SuspendLicense on distinct licenses, many in flight: an existing
 *                  transaction that writes a single key (the anchor) after reading it and its
 *                  agency, endorsed by both provinces (MAJORITY), ordered, committed on both peers
 *   raw evaluate   license:ReadLicense, many in flight: one peer, one key read, nothing ordered
 *   verify eval    license:VerifyLicense, the same way: the verification read, against raw
 *   batch anchor   license:IssueLicenses batches of 500 straight to the adapter
 *   server issue   HTTP issue requests to the Zhejiang server, many in flight: each one anchored
 *                  through its group-committed IssueLicenses and its credential signed
 *   revocation     revoke in Zhejiang over HTTP; from the revoke's block event on Zhejiang's peer
 *                  (this process listens) to the first `revoked` verdict of a Sichuan counter
 *                  (revocationVisible) and to the entry INVALID in Sichuan's served status list
 *                  (statusListVisible), p50 and p99 over BENCH_REVOCATIONS samples
 *
 * The machine is printed first; the last line is JSON for tooling. Sizes: BENCH_SUBMITS,
 * BENCH_EVALUATES, BENCH_BATCHES, BENCH_FABRIC_CONCURRENCY, BENCH_SERVER_ISSUES,
 * BENCH_SERVER_CONCURRENCY, BENCH_REVOCATIONS (100), BENCH_REVOCATION_CONCURRENCY (4); the
 * network: NETWORK_RUN_DIR (network/.run).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import type { AnchorInput } from '../core/anchor';
import { RegistryError } from '../core/errors';
import { STATUS_INVALID } from '../core/status-list';
import { openFabricLedger, type FabricLedger } from '../server/src/adapters/fabric-ledger/fabric-ledger';
import { IdentityWallet } from '../server/src/adapters/identity/wallet';
import type { DemoFile } from '../server/src/services/demo';
import { DEFAULT_RUN_DIR } from '../network/src/plan';
import { isRunning, recordedProcesses } from '../network/src/processes';
import { readNetworkState, type NetworkState } from '../network/src/profiles';
import { idCardBody } from '../test/support/requests';
import { spawnServer } from '../test/support/server-process';
import { anchorFor } from '../test/support/ledger-fixture';
import { describeMachine, loadAverageNow, printMachine } from './bench/machine';
import { envNumber, httpClient, jsonOf, pool, round, sleep, type HttpCall } from './bench/measure';
import { BENCH_SERVER_ENV, type IssuedCredential } from './bench/registry';
import { statusReferenceOf } from './bench/status-list';
import { percentile } from './percentile';

const BATCH = 500;
const SUBMITS = envNumber('BENCH_SUBMITS', 1000);
const EVALUATES = envNumber('BENCH_EVALUATES', 4000);
const BATCHES = envNumber('BENCH_BATCHES', 8);
const CONCURRENCY = envNumber('BENCH_FABRIC_CONCURRENCY', 100);
const SERVER_ISSUES = envNumber('BENCH_SERVER_ISSUES', 3000);
const SERVER_CONCURRENCY = envNumber('BENCH_SERVER_CONCURRENCY', 1000);
// Enough samples that the p99 is not the maximum: of 200, the nearest-rank p99 is the second largest.
const REVOCATIONS = envNumber('BENCH_REVOCATIONS', 200);
const REVOCATION_CONCURRENCY = envNumber('BENCH_REVOCATION_CONCURRENCY', 4);
// Each watch polls Sichuan twice per round: every 20 ms keeps 4 watches from loading its node much.
const POLL_MS = 20;

/** The item at `index`, which the bench has just made sure exists. */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item ${index} of ${items.length}`);
  return item;
}

/** Binds each province and registers its demo agencies, as their admins would; safe to run again. */
async function provision(ledger: FabricLedger, state: NetworkState) {
  for (const province of state.provinces) {
    await ledger.submit(province.identities.admin, 'trust:RegisterProvince', [province.code]);
    for (const agency of province.agencies) {
      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
      try {
        await ledger.submit(province.identities.admin, 'trust:RegisterAgency', [JSON.stringify({ ...agency, province: province.code, jwk })]);
      } catch (error) {
        if (!(error instanceof RegistryError && error.code === 'AGENCY_EXISTS')) throw error;
      }
    }
  }
}

async function main(): Promise<void> {
  const machine = describeMachine(tmpdir());
  printMachine(machine);
  const runDir = process.env.NETWORK_RUN_DIR ?? DEFAULT_RUN_DIR;
  const state = readNetworkState(runDir);
  const processes = recordedProcesses(runDir);
  if (!state || processes.length === 0 || !processes.every(isRunning)) {
    throw new Error(`no running Fabric network in ${runDir}: start it with npm run network:up`);
  }
  const zj = at(state.provinces, 0);
  const sc = state.provinces[1] ?? zj;
  const wallet = await IdentityWallet.open(state.walletDir);
  const ledger = await openFabricLedger({
    connectionProfile: zj.connectionProfile,
    wallet,
    channel: state.channel,
    chaincode: state.chaincode,
    eventIdentity: zj.identities.admin,
  });
  const [zjAgency, zjIssuer] = at(Object.entries(zj.identities.issuers), 0);
  const [scAgency, scIssuer] = at(Object.entries(sc.identities.issuers), 0);
  const typeOf = (agencyId: string) => state.provinces.flatMap((p) => p.agencies).find((a) => a.id === agencyId)?.licenseTypes[0] ?? 'id-card';
  console.log(`bench:fabric on ${state.provinces.map((p) => p.name).join(' + ')} (${runDir}), ${CONCURRENCY} in flight`);
  await provision(ledger, state);
  const heightBefore = await ledger.height();

  // Licenses to suspend, anchored up front in batches.
  const targets: AnchorInput[] = Array.from({ length: SUBMITS }, () => anchorFor(zjAgency, typeOf(zjAgency)));
  for (let i = 0; i < targets.length; i += BATCH) {
    await ledger.submit(zjIssuer, 'license:IssueLicenses', [JSON.stringify(targets.slice(i, i + BATCH))]);
  }

  const single: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    await ledger.submit(zjIssuer, 'license:SuspendLicense', [at(targets, i).id, 'investigation']);
    single.push(performance.now() - started);
    await ledger.submit(zjIssuer, 'license:ReinstateLicense', [at(targets, i).id, 'investigation-cleared']);
  }
  console.log(`  one submit at a time: ${round(percentile(single, 50))} ms median (BatchTimeout bounds it from below)`);

  const blocksBefore = await ledger.height();
  let started = performance.now();
  const { latencies: submitLatency } = await pool(SUBMITS, CONCURRENCY, (i) => ledger.submit(zjIssuer, 'license:SuspendLicense', [at(targets, i).id, 'lost']));
  let seconds = (performance.now() - started) / 1000;
  const rawSubmit = SUBMITS / seconds;
  const blocks = (await ledger.height()) - blocksBefore;
  console.log(
    `  raw submit (license:SuspendLicense, 1 key written): ${round(rawSubmit, 1)} tx/s — ${SUBMITS} in ${round(seconds, 1)} s, ` +
      `${blocks} blocks (${round(SUBMITS / Math.max(1, blocks), 1)} tx/block), latency p50 ${round(percentile(submitLatency, 50))} ms p95 ${round(percentile(submitLatency, 95))} ms`,
  );

  started = performance.now();
  const { latencies: evaluateLatency } = await pool(EVALUATES, CONCURRENCY, (i) =>
    ledger.evaluate(i % 2 ? zjIssuer : scIssuer, 'license:ReadLicense', [at(targets, i % targets.length).id]),
  );
  seconds = (performance.now() - started) / 1000;
  const rawEvaluate = EVALUATES / seconds;
  console.log(
    `  raw evaluate (license:ReadLicense, both provinces' peers): ${round(rawEvaluate, 1)} /s — ${EVALUATES} in ${round(seconds, 1)} s, ` +
      `latency p50 ${round(percentile(evaluateLatency, 50))} ms p95 ${round(percentile(evaluateLatency, 95))} ms`,
  );

  started = performance.now();
  await pool(EVALUATES, CONCURRENCY, (i) => {
    const target = at(targets, i % targets.length);
    return ledger.evaluate(i % 2 ? zjIssuer : scIssuer, 'license:VerifyLicense', [target.id, target.docHash]);
  });
  seconds = (performance.now() - started) / 1000;
  const verifyEvaluate = EVALUATES / seconds;
  console.log(
    `  verify evaluate (license:VerifyLicense, the same way): ${round(verifyEvaluate, 1)} /s — ${round(verifyEvaluate / rawEvaluate, 2)}x raw evaluate (aim ≥ 0.8x)`,
  );

  const batches = Array.from({ length: BATCHES }, (_, i) => {
    const [agency, issuer] = i % 2 === 0 ? [zjAgency, zjIssuer] : [scAgency, scIssuer];
    return { issuer, anchors: Array.from({ length: BATCH }, () => anchorFor(agency, typeOf(agency))) };
  });
  started = performance.now();
  const { latencies: batchLatency } = await pool(BATCHES, 2, (i) =>
    ledger.submit(at(batches, i).issuer, 'license:IssueLicenses', [JSON.stringify(at(batches, i).anchors)]),
  );
  seconds = (performance.now() - started) / 1000;
  const anchored = (BATCHES * BATCH) / seconds;
  console.log(
    `  anchoring (license:IssueLicenses x${BATCH}, 2 agencies of 2 provinces at once): ${round(anchored, 1)} licenses/s — ` +
      `${BATCHES * BATCH} in ${round(seconds, 1)} s, ${round(percentile(batchLatency, 50))} ms per batch`,
  );

  const servers = await benchServers(runDir, state, ledger);
  const revocation = reportRevocations(servers.revocations);

  const heightAfter = await ledger.height();
  await ledger.close();
  console.log(
    JSON.stringify({
      fabricRawSubmitPerSec: round(rawSubmit, 1),
      fabricRawEvaluatePerSec: round(rawEvaluate, 1),
      fabricEvaluatePerSec: round(verifyEvaluate, 1),
      fabricLicensesAnchoredPerSec: round(servers.anchoredPerSec, 1),
      fabricBatchAnchorPerSec: round(anchored, 1),
      ...revocation,
      fabricSubmitLatencyMs: round(percentile(single, 50)),
      fabricSubmitP95UnderLoadMs: round(percentile(submitLatency, 95)),
      fabricTxPerBlockUnderLoad: round(SUBMITS / Math.max(1, blocks), 1),
      fabricBlocksWritten: heightAfter - heightBefore,
      machine: `${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.dataFilesystem}`,
      loadAtStart: machine.loadAtStart,
      loadAtEnd: loadAverageNow(),
    }),
  );
}

interface ProvinceServer {
  call: HttpCall;
  agency: Record<string, string>;
  counter: Record<string, string>;
  stop(): Promise<void>;
}

/** A registry server of `province` on the network, in a child process (as `npm start` runs it), wiped when stopped. */
async function startProvinceServer(runDir: string, state: NetworkState, province: string): Promise<ProvinceServer> {
  const dir = mkdtempSync(join(tmpdir(), `elicense-bench-fabric-${province}-`));
  const server = await spawnServer(
    {
      DATA_DIR: dir,
      WALLET_DIR: state.walletDir,
      LEDGER: 'fabric',
      FABRIC_PROVINCE: province,
      FABRIC_NETWORK: join(runDir, 'state.json'),
      // The demo agencies and counters give the bench its API keys (off by default on Fabric once DEMO exists).
      DEMO: 'true',
      ...BENCH_SERVER_ENV,
    },
    180000,
  );
  const stop = async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const demo = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')) as DemoFile;
    const bearer = (key: string | undefined) => ({ authorization: `Bearer ${key ?? ''}` });
    return { call: httpClient(server.url, SERVER_CONCURRENCY), agency: bearer(demo.agencies[0]?.apiKey), counter: bearer(demo.counters[0]?.apiKey), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** When each license's revoke reached the bench from Zhejiang's peer (its block event), by license id. */
function commitTimes(ledger: FabricLedger): { times: Map<string, number>; stop: () => void } {
  const times = new Map<string, number>();
  const stop = ledger.onEvent((event) => {
    if (event.name !== 'LicenseRevoked') return;
    const at = performance.now();
    const payload = JSON.parse(event.payload.toString('utf8')) as { licenses?: Array<{ id?: string }> };
    for (const license of payload.licenses ?? []) if (license.id !== undefined && !times.has(license.id)) times.set(license.id, at);
  });
  return { times, stop };
}

interface RevocationSample {
  verdictMs: number;
  listMs: number;
}

/**
 * One license revoked in Zhejiang, watched at Sichuan: its counter's verify and its served status
 * list, polled every POLL_MS ms from before the revoke. Each delay counts from the revoke's block event
 * on Zhejiang's peer, so neither the request nor the wait for Sichuan's commit is in it.
 */
async function watchRevocation(zj: ProvinceServer, sc: ProvinceServer, issued: IssuedCredential, committed: Map<string, number>): Promise<RevocationSample> {
  const reference = statusReferenceOf(issued.credential);
  // Settles with the failure, if any, so a refused revoke is reported after the watch rather than as an unhandled rejection.
  const revoked = zj.call('POST', `/api/v1/licenses/${issued.licenseId}/revoke`, { reason: 'fraud' }, zj.agency).then(
    (response) => (response.status === 200 ? null : new Error(`revoke: HTTP ${response.status} ${response.body.slice(0, 200)}`)),
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  let verdictAt: number | null = null;
  let listAt: number | null = null;
  const began = performance.now();
  while (verdictAt === null || listAt === null) {
    if (performance.now() - began > 30000) throw new Error(`revocation of ${issued.licenseId} never reached the other province`);
    const [verdict, list] = await Promise.all([
      verdictAt === null ? sc.call('POST', '/api/v1/verify', { credential: issued.credential }, sc.counter) : null,
      listAt === null ? sc.call('GET', reference.path) : null,
    ]);
    const now = performance.now();
    if (verdict && (JSON.parse(verdict.body) as { status?: string }).status === 'revoked') verdictAt = now;
    if (list?.status === 200 && getListFromStatusListJWT(list.body).getStatus(reference.idx) === STATUS_INVALID) listAt = now;
    await sleep(POLL_MS);
  }
  const failure = await revoked;
  if (failure) throw failure;
  const commit = committed.get(issued.licenseId);
  if (commit === undefined) throw new Error(`no block event from Zhejiang's peer for the revoke of ${issued.licenseId}`);
  return { verdictMs: verdictAt - commit, listMs: listAt - commit };
}

interface ServerFigures {
  anchoredPerSec: number;
  revocations: RevocationSample[];
}

/** Two registry servers on the network, one per province, each in its own child process. */
async function benchServers(runDir: string, state: NetworkState, ledger: FabricLedger): Promise<ServerFigures> {
  const zj = await startProvinceServer(runDir, state, at(state.provinces, 0).code);
  const sc = await startProvinceServer(runDir, state, state.provinces[1]?.code ?? at(state.provinces, 0).code).catch(async (error: unknown) => {
    await zj.stop();
    throw error;
  });
  const events = commitTimes(ledger);
  try {
    const issue = async (): Promise<IssuedCredential> => jsonOf(await zj.call('POST', '/api/v1/licenses', idCardBody(), zj.agency), 201, 'issue');
    await pool(32, 32, issue); // warm-up: gateways connected, keys cached
    // Enough requests in flight to fill the batches: a closed loop of N clients cannot exceed
    // N per commit latency (~0.5–1.5 s here), whatever the server does.
    const { perSec: anchoredPerSec } = await pool(SERVER_ISSUES, SERVER_CONCURRENCY, issue);
    console.log(`  server issuance (HTTP, ${SERVER_CONCURRENCY} in flight, batched anchors): ${round(anchoredPerSec, 1)} licenses/s`);

    const targets: IssuedCredential[] = [];
    await pool(REVOCATIONS, 32, async () => targets.push(await issue()));
    for (const target of targets) {
      const verdict = JSON.parse((await sc.call('POST', '/api/v1/verify', { credential: target.credential }, sc.counter)).body) as { valid?: boolean };
      if (verdict.valid !== true) throw new Error('a fresh license should verify in the other province');
    }
    const revocations: RevocationSample[] = [];
    await pool(targets.length, REVOCATION_CONCURRENCY, async (i) => revocations.push(await watchRevocation(zj, sc, at(targets, i), events.times)));
    return { anchoredPerSec, revocations };
  } finally {
    events.stop();
    await sc.stop();
    await zj.stop();
  }
}

function reportRevocations(samples: readonly RevocationSample[]): Record<string, number> {
  const verdicts = samples.map((sample) => sample.verdictMs);
  const lists = samples.map((sample) => sample.listMs);
  const figures = {
    revocationVisibleP50Ms: round(percentile(verdicts, 50)),
    revocationVisibleP99Ms: round(percentile(verdicts, 99)),
    statusListVisibleP50Ms: round(percentile(lists, 50)),
    statusListVisibleP99Ms: round(percentile(lists, 99)),
  };
  console.log(
    `  revocation visible at the other province, from the revoke's block event on Zhejiang's peer (${samples.length} samples, ${REVOCATION_CONCURRENCY} at a time, polled every ${POLL_MS} ms):\n` +
      `    Sichuan counter's verdict revoked: p50 ${figures.revocationVisibleP50Ms} ms, p99 ${figures.revocationVisibleP99Ms} ms, max ${round(Math.max(...verdicts))} ms\n` +
      `    Sichuan's served status list INVALID: p50 ${figures.statusListVisibleP50Ms} ms, p99 ${figures.statusListVisibleP99Ms} ms, max ${round(Math.max(...lists))} ms (aim ≤ 5,000)`,
  );
  return figures;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
