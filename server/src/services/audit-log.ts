/**
 * The verification audit trail. Every verification is written before its verdict is returned;
 * entries arriving together share one multi-row INSERT (group commit), so the trail costs one
 * round trip per burst instead of one per scan.
 */
import type { Store, VerificationLogEntry } from '../ports/store';

interface Waiting {
  entry: VerificationLogEntry;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class AuditLog {
  private queue: Waiting[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves once the entry is durably stored. */
  record(entry: VerificationLogEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.store.appendVerifications(batch.map((waiting) => waiting.entry));
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error as Error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Waits for everything queued so far (on shutdown). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}
