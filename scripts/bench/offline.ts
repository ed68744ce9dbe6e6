/** verifyOffline: a counter with no network, from one loaded bundle and the trust anchor. */
import { offlineVerifyPerSec, verifyOffline } from '../../server/src/offline-verifier';
import { RUN_MS, jsonOf, repeated, type Figures } from './measure';
import type { Registry } from './registry';

export async function benchOffline(registry: Registry, credentials: readonly string[], figures: Figures): Promise<void> {
  const anchor = jsonOf<unknown>(await registry.call('GET', '/api/v1/trust/anchor'), 200, 'trust anchor');
  const response = await registry.call('GET', '/api/v1/offline-bundle');
  if (response.status !== 200) throw new Error(`offline bundle: HTTP ${response.status}`);
  // The rate is of verdicts that say what they should: a fresh bundle makes these credentials valid.
  const verdict = await verifyOffline(credentials[0], response.body, anchor);
  if (verdict.verdict !== 'valid') throw new Error(`offline: a fresh credential came out ${verdict.verdict} (${verdict.reason ?? ''})`);
  const spread = await repeated(() => offlineVerifyPerSec(credentials, response.body, anchor, RUN_MS));
  figures.reportSpread(
    'offlineVerifyPerSec',
    spread,
    '/s',
    `verifyOffline in-process from one loaded bundle, one after another (a counter scanning), ${credentials.length} credentials`,
  );
}
