/**
 * `npm run bench:fabric`: throughput of the running two-province Fabric network (start it with
 * `npm run network:up`), through the Fabric ledger adapter exactly as the server uses it.
 *
 *   raw submit     license:SuspendLicense on distinct licenses, many in flight: an existing
 *                  transaction that writes a single key (the anchor) after reading it and its
 *                  agency, endorsed by both provinces (MAJORITY), ordered, committed on both peers
 *   raw evaluate   license:ReadLicense, many in flight: one peer, one key read, nothing ordered
 *   anchoring      license:IssueLicenses batches of 500, one batch per agency in flight
 *
 * The last line is JSON for tooling. Sizes: BENCH_SUBMITS, BENCH_EVALUATES, BENCH_BATCHES,
 * BENCH_CONCURRENCY; the network: NETWORK_RUN_DIR (network/.run).
 */
import { generateKeyPairSync, randomBytes, createHash } from 'node:crypto';
import type { AnchorInput } from '../core/anchor';
import { RegistryError } from '../core/errors';
import { openFabricLedger, type FabricLedger } from '../server/src/adapters/fabric-ledger/fabric-ledger';
import { IdentityWallet } from '../server/src/adapters/identity/wallet';
import { DEFAULT_RUN_DIR } from '../network/src/plan';
import { isRunning, recordedProcesses } from '../network/src/processes';
import { readNetworkState, type NetworkState } from '../network/src/profiles';

const BATCH = 500;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SUBMITS = env('BENCH_SUBMITS', 1000);
const EVALUATES = env('BENCH_EVALUATES', 4000);
const BATCHES = env('BENCH_BATCHES', 8);
const CONCURRENCY = env('BENCH_CONCURRENCY', 100);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const run = randomBytes(3).toString('hex');
let counter = 0;
function anchor(agencyId: string, type: string): AnchorInput {
  counter += 1;
  const tag = `${run}-${counter}`;
  return {
    id: `B${sha256(tag).slice(0, 20).toUpperCase()}`,
    type,
    agencyId,
    docHash: sha256(`doc-${tag}`),
    holderRef: sha256(`holder-${tag}`),
    validFrom: '2024-01-01',
    validUntil: '2034-01-01',
  };
}

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

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
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
  const zj = state.provinces[0];
  const sc = state.provinces[1] ?? zj;
  const wallet = await IdentityWallet.open(state.walletDir);
  const ledger = await openFabricLedger({ connectionProfile: zj.connectionProfile, wallet, channel: state.channel, chaincode: state.chaincode, eventIdentity: zj.identities.admin });
  const [zjAgency, zjIssuer] = Object.entries(zj.identities.issuers)[0];
  const [scAgency, scIssuer] = Object.entries(sc.identities.issuers)[0];
  const typeOf = (agencyId: string) => state.provinces.flatMap((p) => p.agencies).find((a) => a.id === agencyId)?.licenseTypes[0] ?? 'id-card';
  console.log(`bench:fabric on ${state.provinces.map((p) => p.name).join(' + ')} (${runDir}), ${CONCURRENCY} in flight`);
  await provision(ledger, state);
  const heightBefore = await ledger.height();

  // Licenses to suspend, anchored up front in batches.
  const targets: AnchorInput[] = Array.from({ length: SUBMITS }, () => anchor(zjAgency, typeOf(zjAgency)));
  for (let i = 0; i < targets.length; i += BATCH) {
    await ledger.submit(zjIssuer, 'license:IssueLicenses', [JSON.stringify(targets.slice(i, i + BATCH))]);
  }

  const single: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    await ledger.submit(zjIssuer, 'license:SuspendLicense', [targets[i].id, 'investigation']);
    single.push(performance.now() - started);
    await ledger.submit(zjIssuer, 'license:ReinstateLicense', [targets[i].id, 'investigation-cleared']);
  }
  console.log(`  one submit at a time: ${round(percentile(single, 50))} ms median (BatchTimeout bounds it from below)`);

  const blocksBefore = await ledger.height();
  let started = performance.now();
  const submitLatency = await pool(SUBMITS, CONCURRENCY, (i) => ledger.submit(zjIssuer, 'license:SuspendLicense', [targets[i].id, 'lost']));
  let seconds = (performance.now() - started) / 1000;
  const rawSubmit = SUBMITS / seconds;
  const blocks = (await ledger.height()) - blocksBefore;
  console.log(
    `  raw submit (license:SuspendLicense, 1 key written): ${round(rawSubmit, 1)} tx/s — ${SUBMITS} in ${round(seconds, 1)} s, ` +
      `${blocks} blocks (${round(SUBMITS / Math.max(1, blocks), 1)} tx/block), latency p50 ${round(percentile(submitLatency, 50))} ms p95 ${round(percentile(submitLatency, 95))} ms`,
  );

  started = performance.now();
  const evaluateLatency = await pool(EVALUATES, CONCURRENCY, (i) => ledger.evaluate(i % 2 ? zjIssuer : scIssuer, 'license:ReadLicense', [targets[i % targets.length].id]));
  seconds = (performance.now() - started) / 1000;
  const rawEvaluate = EVALUATES / seconds;
  console.log(
    `  raw evaluate (license:ReadLicense, both provinces' peers): ${round(rawEvaluate, 1)} /s — ${EVALUATES} in ${round(seconds, 1)} s, ` +
      `latency p50 ${round(percentile(evaluateLatency, 50))} ms p95 ${round(percentile(evaluateLatency, 95))} ms`,
  );

  const batches = Array.from({ length: BATCHES }, (_, i) => {
    const [agency, issuer] = i % 2 === 0 ? [zjAgency, zjIssuer] : [scAgency, scIssuer];
    return { issuer, anchors: Array.from({ length: BATCH }, () => anchor(agency, typeOf(agency))) };
  });
  started = performance.now();
  const batchLatency = await pool(BATCHES, 2, (i) => ledger.submit(batches[i].issuer, 'license:IssueLicenses', [JSON.stringify(batches[i].anchors)]));
  seconds = (performance.now() - started) / 1000;
  const anchored = (BATCHES * BATCH) / seconds;
  console.log(
    `  anchoring (license:IssueLicenses x${BATCH}, 2 agencies of 2 provinces at once): ${round(anchored, 1)} licenses/s — ` +
      `${BATCHES * BATCH} in ${round(seconds, 1)} s, ${round(percentile(batchLatency, 50))} ms per batch`,
  );

  const heightAfter = await ledger.height();
  await ledger.close();
  console.log(
    JSON.stringify({
      fabricRawSubmitPerSec: round(rawSubmit, 1),
      fabricRawEvaluatePerSec: round(rawEvaluate, 1),
      fabricLicensesAnchoredPerSec: round(anchored, 1),
      fabricSubmitLatencyMs: round(percentile(single, 50)),
      fabricSubmitP95UnderLoadMs: round(percentile(submitLatency, 95)),
      fabricTxPerBlockUnderLoad: round(SUBMITS / Math.max(1, blocks), 1),
      fabricBlocksWritten: heightAfter - heightBefore,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
