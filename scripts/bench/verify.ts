/**
 * Verification over HTTP against raw signature verification on the same credentials at the same
 * concurrency, cached and uncached, and issuance (the pool of credentials is issued over HTTP in
 * RUNS parts, which is the issuance figure).
 *
 * What the server caches (server/src/services/ledger-cache.ts): a license's anchor for 2 s and an
 * issuer key for 30 s, both also dropped at once by the chaincode event that changes them; the
 * status list is kept in memory and updated from chaincode events. "Cached" verifies 64 credentials
 * round-robin, so nearly every anchor read is a cache hit; "uncached" verifies each credential of
 * a pool once per run, after a pause longer than the anchor's 2 s, so every verification reads its
 * anchor from the ledger (the issuer key stays cached).
 */
import { compactVerify, decodeProtectedHeader, importJWK, type CryptoKey, type JWK } from 'jose';
import QRCode from 'qrcode';
import { encodeCredentialQr } from '../../core/credential-qr';
import { QrCodeRenderer } from '../../server/src/adapters/qr/qrcode-renderer';
import { percentile } from '../percentile';
import { CONCURRENCY, RUNS, RUN_MS, jsonOf, pool, rate, repeated, round, sleep, type Figures } from './measure';
import { issueIdCard, verifyAtCounter, type IssuedCredential, type Registry } from './registry';

/** ledger-cache.ts's anchor time-to-live, and a margin. */
const ANCHOR_TTL_MS = 2000;
const PAST_ANCHOR_TTL_MS = ANCHOR_TTL_MS + 200;
const CACHED_SET = 64;

export const qrVersion = (text: string): number => QRCode.create(text, { errorCorrectionLevel: 'M' }).version;

/** Issues `count` ID cards over HTTP in RUNS parts, CONCURRENCY in flight: the issuance figure. */
export async function issuePool(registry: Registry, count: number, figures: Figures): Promise<IssuedCredential[]> {
  const issued: IssuedCredential[] = [];
  const part = Math.max(CONCURRENCY, Math.ceil(count / RUNS));
  const spread = await repeated(async () => {
    const { perSec } = await pool(part, CONCURRENCY, async () => {
      const { licenseId, credential } = await issueIdCard(registry);
      issued.push({ licenseId, credential });
    });
    return perSec;
  });
  figures.reportSpread('httpIssuePerSec', spread, '/s', `${CONCURRENCY} concurrent, each anchored (group-committed batches), its credential signed`);
  return issued;
}

export function reportCredentialSize(credential: string, figures: Figures): void {
  const bare = `${credential.split('~')[0] ?? ''}~`;
  figures.report('idCardCredentialChars', credential.length, 'chars', 'compact SD-JWT VC of an ID card with every disclosure (the printed form)');
  figures.report(
    'idCardQrVersion',
    qrVersion(encodeCredentialQr(credential)),
    '',
    `its printed QR form (ELC1:), level M; the compact text: ${qrVersion(credential)}`,
  );
  figures.report('idCardNoDisclosuresChars', bare.length, 'chars', 'the same with no disclosures');
  figures.report('idCardNoDisclosuresQrVersion', qrVersion(encodeCredentialQr(bare)), '', `its ELC1 form, level M; the compact text: ${qrVersion(bare)}`);
}

export async function reportQrRender(credential: string, figures: Figures): Promise<void> {
  const renderer = new QrCodeRenderer();
  const printed = encodeCredentialQr(credential);
  for (let i = 0; i < 5; i++) await renderer.png(printed);
  const spread = await repeated(async () => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) await renderer.png(printed);
    return (performance.now() - started) / 20;
  });
  figures.reportSpread('qrPngMs', spread, 'ms', 'PNG of the printed QR form, level M, in this process', 2);
}

/** The issuer keys as /api/v1/trust/issuers lists them, imported once (the server caches them too). */
export async function issuerKeys(registry: Registry): Promise<Map<string, CryptoKey>> {
  const listed = jsonOf<{ issuers: Array<{ keys: Array<{ kid: string; jwk: JWK }> }> }>(await registry.call('GET', '/api/v1/trust/issuers'), 200, 'issuers');
  const keys = new Map<string, CryptoKey>();
  for (const key of listed.issuers.flatMap((issuer) => issuer.keys)) keys.set(key.kid, (await importJWK(key.jwk, 'ES256')) as CryptoKey);
  return keys;
}

/** The issuer-signed JWT of an SD-JWT and the key that must have signed it. */
export function signedPart(credential: string, keys: Map<string, CryptoKey>): { jws: string; key: CryptoKey } {
  const jws = credential.split('~')[0] ?? '';
  const kid = decodeProtectedHeader(jws).kid ?? '';
  const key = keys.get(kid);
  if (!key) throw new Error(`no issuer key ${kid}`);
  return { jws, key };
}

