/**
 * `npm run bench`: speed of the embedded ledger and of the HTTP server, each against a baseline
 * measured in the same run on the same machine. Prints readable figures, then one line of JSON.
 *
 *   ledger (in-process)  verify evaluates/s, single-license issue submits/s, batched licenses/s,
 *                        against SHA-256 of the same anchor bytes (the machine's baseline)
 *   HTTP (server in a child process, this process is the load)
 *                        verify requests/s and p50/p99 at 32 concurrent, against raw jose ES256
 *                        verify/s of the same credential; issue requests/s; QR PNG render time
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import { defined } from '../test/support/defined';
import QRCode from 'qrcode';
import { encodeCredentialQr } from '../core/credential-qr';
import { idCardBody } from '../test/support/requests';
import { spawnServer } from '../test/support/server-process';
import { percentile } from './percentile';
import { QrCodeRenderer } from '../server/src/adapters/qr/qrcode-renderer';
import { anchorFor, createTestNetwork } from '../test/support/embedded-network';

const figures: Record<string, number> = {};
const round = (value: number, digits = 0) => Number(value.toFixed(digits));

function report(name: string, value: number, unit: string, note = ''): void {
  figures[name] = value;
  console.log(`  ${name.padEnd(32)} ${String(value).padStart(10)} ${unit}${note ? `   ${note}` : ''}`);
}

/** Runs `work` back to back for `ms`, `concurrency` at a time; returns completions per second. */
async function rate(ms: number, concurrency: number, work: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = Date.now() + ms;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await work();
        done += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return done / seconds;
}

