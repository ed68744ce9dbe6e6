/**
 * The presentation flows' tables (migration 10), over the same SqlClient as the rest of the store.
 * PostgresStore extends this class, so one store object serves both ports.
 */
import { RegistryError } from '../../../../core/errors';
import type {
  CounterServiceRow,
  PresentationRequestRow,
  PresentationRequestStatus,
  PresentationStore,
  RatingCount,
  RatingRow,
  ReceiptDraft,
  ReceiptRow,
} from '../../ports/presentation-store';
import type { FieldCipher, FieldAddress } from './field-cipher';
import { STORE_LOCK_CLASS, messageOf, sqlStateOf, type SqlClient, type SqlRow } from './sql-client';

export const PRESENTATION_MIGRATION = {
  version: 10,
  name: 'presentations: counter services, requests, replay memory, receipts, ratings',
  statements: [
    `CREATE TABLE counter_services (
      counter_id text NOT NULL,
      id text NOT NULL,
      names jsonb NOT NULL,
      license_type text NOT NULL,
      claims jsonb NOT NULL,
      accepts_unbound boolean NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (counter_id, id)
    )`,
    `CREATE TABLE presentation_requests (
      id text PRIMARY KEY,
      counter_id text NOT NULL,
      province text NOT NULL,
      service text,
      license_type text NOT NULL,
      claims jsonb NOT NULL,
      accepts_unbound boolean NOT NULL,
      nonce text NOT NULL,
      state text NOT NULL,
      client_id text NOT NULL,
      response_uri text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'presented')),
      verdict_enc bytea,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      presented_at timestamptz
    )`,
    `CREATE TABLE one_time_values (
      ref text PRIMARY KEY,
      expires_at timestamptz NOT NULL
    )`,
    `CREATE INDEX one_time_values_by_expiry ON one_time_values (expires_at)`,
    `CREATE TABLE receipts (
      node text NOT NULL,
      seq bigint NOT NULL,
      holder text NOT NULL,
      at timestamptz NOT NULL,
      counter_id text NOT NULL,
      province text NOT NULL,
      service text,
      license_type text NOT NULL,
      claims jsonb NOT NULL,
      verdict text NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (node, seq)
    )`,
    `CREATE INDEX receipts_by_holder ON receipts (holder, at)`,
    `CREATE TABLE ratings (
      node text NOT NULL,
      seq bigint NOT NULL,
      holder text NOT NULL,
      counter_id text NOT NULL,
      service text,
      score integer NOT NULL CHECK (score BETWEEN 1 AND 5),
      comment_enc bytea,
      at timestamptz NOT NULL,
      PRIMARY KEY (node, seq)
    )`,
    `CREATE INDEX ratings_by_counter ON ratings (counter_id)`,
  ],
} as const;

/**
 * Migration 30 (well clear of the numbers other branches take): an answer that fails holder binding
 * no longer closes a request; it is counted up to a limit and the last one kept (sealed).
 */
export const PRESENTATION_ATTEMPTS_MIGRATION = {
  version: 30,
  name: 'presentations: failed attempts per request',
  statements: [
    `ALTER TABLE presentation_requests ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0`,
    `ALTER TABLE presentation_requests ADD COLUMN last_attempt_enc bytea`,
  ],
} as const;

/** Migration 31: the per-counter cap on open requests counts a counter's pending ones at each ask. */
export const PRESENTATION_OPEN_BY_COUNTER_MIGRATION = {
  version: 31,
  name: 'presentations: open requests per counter',
  statements: [`CREATE INDEX presentation_requests_open_by_counter ON presentation_requests (counter_id, expires_at) WHERE status = 'pending'`],
} as const;

const GENESIS = '0'.repeat(64);
const REQUEST_COLUMNS = `id, counter_id, province, service, license_type, claims, accepts_unbound, nonce, state, client_id, response_uri, status,
  verdict_enc, created_at, expires_at, presented_at, failed_attempts, last_attempt_enc`;
const RECEIPT_COLUMNS = 'node, seq, holder, at, counter_id, province, service, license_type, claims, verdict, prev_hash, hash';

function fail(operation: string, error: unknown): RegistryError {
  if (error instanceof RegistryError) return error;
  if (sqlStateOf(error) === '23505') return new RegistryError('ALREADY_EXISTS', `${operation}: the row already exists`);
  return new RegistryError('INTERNAL', `${operation} failed: ${messageOf(error)}`);
}

