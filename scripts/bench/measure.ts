/**
 * How the bench measures: every figure is run BENCH_RUNS times (default 3) and reported as the
 * median with the spread (min–max), so one noisy run on a shared machine does not become the number.
 */
import http from 'node:http';
import { percentile } from '../percentile';

export const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
};

export const RUNS = Math.max(1, Math.round(envNumber('BENCH_RUNS', 3)));
/** Seconds each timed run of a throughput figure lasts. */
export const RUN_MS = envNumber('BENCH_SECONDS', 2) * 1000;
/** Concurrent requests (HTTP) and concurrent verifications (raw) for every "/s at concurrency" figure. */
export const CONCURRENCY = Math.max(1, Math.round(envNumber('BENCH_CONCURRENCY', 32)));

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function spreadOf(runs: readonly number[]): Spread {
  return { median: percentile(runs, 50), min: Math.min(...runs), max: Math.max(...runs), runs: [...runs] };
}

/** Runs `measure` RUNS times, one after another. */
export async function repeated(measure: (run: number) => Promise<number>): Promise<Spread> {
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) runs.push(await measure(run));
  return spreadOf(runs);
}

/** The figures of this run: printed as they come, then as one JSON line at the end. */
export class Figures {
  readonly values: Record<string, number | string> = {};

  report(name: string, value: number | string, unit: string, note = ''): void {
    this.values[name] = value;
    console.log(`  ${name.padEnd(34)} ${String(value).padStart(10)} ${unit}${note ? `   ${note}` : ''}`);
  }

  /** A repeated figure: its median, with the spread printed beside it. */
  reportSpread(name: string, spread: Spread, unit: string, note = '', digits = 0): void {
    const range = spread.runs.length > 1 ? `[${round(spread.min, digits)}–${round(spread.max, digits)} over ${spread.runs.length} runs] ` : '';
    this.report(name, round(spread.median, digits), unit, `${range}${note}`);
  }
}

/** Runs `work` back to back for `ms`, `concurrency` at a time; returns completions per second. */
export async function rate(ms: number, concurrency: number, work: (index: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  let next = 0;
  const end = Date.now() + ms;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await work(next++);
        done += 1;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Runs `count` jobs with at most `concurrency` in flight; returns completions per second and each latency (ms). */
export async function pool(count: number, concurrency: number, job: (index: number) => Promise<unknown>): Promise<{ perSec: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const began = performance.now();
      await job(index);
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { perSec: count / ((performance.now() - started) / 1000), latencies };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface HttpResponse {
  status: number;
  body: string;
}

export type HttpCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpResponse>;

/** A lean keep-alive HTTP client: the load generator must cost less than the server it loads. */
export function httpClient(url: string, concurrency: number): HttpCall {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  return (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const length = payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {};
      const request = http.request({ agent, hostname, port, method, path, headers: { ...headers, ...length } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.on('error', reject);
      request.end(payload);
    });
}

/** The response's JSON body, or an error naming what was asked and what came back. */
// The caller names the shape it reads: JSON.parse has no type to infer it from.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function jsonOf<T>(response: HttpResponse, expected: number, what: string): T {
  if (response.status !== expected) throw new Error(`${what}: HTTP ${response.status} ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body) as T;
}
