/**
 * A paced load: autocannon sends BENCH_LOAD_RATE (200) verifications per second for
 * BENCH_LOAD_SECONDS (60) to one node, whatever its answers take (an open loop, as counters
 * scanning do), round-robin over the whole pool, so most anchors are read from the ledger.
 */
import autocannon from 'autocannon';
import { envNumber, type Figures } from './measure';
import type { Registry } from './registry';

export async function benchLoad(registry: Registry, credentials: readonly string[], figures: Figures): Promise<void> {
  const perSecond = envNumber('BENCH_LOAD_RATE', 200);
  const seconds = envNumber('BENCH_LOAD_SECONDS', 60);
  if (seconds === 0) {
    console.log('  (load run skipped: BENCH_LOAD_SECONDS=0)');
    return;
  }
  let next = 0;
  let invalid = 0;
  const result = await autocannon({
    url: registry.url,
    connections: 32,
    overallRate: perSecond,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/verify',
        headers: { ...registry.counter, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ credential: credentials[next++ % credentials.length] }) }),
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"valid":true')) invalid += 1;
        },
      },
    ],
  });
  const errors = result.errors + result.timeouts + result.non2xx + invalid;
  const note = `${result.requests.total} requests in ${seconds} s at ${perSecond}/s (${round1(result.requests.average)}/s achieved)`;
  figures.report('loadVerifyP50Ms', result.latency.p50, 'ms', note);
  figures.report('loadVerifyP99Ms', result.latency.p99, 'ms', `max ${result.latency.max} ms`);
  figures.report(
    'loadErrors',
    errors,
    '',
    `connection errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, verdicts not valid ${invalid}`,
  );
}

const round1 = (value: number) => Math.round(value * 10) / 10;
