/** Liveness: the server is healthy only when both the ledger and the store answer. */
import type { Ledger } from '../ports/ledger';
import type { Store } from '../ports/store';

export interface HealthReport {
  healthy: boolean;
  ledger: string;
  store: string;
  ledgerKind: string;
}

async function probe(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return 'ok';
  } catch (error) {
    return `unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export class HealthService {
  constructor(
    private readonly ledger: Pick<Ledger, 'ping'>,
    private readonly store: Pick<Store, 'ping'>,
    private readonly ledgerKind: string,
  ) {}

  async check(): Promise<HealthReport> {
    const [ledger, store] = await Promise.all([probe(() => this.ledger.ping()), probe(() => this.store.ping())]);
    return { healthy: ledger === 'ok' && store === 'ok', ledger, store, ledgerKind: this.ledgerKind };
  }
}
