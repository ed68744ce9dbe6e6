import { Pool, type PoolClient } from 'pg';
import { RegistryError } from '../../../../core/errors';
import { STORE_LOCK_CLASS, messageOf, sqlStateOf, storeUnavailable, type SqlClient, type SqlQueryable, type SqlRow, type SqlValue } from './sql-client';

export interface PgClientOptions {
  /** postgres://user:password@host:port/database */
  databaseUrl: string;
  /**
   * Schema holding the store's tables; created if missing and put alone on every connection's
   * search_path. Unset: the server's default search_path (normally `public`).
   */
  schema?: string;
  /** Pool size; default 10. */
  maxConnections?: number;
  /** How long to wait for a connection before STORE_UNAVAILABLE; default 5000 ms (pg waits forever). */
  connectTimeoutMs?: number;
  /** An idle pooled connection failed (server restart…); the pool drops it and reconnects on demand. */
  onIdleError?: (error: Error) => void;
}

/** Lowercase, unquoted-identifier spelling only, so the name never needs escaping. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function createPgClient(options: PgClientOptions): Promise<SqlClient> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new RegistryError('INVALID_ARGUMENT', `schema must match ${SCHEMA_NAME.source}`);
  }
  const pool = new Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  // Without a listener an idle connection's error (e.g. the server restarting) crashes the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  const client = new PgPoolClient(pool, options.schema);
  if (options.schema !== undefined) {
    try {
      await client.createSchema(options.schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }
  return client;
}

class PgPoolClient implements SqlClient {
  readonly driver = 'pg' as const;
  private closed = false;
  /** Connections whose search_path is set; a new pooled connection gets SET before its first use. */
  private readonly prepared = new WeakSet<PoolClient>();

  constructor(
    private readonly pool: Pool,
    private readonly schema: string | undefined,
  ) {}

  async query(text: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    const connection = await this.checkout();
    let broken = false;
    try {
      return (await connection.query<SqlRow>(text, [...params])).rows;
    } catch (error) {
      broken = isConnectionFailure(error);
      throw mapConnectionFailure(error);
    } finally {
      connection.release(broken);
    }
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const connection = await this.checkout();
    let finished = false;
    const tx: SqlQueryable = {
      query: async (text, params = []) => {
        if (finished) throw new RegistryError('INTERNAL', 'a transaction handle was used after its transaction ended');
        try {
          return (await connection.query<SqlRow>(text, [...params])).rows;
        } catch (error) {
          throw mapConnectionFailure(error);
        }
      },
    };
    let broken = false;
    try {
      await connection.query('BEGIN');
      const result = await fn(tx);
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await connection.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone or confused: do not give it back to the pool
      }
      throw mapConnectionFailure(error);
    } finally {
      finished = true;
      connection.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * Two processes starting at once on a fresh schema would both run CREATE SCHEMA IF NOT EXISTS and
   * one would fail on pg_namespace's unique index; the advisory lock makes the second wait and see.
   */
  async createSchema(schema: string): Promise<void> {
    const connection = await this.checkout(false);
    let broken = false;
    try {
      await connection.query('BEGIN');
      await connection.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [STORE_LOCK_CLASS, schema]);
      await connection.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await connection.query('COMMIT');
    } catch (error) {
      broken = true;
      throw mapConnectionFailure(error);
    } finally {
      connection.release(broken);
    }
  }

  private async checkout(withSchema = true): Promise<PoolClient> {
    if (this.closed) throw storeUnavailable('the store is closed');
    let connection: PoolClient;
    try {
      connection = await this.pool.connect();
    } catch (error) {
      throw mapConnectionFailure(error);
    }
    if (withSchema && this.schema !== undefined && !this.prepared.has(connection)) {
      // Session-level SET on the connection itself (not in a startup parameter, which a
      // DATABASE_URL carrying its own `options` would silently override): the query that follows
      // cannot run on a connection whose search_path is not ours.
      try {
        await connection.query(`SET search_path TO "${this.schema}"`);
      } catch (error) {
        connection.release(true);
        throw mapConnectionFailure(error);
      }
      this.prepared.add(connection);
    }
    return connection;
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
/** admin shutdown, crash shutdown, cannot connect now, too many connections, no such database, bad credentials. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '3D000', '28000', '28P01']);

function isConnectionFailure(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state !== undefined) return state.startsWith('08') || UNAVAILABLE_STATES.has(state);
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && NETWORK_CODES.has(error.code)) {
    return true;
  }
  // pg reports these only in prose.
  const message = messageOf(error);
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/.test(
    message,
  );
}

function mapConnectionFailure(error: unknown): unknown {
  if (error instanceof RegistryError || !isConnectionFailure(error)) return error;
  return storeUnavailable(`PostgreSQL is unavailable: ${messageOf(error)}`, error);
}
