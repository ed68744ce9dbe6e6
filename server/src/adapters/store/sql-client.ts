/**
 * The little SQL surface the store needs, so one implementation of the SQL runs on PGlite and on
 * a PostgreSQL server alike.
 *
 * Parameters are limited to scalars and bytes: the two drivers serialise JS arrays and objects
 * differently (pg turns an array into a Postgres array literal, which is not JSON), so JSON goes in
 * as a string cast with `$n::jsonb` and both drivers see the same text.
 *
 * Errors: a client throws RegistryError STORE_UNAVAILABLE when the database cannot be reached or
 * the client is closed; any other failure is the driver's own error, which carries the SQLSTATE in
 * `code` (read it with sqlStateOf) for the store to map.
 */
import { RegistryError } from '../../../../core/errors';

export type SqlValue = string | number | boolean | null | Uint8Array;

/** A result row as the driver returns it; the store reads it column by column, checking types. */
export type SqlRow = Record<string, unknown>;

export interface SqlQueryable {
  /** One statement, `$1`-style parameters; resolves to the rows (empty for statements without any). */
  query(text: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
}

export interface SqlClient extends SqlQueryable {
  readonly driver: 'pglite' | 'pg';
  /** Runs fn in one transaction on one connection: commits if fn resolves, rolls back if it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Idempotent; afterwards every call fails with STORE_UNAVAILABLE. */
  close(): Promise<void>;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a driver error (both pg and PGlite put it in `code`), or undefined. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** STORE_UNAVAILABLE, keeping the driver's error as the cause for the operator's log. */
export function storeUnavailable(message: string, cause?: unknown): RegistryError {
  const error = new RegistryError('STORE_UNAVAILABLE', message);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** Keys of pg_advisory_xact_lock(int, int): this class, and hashtext(<schema name>) as the object. */
export const STORE_LOCK_CLASS = 0x454c4943; // 'ELIC'