/**
 * The baseline: jose compactVerify (ES256 through Node's WebCrypto, whose verify runs on libuv's
 * thread pool) of the issuer signatures of `credentials`, CONCURRENCY at a time in this process.
 */
async function rawVerify(credentials: readonly string[], keys: Map<string, CryptoKey>): Promise<number> {
  const signed = credentials.map((credential) => signedPart(credential, keys));
  return rate(RUN_MS, CONCURRENCY, (i) => {
    const { jws, key } = signed[i % signed.length] ?? { jws: '', key: undefined };
    return compactVerify(jws, key as CryptoKey, { algorithms: ['ES256'] });
  });
}

interface HttpVerifyFigures {
  raw: number;
  cached: number;
  uncached: number;
}

async function cachedVerify(registry: Registry, texts: readonly string[]) {
  const latencies: number[] = [];
  const verify = async (i: number) => {
    const started = performance.now();
    await verifyAtCounter(registry, texts[i % texts.length] ?? '');
    latencies.push(performance.now() - started);
  };
  await rate(Math.min(RUN_MS, 1000), CONCURRENCY, verify); // warm-up: JIT, connections, caches
  latencies.length = 0;
  const cpuBefore = registry.cpuSeconds();
  const spread = await repeated(() => rate(RUN_MS, CONCURRENCY, verify));
  return { spread, latencies, cpuMsEach: ((registry.cpuSeconds() - cpuBefore) * 1000) / latencies.length };
}

/** Each credential once per run, after a pause past the anchor's time-to-live: every anchor read reaches the ledger. */
async function uncachedVerify(registry: Registry, credentials: readonly string[]) {
  let cpuSeconds = 0;
  const spread = await repeated(async () => {
    await sleep(PAST_ANCHOR_TTL_MS);
    const cpuBefore = registry.cpuSeconds();
    const { perSec } = await pool(credentials.length, CONCURRENCY, (i) => verifyAtCounter(registry, credentials[i] ?? ''));
    cpuSeconds += registry.cpuSeconds() - cpuBefore;
    return perSec;
  });
  return { spread, cpuMsEach: (cpuSeconds * 1000) / (credentials.length * spread.runs.length) };
}

export async function benchVerify(registry: Registry, issued: readonly IssuedCredential[], figures: Figures): Promise<HttpVerifyFigures> {
  const keys = await issuerKeys(registry);
  const cachedSet = issued.slice(0, CACHED_SET).map((item) => item.credential);
  const raw = await repeated(() => rawVerify(cachedSet, keys));
  figures.reportSpread(
    'rawJoseVerifyPerSec',
    raw,
    '/s',
    `jose ES256 verify of the issuer signature of the ${cachedSet.length} credentials below, ${CONCURRENCY} in flight, in-process (async WebCrypto)`,
  );

  const cached = await cachedVerify(registry, cachedSet);
  const rawMedian = raw.median;
  figures.reportSpread(
    'httpVerifyPerSec',
    cached.spread,
    '/s',
    `POST /verify, ${CONCURRENCY} concurrent, ${cachedSet.length} credentials round-robin: anchors cached (2 s), keys cached (30 s); ${round((cached.spread.median / rawMedian) * 100)}% of raw`,
  );
  figures.report('httpVerifyP50Ms', round(percentile(cached.latencies, 50), 2), 'ms', `over all ${cached.latencies.length} requests of the runs above`);
  figures.report('httpVerifyP99Ms', round(percentile(cached.latencies, 99), 2), 'ms');
  figures.report(
    'httpVerifyServerCpuMs',
    round(cached.cpuMsEach, 3),
    'ms',
    'server CPU (user + system, all its threads) per cached verification: what a shared machine does not inflate',
  );

  const { spread: uncached, cpuMsEach: uncachedCpuMs } = await uncachedVerify(
    registry,
    issued.map((item) => item.credential),
  );
  figures.reportSpread(
    'httpVerifyUncachedPerSec',
    uncached,
    '/s',
    `each of ${issued.length} credentials once per run after ${PAST_ANCHOR_TTL_MS} ms: every anchor read from the ledger; ${round((uncached.median / rawMedian) * 100)}% of raw (the aim, ≥ 50%, is for this figure)`,
  );
  figures.report('httpVerifyUncachedServerCpuMs', round(uncachedCpuMs, 3), 'ms', 'server CPU per uncached verification');

  const printed = cachedSet.map(encodeCredentialQr);
  const free = await repeated(() => rate(RUN_MS, CONCURRENCY, (i) => verifyAtCounter(registry, printed[i % printed.length] ?? '')));
  figures.reportSpread(
    'presentationFreeVerifyPerSec',
    free,
    '/s',
    `the printed QR text (ELC1:, every disclosure, no KB-JWT) as scanned, same credentials and concurrency as raw; ${round((free.median / rawMedian) * 100)}% of raw`,
  );
  return { raw: rawMedian, cached: cached.spread.median, uncached: uncached.median };
}
