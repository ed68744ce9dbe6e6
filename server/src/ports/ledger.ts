/**
 * The one ledger port. The embedded ledger and the Fabric gateway both implement it; nothing above
 * it knows which one it talks to. Functions are named as Fabric names them: `contract:Function`.
 * `identity` is a label in the wallet (fabric-network's file-system wallet format).
 *
 * Errors: every failure is a RegistryError. A chaincode refusal keeps the chaincode's code
 * (`[LICENSE_REVOKED] …` → code LICENSE_REVOKED); an MVCC conflict is MVCC_CONFLICT; an unreachable
 * ledger is LEDGER_UNAVAILABLE; a commit whose outcome is unknown is COMMIT_STATUS_UNKNOWN. The
 * transaction id, when there is one, is in `details.txId`.
 */
export interface SubmitResult {
  txId: string;
  blockNumber: number;
  /** The transaction function's return value, as the chaincode wrote it (UTF-8 JSON for ours). */
  payload: Buffer;
}

export interface TransactionStatus {
  txId: string;
  blockNumber: number;
  /** Fabric's validation code: VALID, MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT, … */
  code: string;
  valid: boolean;
}

export interface LedgerEvent {
  txId: string;
  blockNumber: number;
  /** Chaincode event name (one per transaction, as in Fabric). */
  name: string;
  payload: Buffer;
}

/** A member of the channel as its configuration holds it: the MSP and the CA roots that vouch for its identities. */
export interface ChannelOrganization {
  mspId: string;
  /** PEM certificates. */
  rootCertificates: string[];
}

export interface ChannelConfiguration {
  channel: string;
  organizations: ChannelOrganization[];
}

export interface Ledger {
  /** Endorse, order and commit; resolves only once the transaction is durably committed and valid. */
  submit(identity: string, fn: string, args: string[]): Promise<SubmitResult>;
  /** Run a read-only query against committed state; nothing is ordered. */
  evaluate(identity: string, fn: string, args: string[]): Promise<Buffer>;
  /** Where and how a transaction committed, or null if the ledger has no such transaction. */
  transactionStatus(identity: string, txId: string): Promise<TransactionStatus | null>;
  /** Chaincode events of valid committed transactions, in commit order. Returns an unsubscribe. */
  onEvent(listener: (event: LedgerEvent) => void): () => void;
  /** The application organisations of the channel's latest configuration, with their root CAs. */
  channelConfiguration(identity: string): Promise<ChannelConfiguration>;
  /** Resolves when the ledger answers (a cheap read); rejects with LEDGER_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
