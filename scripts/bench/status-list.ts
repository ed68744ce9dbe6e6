/**
 * The Token Status List as a verifier fetches it: how long one is served, and how long after a
 * revoke the revoked entry shows in the served list.
 */
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { decodeJwt } from 'jose';
import { STATUS_INVALID } from '../../core/status-list';
import { percentile } from '../percentile';
import { envNumber, round, sleep, type Figures } from './measure';
import { jsonOf, type HttpCall } from './measure';
import type { IssuedCredential, Registry } from './registry';

export interface StatusReference {
  idx: number;
  /** The path of the list's uri on the node that serves it. */
  path: string;
}

export function statusReferenceOf(credential: string): StatusReference {
  const payload = decodeJwt(credential.split('~')[0] ?? '') as { status?: { status_list?: { idx?: number; uri?: string } } };
  const reference = payload.status?.status_list;
  if (typeof reference?.idx !== 'number' || typeof reference.uri !== 'string') throw new Error('the credential carries no status_list reference');
  return { idx: reference.idx, path: new URL(reference.uri).pathname };
}

async function servedStatus(call: HttpCall, reference: StatusReference): Promise<number> {
  const response = await call('GET', reference.path);
  if (response.status !== 200) throw new Error(`status list: HTTP ${response.status}`);
  return getListFromStatusListJWT(response.body).getStatus(reference.idx);
}

export async function benchStatusListServe(registry: Registry, credential: string, figures: Figures): Promise<void> {
  const reference = statusReferenceOf(credential);
  const samples = envNumber('BENCH_STATUS_SERVES', 200);
  const latencies: number[] = [];
  let bytes = 0;
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const response = await registry.call('GET', reference.path);
    latencies.push(performance.now() - started);
    bytes = response.body.length;
  }
  const size = getListFromStatusListJWT((await registry.call('GET', reference.path)).body).statusList.length;
  figures.report(
    'statusListServeMs',
    round(percentile(latencies, 50), 2),
    'ms',
    `p50 of ${samples} GETs of a ${size.toLocaleString('en')}-entry list (${bytes} bytes), one after another; the token is re-signed when the list changes, else reused ≤ 1 s`,
  );
}

/**
 * Revoke → the entry INVALID in the served list. The clock starts before the revoke request, so
 * each sample is an upper bound on "committed → visible" (it includes the commit itself).
 */
export async function statusListVisible(revoke: (licenseId: string) => Promise<void>, call: HttpCall, targets: readonly IssuedCredential[]): Promise<number[]> {
  const samples: number[] = [];
  for (const target of targets) {
    const reference = statusReferenceOf(target.credential);
    const started = performance.now();
    await revoke(target.licenseId);
    while ((await servedStatus(call, reference)) !== STATUS_INVALID) {
      if (performance.now() - started > 30000) throw new Error(`license ${target.licenseId} never showed revoked in the served list`);
      await sleep(5);
    }
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function benchStatusListVisible(registry: Registry, targets: readonly IssuedCredential[], figures: Figures): Promise<void> {
  const revoke = async (licenseId: string) => {
    jsonOf(await registry.call('POST', `/api/v1/licenses/${licenseId}/revoke`, { reason: 'fraud' }, registry.agency), 200, 'revoke');
  };
  const samples = await statusListVisible(revoke, registry.call, targets);
  figures.report('statusListVisibleP50Ms', round(percentile(samples, 50), 1), 'ms');
  figures.report(
    'statusListVisibleP99Ms',
    round(percentile(samples, 99), 1),
    'ms',
    `${samples.length} revokes, from the revoke request to the bit INVALID in the served list (polled every 5 ms); max ${round(Math.max(...samples), 1)} ms (aim ≤ 5,000)`,
  );
}
