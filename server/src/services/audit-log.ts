/**
 * The verification audit trail, bounded. A verification of a real credential is one row (the
 * holder sees where their license was used); a text that is not even a credential of ours
 * (`format` failed) is counted per day and verifier instead, so junk cannot grow the log one row
 * per request. Rows older than the retention period are deleted.
 */
import { chinaDate } from '../../../core/dates';
import type { Clock } from '../ports/clock';
import type { RejectedVerificationCount, Store, VerificationLogEntry } from '../ports/store';

const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

function isJunk(entry: VerificationLogEntry): boolean {
  return entry.failedChecks[0] === 'format';
}

/** Rejected entries summed per China Standard Time day and verifier. */
function rejectedCounts(entries: readonly VerificationLogEntry[]): RejectedVerificationCount[] {
  const counts = new Map<string, RejectedVerificationCount>();
  for (const entry of entries) {
    const day = chinaDate(new Date(entry.at));
    const slot = `${day}\n${entry.verifierKind}\n${entry.verifierId}`;
    const count = counts.get(slot) ?? { day, verifierKind: entry.verifierKind, verifierId: entry.verifierId, count: 0 };
    count.count += 1;
    counts.set(slot, count);
  }
  return [...counts.values()];
}

/** Writes one group-committed batch of verifications: rows for credentials, counts for junk. */
export async function recordVerifications(store: Store, entries: readonly VerificationLogEntry[]): Promise<void> {
  const junk = entries.filter(isJunk);
  await Promise.all([store.appendVerifications(entries.filter((entry) => !isJunk(entry))), store.countRejectedVerifications(rejectedCounts(junk))]);
}

/** Deletes audit rows older than `days`: at start, then hourly until closed. */
export class AuditRetention {
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly days: number,
    private readonly log: (line: string) => void,
  ) {}

  async prune(): Promise<number> {
    return this.store.pruneVerifications(new Date(this.clock().getTime() - this.days * DAY_MS).toISOString());
  }

  async start(): Promise<void> {
    await this.prune();
    this.#timer = setInterval(() => {
      this.prune().catch((error: unknown) => this.log(`audit retention: ${error instanceof Error ? error.message : String(error)}`));
    }, PRUNE_EVERY_MS);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