async function benchLedger(): Promise<void> {
  console.log('\nEmbedded ledger (in-process)');
  const dir = join(tmpdir(), `elicense-bench-${process.pid}`);
  const net = await createTestNetwork(dir);
  try {
    const anchor = anchorFor('zj-psb', 'id-card');
    await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(anchor)]);
    const bytes = Buffer.from(JSON.stringify(anchor));
    const sha = await rate(1000, 1, () => Promise.resolve(createHash('sha256').update(bytes).digest()));
    report('rawSha256PerSec', round(sha), '/s', `SHA-256 of the ${bytes.length}-byte anchor (baseline)`);

    for (let i = 0; i < 200; i++) await net.ledger.evaluate(net.ids.scNr, 'license:VerifyLicense', [anchor.id, anchor.docHash]);
    const evaluate = await rate(3000, 1, () => net.ledger.evaluate(net.ids.scNr, 'license:VerifyLicense', [anchor.id, anchor.docHash]));
    report('ledgerEvaluatePerSec', round(evaluate), '/s', `VerifyLicense evaluate (aim ≥ 5,000); ${round(sha / evaluate)} SHA-256 per evaluate`);

    const single = await rate(4000, 64, () => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(anchorFor('zj-psb', 'id-card'))]));
    report('ledgerIssuePerSec', round(single), '/s', 'IssueLicense submits, 64 in flight, committed with fdatasync');

    const batch = 500;
    const batches = await rate(4000, 2, () =>
      net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(Array.from({ length: batch }, () => anchorFor('zj-psb', 'id-card')))]),
    );
    report('ledgerBatchIssueLicensesPerSec', round(batches * batch), '/s', `IssueLicenses of ${batch} (aim ≥ 2,000)`);
    console.log(`  (${net.ledger.height + 1} blocks committed)`);
  } finally {
    await net.ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Started {
  url: string;
  stop(): Promise<void>;
  dataDir: string;
}

async function startServer(): Promise<Started> {
  const dataDir = join(tmpdir(), `elicense-bench-http-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const server = await spawnServer({ DATA_DIR: dataDir, WALLET_DIR: join(dataDir, 'wallet'), PUBLIC_RATE_LIMIT: '1000000' });
  return {
    url: server.url,
    dataDir,
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A lean keep-alive HTTP client: the load generator must cost less than the server it loads. */
function client(url: string, concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  return (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const request = http.request(
        {
          agent,
          hostname,
          port,
          method,
          path,
          headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
}

async function benchHttp(): Promise<void> {
  console.log('\nHTTP (server in a child process; this process generates the load)');
  const server = await startServer();
  try {
    const demo = JSON.parse(readFileSync(join(server.dataDir, 'demo.json'), 'utf8')) as {
      agencies: Array<{ id: string; apiKey: string }>;
      counters: Array<{ province: string; apiKey: string }>;
    };
    const agencyKey = { authorization: `Bearer ${defined(demo.agencies.find((a) => a.id === 'zj-psb')).apiKey}` };
    const counterKey = { authorization: `Bearer ${defined(demo.counters.find((c) => c.province === '510000')).apiKey}` };
    const call = client(server.url, 32);
    const first = JSON.parse((await call('POST', '/api/v1/licenses', idCardBody(), agencyKey)).body) as { credential: string; licenseId: string };
    const bare = `${first.credential.split('~')[0] ?? ''}~`;
    const qrVersion = (text: string) => QRCode.create(text, { errorCorrectionLevel: 'M' }).version;
    report('idCardCredentialChars', first.credential.length, 'chars', 'compact SD-JWT VC of an ID card, every disclosure (printed form)');
    report(
      'idCardQrVersion',
      qrVersion(encodeCredentialQr(first.credential)),
      '',
      `its printed QR form (ELC1:), level M; the compact text: ${qrVersion(first.credential)}`,
    );
    report('idCardNoDisclosuresChars', bare.length, 'chars', 'the same with no disclosures');
    report('idCardNoDisclosuresQrVersion', qrVersion(bare), '', 'its compact text, level M');

    const renderer = new QrCodeRenderer();
    const printed = encodeCredentialQr(first.credential);
    for (let i = 0; i < 5; i++) await renderer.png(printed);
    const qrStart = process.hrtime.bigint();
    for (let i = 0; i < 50; i++) await renderer.png(printed);
    report('qrPngMs', round(Number(process.hrtime.bigint() - qrStart) / 1e6 / 50, 2), 'ms', 'QR PNG of its printed QR form, level M');

    // Baseline: jose ES256 verify of the same JWS with the issuer's key, in this process.
    const issuers = JSON.parse((await call('GET', '/api/v1/trust/issuers', undefined, {})).body) as {
      issuers: Array<{ id: string; keys: Array<{ kid: string; jwk: object }> }>;
    };
    const jws = first.credential.split('~')[0] ?? '';
    const kid = (JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString()) as { kid: string }).kid;
    const jwk = defined(defined(issuers.issuers.find((i) => i.id === 'zj-psb')).keys.find((k) => k.kid === kid)).jwk;
    const key = await importJWK(jwk as Parameters<typeof importJWK>[0], 'ES256');
    const joseRate = await rate(2000, 1, () => compactVerify(jws, key, { algorithms: ['ES256'] }));
    report('rawJoseVerifyPerSec', round(joseRate), '/s', 'jose compactVerify ES256, one core (baseline)');

    // Verify: a pool of credentials of distinct licenses, 32 concurrent.
    const credentials = [first.credential];
    for (let i = 0; i < 63; i++)
      credentials.push((JSON.parse((await call('POST', '/api/v1/licenses', idCardBody(), agencyKey)).body) as { credential: string }).credential);
    let next = 0;
    const verifyOnce = async () => {
      const response = await call('POST', '/api/v1/verify', { credential: credentials[next++ % credentials.length] }, counterKey);
      if (response.status !== 200 || !response.body.includes('"valid":true'))
        throw new Error(`verify failed: ${response.status} ${response.body.slice(0, 200)}`);
    };
    await rate(1500, 32, verifyOnce); // warm-up
    const latencies: number[] = [];
    const verifyRate = await rate(8000, 32, async () => {
      const start = process.hrtime.bigint();
      await verifyOnce();
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    });
    report('httpVerifyPerSec', round(verifyRate), '/s', `32 concurrent; ${round((verifyRate / joseRate) * 100)}% of raw jose verify (aim ≥ 50%)`);
    report('httpVerifyP50Ms', round(percentile(latencies, 50), 2), 'ms');
    report('httpVerifyP99Ms', round(percentile(latencies, 99), 2), 'ms');

    const issueRate = await rate(5000, 32, async () => {
      const response = await call('POST', '/api/v1/licenses', idCardBody(), agencyKey);
      if (response.status !== 201) throw new Error(`issue failed: ${response.status} ${response.body.slice(0, 200)}`);
    });
    report('httpIssuePerSec', round(issueRate), '/s', '32 concurrent, each anchored (batched) and its credential signed');
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`elicense bench — node ${process.version}, ${new Date().toISOString()}`);
  await benchLedger();
  await benchHttp();
  console.log(`\n(${round((Date.now() - started) / 1000, 1)} s)`);
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
