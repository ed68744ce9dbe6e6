/**
 * Readiness is waited for, never slept for: each wait polls one named condition until a deadline,
 * and fails fast if the process it waits on has died, quoting the end of its log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createConnection, createServer } from 'node:net';
import type { StartedProcess } from './processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ReadinessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadinessError';
  }
}

function logTail(path: string, lines = 15): string {
  if (!existsSync(path)) return '';
  // Fabric logs colour their levels; strip the escapes for a readable quote.
  // eslint-disable-next-line no-control-regex
  const text = readFileSync(path, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls `probe` until it holds; the processes it depends on must stay alive meanwhile. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; process?: StartedProcess | StartedProcess[] },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const watched = options.process === undefined ? [] : Array.isArray(options.process) ? options.process : [options.process];
  for (;;) {
    const dead = watched.find((candidate) => candidate.hasExited());
    if (dead) {
      const { name, log } = dead.record;
      throw new ReadinessError(`${name} exited while waiting for ${what} (exit ${await dead.exited}); end of ${log}:\n${logTail(log)}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() >= deadline) {
      const hint = watched.map(({ record }) => `; end of ${record.log}:\n${logTail(record.log)}`).join('');
      throw new ReadinessError(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}${hint}`);
    }
    await sleep(options.intervalMs ?? 150);
  }
}

export function httpGet(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    // A fresh connection per probe: keep-alive sockets reused across polls collect listeners.
    const req = send(target, { method: 'GET', timeout: 2000, agent: false, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** A Prometheus sample from an operations endpoint, e.g. consensus_etcdraft_is_leader{channel="elicense"}. */
export async function metricValue(opsPort: number, sample: string): Promise<number | null> {
  const { status, body } = await httpGet(`http://127.0.0.1:${opsPort}/metrics`);
  if (status !== 200) return null;
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : null;
}

export async function healthy(opsPort: number): Promise<boolean> {
  const { status } = await httpGet(`http://127.0.0.1:${opsPort}/healthz`);
  return status === 200;
}

/** A TCP connect to 127.0.0.1:port succeeds. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Nothing listens on 127.0.0.1:port (we can bind it ourselves). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
