/**
 * Waiting for a submitted transaction to commit, as the SDK's own strategies do (commit listeners
 * on the peers' filtered block streams), but keeping what they throw away: the block number and
 * the validation code. The outcome is decided as Fabric decides it:
 *
 *   - one peer reporting the transaction invalid settles it: validation is deterministic, every
 *     peer marks it the same (MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT → MVCC_CONFLICT);
 *   - it is committed once every watched peer reported VALID; once one has, a peer that stays
 *     silent (hung, cut off) gets `lagMs` more, then the submit resolves without it, so with
 *     three provinces one unresponsive peer delays writes by seconds, not by the commit timeout;
 *   - no peer reporting at all, within the commit timeout, is COMMIT_STATUS_UNKNOWN: the
 *     transaction may still commit, and transactionStatus(txId) will say.
 */
import type { CommitError, CommitEvent, Network, TxEventHandler } from 'fabric-network';
import { RegistryError } from '../../../../core/errors';

export type CommitScope = 'network' | 'organization';

const CONFLICTS = new Set(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);

export class CommitWait implements TxEventHandler {
  private readonly pending = new Set<string>();
  private blockNumber: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private settle!: (outcome: RegistryError | null) => void;
  private readonly outcome = new Promise<RegistryError | null>((resolve) => (this.settle = resolve));
  private settled = false;
  private readonly listener = (error?: CommitError, event?: CommitEvent) => this.onCommit(error, event);

  constructor(
    private readonly txId: string,
    private readonly network: Network,
    private readonly scope: CommitScope,
    private readonly timeoutMs: number,
    private readonly lagMs: number,
  ) {}

  private peers() {
    const channel = this.network.getChannel();
    if (this.scope === 'organization') {
      const own = channel.getEndorsers(this.network.getGateway().getIdentity().mspId);
      if (own.length > 0) return own;
    }
    return channel.getEndorsers();
  }

  async startListening(): Promise<void> {
    const peers = this.peers();
    for (const peer of peers) this.pending.add(peer.name);
    this.timer = setTimeout(() => this.onTimeout(), this.timeoutMs);
    await this.network.addCommitListener(this.listener, peers, this.txId);
  }

  async waitForEvents(): Promise<void> {
    const error = await this.outcome;
    if (error) throw error;
  }

  cancelListening(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.lagTimer) clearTimeout(this.lagTimer);
    this.network.removeCommitListener(this.listener);
  }

  /** The block the transaction committed in, once waitForEvents has resolved. */
  get committedBlock(): number {
    if (this.blockNumber === null) throw new RegistryError('INTERNAL', `no commit event recorded for ${this.txId}`, { txId: this.txId });
    return this.blockNumber;
  }

  private finish(outcome: RegistryError | null): void {
    if (this.settled) return;
    this.settled = true;
    this.cancelListening();
    this.settle(outcome);
  }

  private onCommit(error?: CommitError, event?: CommitEvent): void {
    if (event && !event.isValid) {
      const code = event.status;
      const registryCode = CONFLICTS.has(code) ? 'MVCC_CONFLICT' : 'INTERNAL';
      this.finish(new RegistryError(registryCode, `transaction ${this.txId} was invalidated at commit: ${code}`, { txId: this.txId, validationCode: code }));
      return;
    }
    if (event) this.blockNumber = event.getBlockEvent().blockNumber.toNumber();
    const peer = error?.peer ?? event?.peer;
    if (peer) this.pending.delete(peer.name);
    if (this.pending.size > 0) {
      if (this.blockNumber !== null && !this.lagTimer) this.lagTimer = setTimeout(() => this.finish(null), this.lagMs);
      return;
    }
    if (this.blockNumber !== null) this.finish(null);
    else this.finish(this.unknown('no peer could report the commit'));
  }

  private onTimeout(): void {
    if (this.blockNumber !== null) this.finish(null);
    else this.finish(this.unknown(`no commit event within ${this.timeoutMs} ms`));
  }

  private unknown(why: string): RegistryError {
    return new RegistryError('COMMIT_STATUS_UNKNOWN', `transaction ${this.txId} was sent for ordering but its outcome is unknown: ${why}`, { txId: this.txId });
  }
}
