/**
 * A real registry server for HTTP tests: the same startServer `npm start` uses, on a free port,
 * with its own DATA_DIR and wallet in a temp folder (PGlite and the embedded ledger), and a clock
 * the test can move forward to see licenses expire.
 */
import { loadConfig, type Config } from '../../server/src/config';
import { startServer, type RunningServer } from '../../server/src/server';
import type { DemoFile } from '../../server/src/services/demo';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir';

export interface TestServer {
  url: string;
  running: RunningServer;
  config: Config;
  demo: DemoFile;
  dataDir: string;
  /** Moves the server's clock (ms, relative to real time). */
  setClockOffset(ms: number): void;
  api(method: string, path: string, options?: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  agencyKey(id: string): string;
  counterKey(province: string): string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  remove(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // Tests read whatever the endpoint returns.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  bytes: Buffer;
}

export async function startTestServer(env: Record<string, string> = {}, existingDir?: string): Promise<TestServer> {
  const dir = existingDir ? { path: existingDir, remove: () => undefined } : tempDir('elicense-http-');
  const config = loadConfig({ PORT: '0', DATA_DIR: dir.path, WALLET_DIR: join(dir.path, 'wallet'), ...env });
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  const logs: string[] = [];
  let running = await startServer(config, { clock, log: (line) => logs.push(line) });
  const demo = JSON.parse(readFileSync(join(dir.path, 'demo.json'), 'utf8')) as DemoFile;
  const server: TestServer = {
    url: running.url,
    running,
    config,
    demo,
    dataDir: dir.path,
    setClockOffset: (ms) => {
      offset = ms;
    },
    async api(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.key) headers.authorization = `Bearer ${options.key}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const response = await fetch(`${server.url}${path}`, { method, headers, body });
      const bytes = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type') ?? '';
      return {
        status: response.status,
        headers: response.headers,
        body: type.includes('json') ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8'),
        bytes,
      };
    },
    agencyKey: (id) => {
      const agency = demo.agencies.find((candidate) => candidate.id === id);
      if (!agency) throw new Error(`no demo agency ${id}`);
      return agency.apiKey;
    },
    counterKey: (province) => {
      const counter = demo.counters.find((candidate) => candidate.province === province);
      if (!counter) throw new Error(`no demo counter in ${province}`);
      return counter.apiKey;
    },
    stop: () => running.close(),
    async restart() {
      await running.close();
      running = await startServer(config, { clock, log: (line) => logs.push(line) });
      server.running = running;
      server.url = running.url;
    },
    async remove() {
      await running.close();
      dir.remove();
    },
  };
  return server;
}