function column(row: SqlRow, name: string): unknown {
  return row[name];
}

function str(row: SqlRow, name: string): string {
  const value = column(row, name);
  if (typeof value !== 'string') throw new RegistryError('INTERNAL', `store column ${name} is not text`);
  return value;
}

function strOrNull(row: SqlRow, name: string): string | null {
  return column(row, name) === null ? null : str(row, name);
}

function when(row: SqlRow, name: string): string {
  const value = column(row, name);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  throw new RegistryError('INTERNAL', `store column ${name} is not an instant`);
}

function whenOrNull(row: SqlRow, name: string): string | null {
  return column(row, name) === null ? null : when(row, name);
}

function int(row: SqlRow, name: string): number {
  const value = column(row, name);
  const number = typeof value === 'number' ? value : typeof value === 'bigint' || typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw new RegistryError('INTERNAL', `store column ${name} is not an integer`);
  return number;
}

function strings(row: SqlRow, name: string): string[] {
  const value = column(row, name);
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new RegistryError('INTERNAL', `store column ${name} is not a list of text`);
  }
  return value;
}

function sealedOrNull(row: SqlRow, name: string): Uint8Array | null {
  const value = column(row, name);
  if (value === null) return null;
  if (!(value instanceof Uint8Array)) throw new RegistryError('INTERNAL', `store column ${name} is not bytes`);
  return value;
}

const verdictField = (id: string): FieldAddress => ({ table: 'presentation_requests', column: 'verdict_enc', row: [id] });
const attemptField = (id: string): FieldAddress => ({ table: 'presentation_requests', column: 'last_attempt_enc', row: [id] });

function requestStatus(row: SqlRow): PresentationRequestStatus {
  const status = str(row, 'status');
  if (status !== 'pending' && status !== 'presented') throw new RegistryError('INTERNAL', 'store column status is unknown');
  return status;
}
const commentField = (node: string, seq: number): FieldAddress => ({ table: 'ratings', column: 'comment_enc', row: [node, String(seq)] });

function receiptFrom(row: SqlRow): ReceiptRow {
  const verdict = str(row, 'verdict');
  if (verdict !== 'valid' && verdict !== 'invalid' && verdict !== 'indeterminate') throw new RegistryError('INTERNAL', 'store column verdict is unknown');
  return {
    node: str(row, 'node'),
    seq: int(row, 'seq'),
    holder: str(row, 'holder'),
    at: when(row, 'at'),
    counterId: str(row, 'counter_id'),
    province: str(row, 'province'),
    service: strOrNull(row, 'service'),
    licenseType: str(row, 'license_type'),
    claims: strings(row, 'claims'),
    verdict,
    prevHash: str(row, 'prev_hash'),
    hash: str(row, 'hash'),
  };
}

export class PresentationTables implements PresentationStore {
  constructor(
    private readonly presentationSql: SqlClient,
    private readonly presentationCipher: FieldCipher,
  ) {}

  private async exec(operation: string, text: string, params: ReadonlyArray<string | number | boolean | null | Uint8Array> = []): Promise<SqlRow[]> {
    try {
      return await this.presentationSql.query(text, params);
    } catch (error) {
      throw fail(operation, error);
    }
  }

  async upsertCounterService(row: CounterServiceRow): Promise<void> {
    await this.exec(
      'upsert counter service',
      `INSERT INTO counter_services (counter_id, id, names, license_type, claims, accepts_unbound, created_at)
       VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6, $7)
       ON CONFLICT (counter_id, id) DO UPDATE SET names = EXCLUDED.names, license_type = EXCLUDED.license_type, claims = EXCLUDED.claims,
         accepts_unbound = EXCLUDED.accepts_unbound`,
      [row.counterId, row.id, JSON.stringify(row.names), row.licenseType, JSON.stringify(row.claims), row.acceptsUnbound, row.createdAt],
    );
  }

