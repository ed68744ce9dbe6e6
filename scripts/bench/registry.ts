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
  /** CPU seconds (user + system) the server process has used so far: a cost per request that a loaded machine's other work does not inflate. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** utime + stime of a process from /proc/<pid>/stat, in seconds (Linux; clock ticks of 100 Hz, as USER_HZ is everywhere). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in its parentheses; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const BENCH_SERVER_ENV = { PUBLIC_RATE_LIMIT: '1000000', AUTH_FAILURE_LIMIT: '1000000' } as const;

export async function startRegistry(name: string): Promise<Registry> {
  const dataDir = join(tmpdir(), `elicense-bench-${name}-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  // BENCH_SERVER_NODE_ARGS: node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const server = await spawnServer({ DATA_DIR: dataDir, WALLET_DIR: join(dataDir, 'wallet'), ...BENCH_SERVER_ENV }, undefined, nodeArgs);
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
    cpuSeconds: () => cpuSecondsOf(server.child.pid ?? 0),
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
