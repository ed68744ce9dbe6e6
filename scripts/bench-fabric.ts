/**
 * `npm run bench:fabric`: throughput of the running two-province Fabric network (start it with
 * `npm run network:up`), through the Fabric ledger adapter exactly as the server uses it, then
 * through two registry servers, one per province.
 *
 *   raw submit     license:SuspendLicense on distinct licenses, many in flight: an existing
 *                  transaction that writes a single key (the anchor) after reading it and its
 *                  agency, endorsed by both provinces (MAJORITY), ordered, committed on both peers
 *   raw evaluate   license:ReadLicense, many in flight: one peer, one key read, nothing ordered
 *   verify eval    license:VerifyLicense, the same way: the verification read, against raw
 *   batch anchor   license:IssueLicenses batches of 500 straight to the adapter
 *   server issue   HTTP issue requests to the Zhejiang server, many in flight: each one anchored
 *                  through its group-committed IssueLicenses and its credential signed
 *   revocation     revoke in Zhejiang over HTTP, poll a Sichuan counter's verify until it says
 *                  revoked: the cross-province latency, p50 and p99
 *
 * The last line is JSON for tooling. Sizes: BENCH_SUBMITS, BENCH_EVALUATES, BENCH_BATCHES,
 * BENCH_CONCURRENCY; the network: NETWORK_RUN_DIR (network/.run).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AnchorInput } from '../core/anchor';
import { RegistryError } from '../core/errors';
import { openFabricLedger, type FabricLedger } from '../server/src/adapters/fabric-ledger/fabric-ledger';
import { IdentityWallet } from '../server/src/adapters/identity/wallet';
import { DEFAULT_RUN_DIR } from '../network/src/plan';
import { isRunning, recordedProcesses } from '../network/src/processes';
import { readNetworkState, type NetworkState } from '../network/src/profiles';
import { loadConfig } from '../server/src/config';
import { startServer, type RunningServer } from '../server/src/server';
import { defined } from '../test/support/defined';
import { idCardBody } from '../test/support/requests';
import { percentile } from './percentile';
import { anchorFor } from '../test/support/ledger-fixture';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BATCH = 500;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SUBMITS = env('BENCH_SUBMITS', 1000);
const EVALUATES = env('BENCH_EVALUATES', 4000);
const BATCHES = env('BENCH_BATCHES', 8);
const CONCURRENCY = env('BENCH_CONCURRENCY', 100);
const SERVER_ISSUES = env('BENCH_SERVER_ISSUES', 3000);
const SERVER_CONCURRENCY = env('BENCH_SERVER_CONCURRENCY', 1000);
const REVOCATIONS = env('BENCH_REVOCATIONS', 20);

/** Runs `count` jobs with at most `concurrency` in flight; returns each job's latency in ms. */
async function pool(count: number, concurrency: number, job: (index: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const started = performance.now();
      await job(index);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return latencies;
}

/** The item at `index`, which the bench has just made sure exists. */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item ${index} of ${items.length}`);
  return item;
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

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
  const submitLatency = await pool(SUBMITS, CONCURRENCY, (i) => ledger.submit(zjIssuer, 'license:SuspendLicense', [at(targets, i).id, 'lost']));
  let seconds = (performance.now() - started) / 1000;
  const rawSubmit = SUBMITS / seconds;
  const blocks = (await ledger.height()) - blocksBefore;
  console.log(
    `  raw submit (license:SuspendLicense, 1 key written): ${round(rawSubmit, 1)} tx/s — ${SUBMITS} in ${round(seconds, 1)} s, ` +
      `${blocks} blocks (${round(SUBMITS / Math.max(1, blocks), 1)} tx/block), latency p50 ${round(percentile(submitLatency, 50))} ms p95 ${round(percentile(submitLatency, 95))} ms`,
  );

  started = performance.now();
  const evaluateLatency = await pool(EVALUATES, CONCURRENCY, (i) =>
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
  const batchLatency = await pool(BATCHES, 2, (i) => ledger.submit(at(batches, i).issuer, 'license:IssueLicenses', [JSON.stringify(at(batches, i).anchors)]));
  seconds = (performance.now() - started) / 1000;
  const anchored = (BATCHES * BATCH) / seconds;
  console.log(
    `  anchoring (license:IssueLicenses x${BATCH}, 2 agencies of 2 provinces at once): ${round(anchored, 1)} licenses/s — ` +
      `${BATCHES * BATCH} in ${round(seconds, 1)} s, ${round(percentile(batchLatency, 50))} ms per batch`,
  );

  const servers = await benchServers(runDir, state);

  const heightAfter = await ledger.height();
  await ledger.close();
  console.log(
    JSON.stringify({
      fabricRawSubmitPerSec: round(rawSubmit, 1),
      fabricRawEvaluatePerSec: round(rawEvaluate, 1),
      fabricEvaluatePerSec: round(verifyEvaluate, 1),
      fabricLicensesAnchoredPerSec: round(servers.anchoredPerSec, 1),
      fabricBatchAnchorPerSec: round(anchored, 1),
      revocationVisibleP50Ms: round(servers.revocationP50, 0),
      revocationVisibleP99Ms: round(servers.revocationP99, 0),
      fabricSubmitLatencyMs: round(percentile(single, 50)),
      fabricSubmitP95UnderLoadMs: round(percentile(submitLatency, 95)),
      fabricTxPerBlockUnderLoad: round(SUBMITS / Math.max(1, blocks), 1),
      fabricBlocksWritten: heightAfter - heightBefore,
    }),
  );
}

/** Two registry servers on the network, one per province, in this process; stopped and wiped after. */
async function benchServers(runDir: string, state: NetworkState): Promise<{ anchoredPerSec: number; revocationP50: number; revocationP99: number }> {
  const started: Array<{ server: RunningServer; dir: string }> = [];
  const start = async (province: string) => {
    const dir = mkdtempSync(join(tmpdir(), `elicense-bench-fabric-${province}-`));
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: dir,
      WALLET_DIR: state.walletDir,
      LEDGER: 'fabric',
      FABRIC_PROVINCE: province,
      FABRIC_NETWORK: join(runDir, 'state.json'),
      PUBLIC_RATE_LIMIT: '1000000',
    });
    const server = await startServer(config, { log: () => undefined });
    started.push({ server, dir });
    const demo = defined(server.registry.demo, 'the demo of a fresh server');
    return { server, agencyKey: at(demo.agencies, 0).apiKey, counterKey: at(demo.counters, 0).apiKey };
  };
  try {
    const zj = await start(at(state.provinces, 0).code);
    const sc = await start(state.provinces[1]?.code ?? at(state.provinces, 0).code);
    const call = async (url: string, path: string, key: string, body: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const issue = async () => {
      const response = await call(zj.server.url, '/api/v1/licenses', zj.agencyKey, idCardBody());
      if (response.status !== 201) throw new Error(`issue failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body as { licenseId: string; credential: string };
    };
    await pool(32, 32, issue); // warm-up: gateways connected, keys cached
    let began = performance.now();
    // Enough requests in flight to fill the batches: a closed loop of N clients cannot exceed
    // N per commit latency (~0.5–1.5 s here), whatever the server does.
    await pool(SERVER_ISSUES, SERVER_CONCURRENCY, issue);
    const anchoredPerSec = SERVER_ISSUES / ((performance.now() - began) / 1000);
    console.log(`  server issuance (HTTP, ${SERVER_CONCURRENCY} in flight, batched anchors): ${round(anchoredPerSec, 1)} licenses/s`);

    const revocations: number[] = [];
    for (let i = 0; i < REVOCATIONS; i++) {
      const { licenseId, credential } = await issue();
      const verify = () => call(sc.server.url, '/api/v1/verify', sc.counterKey, { credential });
      if ((await verify()).body.valid !== true) throw new Error('a fresh license should verify in the other province');
      began = performance.now();
      const revoked = await call(zj.server.url, `/api/v1/licenses/${licenseId}/revoke`, zj.agencyKey, { reason: 'fraud' });
      if (revoked.status !== 200) throw new Error(`revoke failed: ${JSON.stringify(revoked.body)}`);
      while ((await verify()).body.status !== 'revoked') {
        if (performance.now() - began > 30000) throw new Error('revocation never reached the other province');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      revocations.push(performance.now() - began);
    }
    const p50 = percentile(revocations, 50);
    const p99 = percentile(revocations, 99);
    console.log(`  revocation visible at the other province (from the revoke request): p50 ${round(p50)} ms, p99 ${round(p99)} ms over ${REVOCATIONS}`);
    return { anchoredPerSec, revocationP50: p50, revocationP99: p99 };
  } finally {
    for (const { server, dir } of started.reverse()) {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