  async listCounterServices(counterId: string): Promise<CounterServiceRow[]> {
    const rows = await this.exec(
      'list counter services',
      'SELECT counter_id, id, names, license_type, claims, accepts_unbound, created_at FROM counter_services WHERE counter_id = $1 ORDER BY id COLLATE "C"',
      [counterId],
    );
    return rows.map((row) => {
      const names = column(row, 'names') as { zh?: unknown; en?: unknown } | null;
      return {
        counterId: str(row, 'counter_id'),
        id: str(row, 'id'),
        names: { zh: typeof names?.zh === 'string' ? names.zh : '', en: typeof names?.en === 'string' ? names.en : '' },
        licenseType: str(row, 'license_type'),
        claims: strings(row, 'claims'),
        acceptsUnbound: column(row, 'accepts_unbound') === true,
        createdAt: when(row, 'created_at'),
      };
    });
  }

  async deleteCounterService(counterId: string, id: string): Promise<void> {
    const rows = await this.exec('delete counter service', 'DELETE FROM counter_services WHERE counter_id = $1 AND id = $2 RETURNING id', [counterId, id]);
    if (rows.length === 0) throw new RegistryError('NOT_FOUND', `counter ${counterId} has no service ${id}`);
  }

  async insertPresentationRequest(row: PresentationRequestRow): Promise<void> {
    await this.exec(
      'insert presentation request',
      `INSERT INTO presentation_requests (${REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        row.id,
        row.counterId,
        row.province,
        row.service,
        row.licenseType,
        JSON.stringify(row.claims),
        row.acceptsUnbound,
        row.nonce,
        row.state,
        row.clientId,
        row.responseUri,
        row.status,
        row.verdict === null ? null : this.presentationCipher.seal(JSON.stringify(row.verdict), verdictField(row.id)),
        row.createdAt,
        row.expiresAt,
        row.presentedAt,
        row.failedAttempts,
        row.lastFailedAttempt === null ? null : this.presentationCipher.seal(JSON.stringify(row.lastFailedAttempt), attemptField(row.id)),
      ],
    );
  }

  async getPresentationRequest(id: string): Promise<PresentationRequestRow | null> {
    const rows = await this.exec('get presentation request', `SELECT ${REQUEST_COLUMNS} FROM presentation_requests WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row) return null;
    const sealed = sealedOrNull(row, 'verdict_enc');
    const attempt = sealedOrNull(row, 'last_attempt_enc');
    return {
      id: str(row, 'id'),
      counterId: str(row, 'counter_id'),
      province: str(row, 'province'),
      service: strOrNull(row, 'service'),
      licenseType: str(row, 'license_type'),
      claims: strings(row, 'claims'),
      acceptsUnbound: column(row, 'accepts_unbound') === true,
      nonce: str(row, 'nonce'),
      state: str(row, 'state'),
      clientId: str(row, 'client_id'),
      responseUri: str(row, 'response_uri'),
      status: requestStatus(row),
      verdict: sealed === null ? null : (JSON.parse(this.presentationCipher.open(sealed, verdictField(id))) as unknown),
      createdAt: when(row, 'created_at'),
      expiresAt: when(row, 'expires_at'),
      presentedAt: whenOrNull(row, 'presented_at'),
      failedAttempts: int(row, 'failed_attempts'),
      lastFailedAttempt: attempt === null ? null : (JSON.parse(this.presentationCipher.open(attempt, attemptField(id))) as unknown),
    };
  }

