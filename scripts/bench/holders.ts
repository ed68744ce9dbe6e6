/**
 * Where the presentations' holder-bound credentials come from. Until the wallet's OpenID4VCI
 * redemption is on main, the only issuer of a bound credential is the registry's credential issuer
 * called in-process (as test/presentations/bound-credential.ts does for the tests), so this
 * section's registry runs in the bench process — the one figure whose server shares its thread.
 */
import { boundCredential, issueIdCard } from '../../test/presentations/bound-credential';
import { startTestServer } from '../../test/support/registry-server';
import { generateHolderKey } from '../../web/wallet/sd-jwt-presentation';
import { CONCURRENCY, httpClient } from './measure';
import type { HolderSource } from './presentations';
import { BENCH_SERVER_ENV, type Registry } from './registry';

export async function inProcessHolders(): Promise<{ registry: Registry; source: HolderSource; where: string }> {
  const server = await startTestServer({ ...BENCH_SERVER_ENV });
  const agencyKey = server.agencyKey('zj-psb');
  const registry: Registry = {
    url: server.url,
    dataDir: server.dataDir,
    call: httpClient(server.url, Math.max(CONCURRENCY, 64)),
    agency: { authorization: `Bearer ${agencyKey}` },
    counter: { authorization: `Bearer ${server.counterKey('510000')}` },
    stop: () => server.remove(),
  };
  const source: HolderSource = async () => {
    const key = await generateHolderKey();
    return { key, credential: await boundCredential(server, await issueIdCard(server, agencyKey), key.publicJwk) };
  };
  return { registry, source, where: 'registry in this process: bound credentials come from its credential issuer until OpenID4VCI lands' };
}
