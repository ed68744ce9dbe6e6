/**
 * The part of the store the presentation flows use: counter services, presentation requests, the
 * replay memory, receipts (hash-chained per node) and ratings. Implemented by the same PostgreSQL
 * store (PGlite or a server), so the replay memory is shared by every counter of a node and
 * survives a restart.
 *
 * Privacy: a verdict carries the disclosed claims and is encrypted at rest; receipts hold claim
 * NAMES only, keyed by the holder key's RFC 7638 thumbprint (a pseudonym the holder proves); a
 * rating's comment is encrypted.
 */

export interface CounterServiceRow {
  counterId: string;
  id: string;
  names: { zh: string; en: string };
  licenseType: string;
  /** Claim paths as the Type Metadata names them, `/` between levels: `name`, `age_equal_or_over/18`. */
  claims: string[];
  /** Whether the printed form (no holder key, `binding: "none"`) is accepted at this service. */
  acceptsUnbound: boolean;
  createdAt: string;
}

export type PresentationRequestStatus = 'pending' | 'presented';

export interface PresentationRequestRow {
  id: string;
  counterId: string;
  province: string;
  service: string | null;
  licenseType: string;
  claims: string[];
  acceptsUnbound: boolean;
  nonce: string;
  state: string;
  clientId: string;
  responseUri: string;
  status: PresentationRequestStatus;
  /** The verdict once presented; encrypted at rest (it carries the disclosed claims). */
  verdict: unknown;
  /** Answers refused for holder binding (no KB-JWT, another nonce, a replay): they do not close the request. */
  failedAttempts: number;
  /** The last of them, as the counter is shown it; encrypted at rest like the verdict. */
  lastFailedAttempt: unknown;
  createdAt: string;
  expiresAt: string;
  presentedAt: string | null;
}

export interface ReceiptDraft {
  holder: string;
  at: string;
  counterId: string;
  province: string;
  service: string | null;
  licenseType: string;
  claims: string[];
  verdict: 'valid' | 'invalid' | 'indeterminate';
}

export interface ReceiptRow extends ReceiptDraft {
  node: string;
  seq: number;
  prevHash: string;
  hash: string;
}

export interface RatingRow {
  node: string;
  seq: number;
  holder: string;
  counterId: string;
  service: string | null;
  score: number;
  comment: string | null;
  at: string;
}

export interface RatingCount {
  service: string | null;
  score: number;
  count: number;
}

export interface PresentationStore {
  /** Inserts or replaces a counter's service. */
  upsertCounterService(row: CounterServiceRow): Promise<void>;
  /** Ordered by id. */
  listCounterServices(counterId: string): Promise<CounterServiceRow[]>;
  /**
   * Removes one service of a counter; NOT_FOUND if the counter has no such service. Requests made
   * for it keep their own copy of what it asked (type, claims, binding), so they are not touched.
   */
  deleteCounterService(counterId: string, id: string): Promise<void>;

  /** ALREADY_EXISTS if the id is taken. */
  insertPresentationRequest(row: PresentationRequestRow): Promise<void>;
  getPresentationRequest(id: string): Promise<PresentationRequestRow | null>;
  /** pending → presented with its verdict, atomically; false when it was not pending any more. */
  completePresentationRequest(id: string, verdict: unknown, at: string): Promise<boolean>;
  /**
   * Counts a refused answer on a pending request and keeps it as the last one, atomically, while
   * fewer than `limit` are counted: the count, or why not (the request was answered, or is at the limit).
   */
  recordFailedAttempt(id: string, attempt: unknown, limit: number): Promise<{ failedAttempts: number } | 'not-pending' | 'at-limit'>;
  /** Requests of a counter still pending and not expired at `now`. */
  countOpenPresentationRequests(counterId: string, now: string): Promise<number>;

  /**
   * Remembers a one-time value until `expiresAt`. True the first time; false while it is remembered
   * (a replay). Race-free: of concurrent calls with the same ref exactly one gets true.
   */
  rememberOnce(ref: string, expiresAt: string, now: string): Promise<boolean>;
  /** Drops one-time values whose time has passed. */
  forgetExpired(now: string): Promise<number>;

  /**
   * Appends a receipt to the node's chain: seq = last + 1, prevHash = the last hash (64 zeros for
   * the first), hash = link(row without hash). Serialised per node across processes.
   */
  appendReceipt(node: string, draft: ReceiptDraft, link: (row: Omit<ReceiptRow, 'hash'>) => string): Promise<ReceiptRow>;
  /** Oldest first. */
  listReceiptsByHolder(holder: string, limit: number): Promise<ReceiptRow[]>;
  getReceipt(node: string, seq: number): Promise<ReceiptRow | null>;
  /** Receipts of a node with seq > afterSeq, oldest first. */
  listReceiptChain(node: string, afterSeq: number, limit: number): Promise<ReceiptRow[]>;

  /** ALREADY_EXISTS if this receipt was rated. */
  insertRating(row: RatingRow): Promise<void>;
  countRatings(counterId: string): Promise<RatingCount[]>;
}
