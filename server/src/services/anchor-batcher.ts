/**
 * Group commit for issuance: anchors submitted by one agency identity while its previous batch is
 * in flight ride together in the next `license:IssueLicenses` transaction. A lone request goes out
 * at once (no waiting for company); under load, batches grow by themselves. On Fabric a
 * transaction's cost is ordering and validation, not its size, so this is how issuance scales.
 *
 * A batch is all or nothing on the ledger; if one anchor in it is refused, the batch is split and
 * each anchor submitted alone, so one bad request cannot fail its neighbours.
 */
import type { AnchorInput } from '../../../core/anchor';
import { RegistryError } from '../../../core/errors';
import type { RegistryLedger } from './registry-ledger';

export interface Anchored {
  txId: string;
  blockNumber: number;
}

interface Waiting {
  input: AnchorInput;
  resolve: (anchored: Anchored) => void;
  reject: (error: Error) => void;
}

/** Refusals that concern the whole transaction rather than one anchor in it. */
const WHOLE_BATCH = new Set(['LEDGER_UNAVAILABLE', 'COMMIT_STATUS_UNKNOWN', 'MVCC_CONFLICT', 'UNAUTHENTICATED', 'INTERNAL']);

export interface AnchorBatcherOptions {
  maxBatch: number;
  /**
   * Batches of one identity in flight at once. On Fabric a commit takes a block interval plus
   * validation on every peer (~0.5 s under load); with one batch at a time, issuance would be
   * capped at maxBatch per commit latency however much the network could take.
   */
  maxInFlight: number;
  /**
   * Runs once a batch committed, before its callers resume: where the issuer records the whole
   * batch as anchored in one write. If it fails, the anchors stand on the ledger and the callers
   * get the error; recovery finds the anchors later.
   */
  afterCommit?: (inputs: AnchorInput[], anchored: Anchored) => Promise<void>;
}

export class AnchorBatcher {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly options: AnchorBatcherOptions;

  constructor(
    private readonly ledger: RegistryLedger,
    options: Partial<AnchorBatcherOptions> = {},
  ) {
    this.options = { maxBatch: 500, maxInFlight: 2, ...options };
  }

  anchor(identity: string, input: AnchorInput): Promise<Anchored> {
    return new Promise<Anchored>((resolve, reject) => {
      const queue = this.queues.get(identity) ?? [];
      queue.push({ input, resolve, reject });
      this.queues.set(identity, queue);
      this.pump(identity);
    });
  }

  /** Starts batches while there is work and a free slot; each finished batch starts the next. */
  private pump(identity: string): void {
    const queue = this.queues.get(identity);
    while (queue && queue.length > 0 && (this.inFlight.get(identity) ?? 0) < this.options.maxInFlight) {
      const batch = queue.splice(0, this.options.maxBatch);
      this.inFlight.set(identity, (this.inFlight.get(identity) ?? 0) + 1);
      void this.submit(identity, batch).finally(() => {
        this.inFlight.set(identity, (this.inFlight.get(identity) ?? 1) - 1);
        this.pump(identity);
      });
    }
  }

  private async submit(identity: string, batch: Waiting[]): Promise<void> {
    const inputs = batch.map((waiting) => waiting.input);
    let anchored: Anchored;
    try {
      anchored = await this.ledger.issueLicenses(identity, inputs);
    } catch (error) {
      const code = error instanceof RegistryError ? error.code : 'INTERNAL';
      if (batch.length === 1 || WHOLE_BATCH.has(code)) {
        for (const waiting of batch) waiting.reject(error as Error);
        return;
      }
      for (const waiting of batch) await this.submit(identity, [waiting]);
      return;
    }
    try {
      await this.options.afterCommit?.(inputs, anchored);
    } catch (error) {
      // Committed on the ledger, not recorded here: never resubmit, let recovery find them.
      for (const waiting of batch) waiting.reject(error as Error);
      return;
    }
    for (const waiting of batch) waiting.resolve(anchored);
  }
}
