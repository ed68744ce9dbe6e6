/**
 * The registry under test: `npm start`'s server in a child process (test/support/server-process.ts),
 * so the load generator (this process) and the server never share a thread. The public and
 * failed-authentication rate limits are raised through their documented settings, or the bench
 * would measure 429s.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoFile } from '../../server/src/services/demo';
import { idCardBody } from '../../test/support/requests';
import { spawnServer } from '../../test/support/server-process';
import { CONCURRENCY, httpClient, jsonOf, type HttpCall } from './measure';

export interface Registry {
  url: string;
  dataDir: string;
  call: HttpCall;
  /** `authorization` headers of the demo's Zhejiang public security agency and Sichuan counter. */
  agency: Record<string, string>;
  counter: Record<string, string>;
  stop(): Promise<void>;
}

export const BENCH_SERVER_ENV = { PUBLIC_RATE_LIMIT: '1000000', AUTH_FAILURE_LIMIT: '1000000' } as const;

export async function startRegistry(name: string): Promise<Registry> {
  const dataDir = join(tmpdir(), `elicense-bench-${name}-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const server = await spawnServer({ DATA_DIR: dataDir, WALLET_DIR: join(dataDir, 'wallet'), ...BENCH_SERVER_ENV });
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
  const agencyKey = demo.agencies.find((agency) => agency.id === 'zj-psb')?.apiKey;
  const counterKey = demo.counters.find((counter) => counter.province === '510000')?.apiKey;
  if (agencyKey === undefined || counterKey === undefined) throw new Error('the demo has no zj-psb agency or Sichuan counter');
  return {
    url: server.url,
    dataDir,
    call: httpClient(server.url, Math.max(CONCURRENCY, 64)),
    agency: { authorization: `Bearer ${agencyKey}` },
    counter: { authorization: `Bearer ${counterKey}` },
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface IssuedCredential {
  licenseId: string;
  credential: string;
}

export async function issueIdCard(registry: Registry): Promise<IssuedCredential & { offer?: { uri: string; txCode?: string } }> {
  const response = await registry.call('POST', '/api/v1/licenses', idCardBody(), registry.agency);
  return jsonOf(response, 201, 'issue');
}

export interface Verdict {
  valid: boolean;
  verdict: string;
  status?: string;
  binding?: string | null;
  checks: Array<{ name: string; ok: boolean; detail?: string }>;
}

/** POST /api/v1/verify as the Sichuan counter; throws unless the verdict is `expected`. */
export async function verifyAtCounter(registry: Registry, credential: string, expected = 'valid'): Promise<Verdict> {
  const verdict = jsonOf<Verdict>(await registry.call('POST', '/api/v1/verify', { credential }, registry.counter), 200, 'verify');
  if (verdict.verdict !== expected) {
    const failed = verdict.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail ?? ''}`);
    throw new Error(`verify: expected ${expected}, got ${verdict.verdict} (${failed.join('; ')})`);
  }
  return verdict;
}
