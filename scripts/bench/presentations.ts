/**
 * Holder-bound presentations: the wallet module (web/wallet) builds each one in this process, as
 * a phone would — the holder-shown QR (EL1:) disclosing the name only, with a fresh nonce and
 * KB-JWT each, since the verifier accepts a nonce once — and the counter verifies it over HTTP
 * (issuer signature, key and anchor from the ledger, disclosures, KB-JWT, freshness, replay,
 * status list). The raw baseline verifies the same presentations' two signatures with jose.
 */
import { compactVerify, importJWK, type CryptoKey } from 'jose';
import type { HolderPublicJwk, HolderQr, Wallet } from '../../web/wallet';
import { percentile } from '../percentile';
import { CONCURRENCY, RUN_MS, envNumber, jsonOf, pool, rate, repeated, round, sleep, type Figures } from './measure';
import { verifyAtCounter, type Registry } from './registry';
import { issuerKeys, qrVersion, signedPart } from './verify';

export interface Holder {
  wallet: Wallet;
  /** The wallet's id of the credential. */
  credentialId: string;
  /** Its holder-bound SD-JWT VC (cnf.jwk = publicJwk), every disclosure. */
  credential: string;
  publicJwk: HolderPublicJwk;
}

/** Makes one holder: a key and a credential bound to it by the registry under test. */
export type HolderSource = () => Promise<Holder>;

const HOLDERS = 8;

export async function makeHolders(source: HolderSource): Promise<Holder[]> {
  const holders: Holder[] = [];
  for (let i = 0; i < HOLDERS; i++) holders.push(await source());
  return holders;
}

/** Fresh holder-shown QR codes, round-robin over the holders: built before the clock starts. */
async function freshPresentations(holders: readonly Holder[], count: number): Promise<HolderQr[]> {
  const codes: HolderQr[] = [];
  for (let i = 0; i < count; i++) {
    const holder = holders[i % holders.length] as Holder;
    codes.push(await holder.wallet.createHolderQr(holder.credentialId));
  }
  return codes;
}

/**
 * The baseline: both signatures a holder-bound presentation carries — the issuer's JWS and the
 * KB-JWT (after the last ~) by the `cnf` key — with jose, CONCURRENCY in flight; keys imported once.
 */
async function rawPresentationVerify(codes: readonly HolderQr[], registry: Registry, holders: readonly Holder[]): Promise<number> {
  const issuer = await issuerKeys(registry);
  const holderKeys = new Map<string, CryptoKey>();
  for (const holder of holders) {
    // A JWK of kty EC imports as a CryptoKey (never the Uint8Array of an oct key).
    const imported: unknown = await importJWK({ ...holder.publicJwk }, 'ES256');
    holderKeys.set(holder.credential, imported as CryptoKey);
  }
  const signed = codes.map((code, i) => {
    const holder = holders[i % holders.length] as Holder;
    const kbJwt = code.presentation.slice(code.presentation.lastIndexOf('~') + 1);
    return { ...signedPart(code.presentation, issuer), kbJwt, holderKey: holderKeys.get(holder.credential) as CryptoKey };
  });
  return rate(RUN_MS, CONCURRENCY, async (i) => {
    const item = signed[i % signed.length];
    if (!item) return;
    await compactVerify(item.jws, item.key, { algorithms: ['ES256'] });
    await compactVerify(item.kbJwt, item.holderKey, { algorithms: ['ES256'] });
  });
}

export async function benchPresentations(registry: Registry, holders: readonly Holder[], figures: Figures): Promise<void> {
  const perRun = envNumber('BENCH_PRESENTATIONS', 1500);
  const sample = await freshPresentations(holders, 1);
  const first = sample[0] as HolderQr;
  await verifyAtCounter(registry, first.text);
  figures.report(
    'presentationQrVersion',
    qrVersion(first.text),
    '',
    `holder-shown QR (EL1:) of an ID card, name only, KB-JWT, level M; its compact text: ${qrVersion(first.presentation)}`,
  );

  const raw = await repeated(async () => rawPresentationVerify(await freshPresentations(holders, 64), registry, holders));
  figures.reportSpread(
    'rawPresentationVerifyPerSec',
    raw,
    '/s',
    `jose ES256 verify of issuer signature + KB-JWT signature of such presentations, ${CONCURRENCY} in flight, in-process`,
  );
  const http = await repeated(async () => {
    const codes = await freshPresentations(holders, perRun);
    return (await pool(codes.length, CONCURRENCY, async (i) => checkBound(await verifyAtCounter(registry, codes[i]?.text ?? '')))).perSec;
  });
  figures.reportSpread(
    'presentationVerifyPerSec',
    http,
    '/s',
    `POST /verify of ${perRun} fresh holder-shown QRs per run (name only, holder-bound, status list + ledger checked), ${CONCURRENCY} concurrent; ${round((http.median / raw.median) * 100)}% of raw`,
  );
}

function checkBound(verdict: { binding?: string | null }): void {
  if (verdict.binding !== 'cnf') throw new Error(`a holder-bound presentation verified with binding ${String(verdict.binding)}`);
}

/** Counter creates a request → the wallet (in this process) scans, fetches, answers → the verdict is readable. */
export async function benchRequestFlow(registry: Registry, holder: Holder, figures: Figures): Promise<void> {
  const samples = envNumber('BENCH_REQUEST_FLOWS', 40);
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const created = jsonOf<{ id: string; uri: string }>(
      await registry.call('POST', '/api/v1/presentation-requests', { licenseType: 'id-card', claims: ['name'] }, registry.counter),
      201,
      'presentation request',
    );
    const outcome = await holder.wallet.answerRequest(created.uri, { approve: () => true });
    if (!outcome.answered) throw new Error(`the wallet did not answer: ${outcome.reason}`);
    await verdictReadable(registry, created.id);
    latencies.push(performance.now() - started);
  }
  figures.report(
    'requestFlowP50Ms',
    round(percentile(latencies, 50), 1),
    'ms',
    `request created → wallet fetches and answers (direct_post) → verdict read, p99 ${round(percentile(latencies, 99), 1)} ms over ${samples}`,
  );
}

async function verdictReadable(registry: Registry, id: string): Promise<void> {
  for (;;) {
    const state = jsonOf<{ status: string; verdict: { valid: boolean } | null }>(
      await registry.call('GET', `/api/v1/presentation-requests/${id}`, undefined, registry.counter),
      200,
      'request state',
    );
    if (state.status === 'presented') {
      if (state.verdict?.valid !== true) throw new Error(`request ${id}: the presentation was not valid`);
      return;
    }
    await sleep(2);
  }
}