  async completePresentationRequest(id: string, verdict: unknown, at: string): Promise<boolean> {
    const rows = await this.exec(
      'complete presentation request',
      `UPDATE presentation_requests SET status = 'presented', verdict_enc = $2, presented_at = $3 WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id, this.presentationCipher.seal(JSON.stringify(verdict), verdictField(id)), at],
    );
    return rows.length === 1;
  }

  async recordFailedAttempt(id: string, attempt: unknown, limit: number): Promise<{ failedAttempts: number } | 'not-pending' | 'at-limit'> {
    const rows = await this.exec(
      'record failed presentation attempt',
      `UPDATE presentation_requests SET failed_attempts = failed_attempts + 1, last_attempt_enc = $2
       WHERE id = $1 AND status = 'pending' AND failed_attempts < $3 RETURNING failed_attempts`,
      [id, this.presentationCipher.seal(JSON.stringify(attempt), attemptField(id)), limit],
    );
    const row = rows[0];
    if (row) return { failedAttempts: int(row, 'failed_attempts') };
    const now = await this.exec('read presentation request status', 'SELECT status FROM presentation_requests WHERE id = $1', [id]);
    return now[0] && requestStatus(now[0]) === 'pending' ? 'at-limit' : 'not-pending';
  }

  async countOpenPresentationRequests(counterId: string, now: string): Promise<number> {
    const rows = await this.exec(
      'count open presentation requests',
      `SELECT count(*) AS open FROM presentation_requests WHERE counter_id = $1 AND status = 'pending' AND expires_at > $2`,
      [counterId, now],
    );
    return rows[0] ? int(rows[0], 'open') : 0;
  }

  async rememberOnce(ref: string, expiresAt: string, now: string): Promise<boolean> {
    // An expired entry may be taken again; a live one makes the statement return nothing.
    const rows = await this.exec(
      'remember one-time value',
      `INSERT INTO one_time_values (ref, expires_at) VALUES ($1, $2)
       ON CONFLICT (ref) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE one_time_values.expires_at <= $3
       RETURNING ref`,
      [ref, expiresAt, now],
    );
    return rows.length === 1;
  }

  async forgetExpired(now: string): Promise<number> {
    const rows = await this.exec('forget one-time values', 'DELETE FROM one_time_values WHERE expires_at <= $1 RETURNING ref', [now]);
    return rows.length;
  }

  async appendReceipt(node: string, draft: ReceiptDraft, link: (row: Omit<ReceiptRow, 'hash'>) => string): Promise<ReceiptRow> {
    try {
      return await this.presentationSql.transaction(async (tx) => {
        // One writer per node chain at a time, across processes sharing the database.
        await tx.query("SELECT pg_advisory_xact_lock($1, hashtext('receipts:' || $2))", [STORE_LOCK_CLASS, node]);
        const last = (await tx.query('SELECT seq, hash FROM receipts WHERE node = $1 ORDER BY seq DESC LIMIT 1', [node]))[0];
        const unsealed: Omit<ReceiptRow, 'hash'> = {
          ...draft,
          node,
          seq: last ? int(last, 'seq') + 1 : 1,
          prevHash: last ? str(last, 'hash') : GENESIS,
        };
        const row: ReceiptRow = { ...unsealed, hash: link(unsealed) };
        await tx.query(`INSERT INTO receipts (${RECEIPT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)`, [
          row.node,
          row.seq,
          row.holder,
          row.at,
          row.counterId,
          row.province,
          row.service,
          row.licenseType,
          JSON.stringify(row.claims),
          row.verdict,
          row.prevHash,
          row.hash,
        ]);
        return row;
      });
    } catch (error) {
      throw fail('append receipt', error);
    }
  }

  async listReceiptsByHolder(holder: string, limit: number): Promise<ReceiptRow[]> {
    const rows = await this.exec('list receipts', `SELECT ${RECEIPT_COLUMNS} FROM receipts WHERE holder = $1 ORDER BY at, node, seq LIMIT $2`, [holder, limit]);
    return rows.map(receiptFrom);
  }

  async getReceipt(node: string, seq: number): Promise<ReceiptRow | null> {
    const rows = await this.exec('get receipt', `SELECT ${RECEIPT_COLUMNS} FROM receipts WHERE node = $1 AND seq = $2`, [node, seq]);
    return rows[0] ? receiptFrom(rows[0]) : null;
  }

  async listReceiptChain(node: string, afterSeq: number, limit: number): Promise<ReceiptRow[]> {
    const rows = await this.exec('list receipt chain', `SELECT ${RECEIPT_COLUMNS} FROM receipts WHERE node = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
      node,
      afterSeq,
      limit,
    ]);
    return rows.map(receiptFrom);
  }

  async insertRating(row: RatingRow): Promise<void> {
    await this.exec(
      'insert rating',
      'INSERT INTO ratings (node, seq, holder, counter_id, service, score, comment_enc, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        row.node,
        row.seq,
        row.holder,
        row.counterId,
        row.service,
        row.score,
        row.comment === null ? null : this.presentationCipher.seal(row.comment, commentField(row.node, row.seq)),
        row.at,
      ],
    );
  }

  async countRatings(counterId: string): Promise<RatingCount[]> {
    const rows = await this.exec(
      'count ratings',
      'SELECT service, score, count(*) AS n FROM ratings WHERE counter_id = $1 GROUP BY service, score ORDER BY service COLLATE "C", score',
      [counterId],
    );
    return rows.map((row) => ({ service: strOrNull(row, 'service'), score: int(row, 'score'), count: int(row, 'n') }));
  }
}
