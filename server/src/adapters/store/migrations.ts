import { RegistryError } from '../../../../core/errors';
import { PRESENTATION_ATTEMPTS_MIGRATION, PRESENTATION_MIGRATION, PRESENTATION_OPEN_BY_COUNTER_MIGRATION } from './presentation-tables';
import { STORE_LOCK_CLASS, type SqlClient } from './sql-client';

/**
 * The store's schema, as an ordered list of steps. A step, once released, is never edited: a change
 * is a new step. Each statement is separate because PGlite's query() runs one statement at a time.
 *
 * Columns ending in `_enc` hold AES-256-GCM ciphertext (see field-cipher.ts); everything else is in
 * the clear because something queries it, and none of it is a holder's name or ID number.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry store',
    statements: [
      `CREATE TABLE meta (
        key text PRIMARY KEY,
        value text NOT NULL
      )`,
      `CREATE TABLE agencies (
        id text PRIMARY KEY,
        name text NOT NULL,
        province text NOT NULL,
        msp_id text NOT NULL,
        license_types jsonb NOT NULL,
        identity_label text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      `CREATE TABLE counters (
        id text PRIMARY KEY,
        name text NOT NULL,
        province text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      `CREATE TABLE api_keys (
        id text PRIMARY KEY,
        principal_kind text NOT NULL CHECK (principal_kind IN ('agency', 'counter')),
        principal_id text NOT NULL,
        province text NOT NULL,
        secret_hash bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`,
      `CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        agency_id text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_jwk_enc bytea NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'retired')),
        created_at timestamptz NOT NULL,
        retired_at timestamptz
      )`,
      `CREATE INDEX signing_keys_by_agency ON signing_keys (agency_id, created_at)`,
      `CREATE TABLE licenses (
        id text PRIMARY KEY,
        type text NOT NULL,
        agency_id text NOT NULL,
        holder_ref text NOT NULL,
        doc_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'anchored', 'failed')),
        status text NOT NULL,
        record_enc bytea NOT NULL,
        salt_enc bytea NOT NULL,
        valid_from date NOT NULL,
        valid_until date,
        supersedes text,
        tx_id text,
        block_number bigint,
        error_enc bytea,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX licenses_by_state ON licenses (state, created_at)`,
      `CREATE INDEX licenses_by_holder ON licenses (holder_ref, agency_id)`,
      `CREATE TABLE credentials (
        id text PRIMARY KEY,
        license_id text NOT NULL REFERENCES licenses (id),
        kid text NOT NULL,
        credential_enc bytea NOT NULL,
        issued_at timestamptz NOT NULL
      )`,
      `CREATE INDEX credentials_by_license ON credentials (license_id, issued_at)`,
      `CREATE TABLE verification_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        verifier_kind text NOT NULL CHECK (verifier_kind IN ('agency', 'counter', 'public')),
        verifier_id text NOT NULL,
        province text,
        license_id text,
        credential_ref text,
        verdict text NOT NULL CHECK (verdict IN ('valid', 'invalid', 'indeterminate')),
        failed_checks jsonb NOT NULL
      )`,
      `CREATE INDEX verification_log_by_license ON verification_log (license_id, id)`,
      `CREATE TABLE idempotency_keys (
        principal text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'done')),
        license_id text,
        response_status integer,
        response_body_enc bytea,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (principal, key)
      )`,
    ],
  },
  {
    version: 2,
    name: 'province administration: admin API keys, listing by province and by agency',
    statements: [
      `ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_principal_kind_check`,
      `ALTER TABLE api_keys ADD CONSTRAINT api_keys_principal_kind_check CHECK (principal_kind IN ('agency', 'counter', 'admin'))`,
      `CREATE INDEX api_keys_by_province ON api_keys (province, created_at)`,
      `CREATE INDEX licenses_by_agency ON licenses (agency_id, created_at)`,
    ],
  },
  {
    version: 3,
    name: 'credential offers (OpenID4VCI)',
    statements: [
      // A pre-authorized code and its PIN are stored only as hashes. The PIN is hashed together with
      // the code (SHA-256 of code ‖ PIN): a 6-digit PIN alone would fall to a million guesses.
      `CREATE TABLE credential_offers (
        id text PRIMARY KEY,
        license_id text NOT NULL REFERENCES licenses (id),
        agency_id text NOT NULL,
        configuration_id text NOT NULL,
        code_hash text NOT NULL UNIQUE,
        tx_code_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('offered', 'token-issued', 'redeemed', 'locked', 'superseded')),
        failed_attempts integer NOT NULL CHECK (failed_attempts >= 0),
        expires_at timestamptz NOT NULL,
        token_hash text UNIQUE,
        token_expires_at timestamptz,
        holder_jkt text,
        credential_ref text,
        credential_status jsonb,
        status_invalidated_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX credential_offers_by_license ON credential_offers (license_id, created_at)`,
      `CREATE TABLE issuance_nonces (
        nonce_hash text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`,
      `CREATE INDEX issuance_nonces_by_expiry ON issuance_nonces (expires_at)`,
    ],
  },
  PRESENTATION_MIGRATION,
  {
    // 20: well clear of the numbers other branches take (the presentations took 10).
    version: 20,
    name: 'bounded verification audit',
    statements: [
      // Credentials that fail `format` (junk, scans of other codes) are counted, not logged one row each.
      `CREATE TABLE verification_rejections (
        day date NOT NULL,
        verifier_kind text NOT NULL CHECK (verifier_kind IN ('agency', 'counter', 'public')),
        verifier_id text NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (day, verifier_kind, verifier_id)
      )`,
      // Retention deletes by time.
      `CREATE INDEX verification_log_by_time ON verification_log (at)`,
    ],
  },
  PRESENTATION_ATTEMPTS_MIGRATION,
  PRESENTATION_OPEN_BY_COUNTER_MIGRATION,
];

/**
 * Applies the steps the database lacks, all in one transaction. The advisory lock (per schema)
 * makes a second process starting at the same moment wait, then find the steps applied: without
 * it both would race on CREATE TABLE and one would fail on a catalog unique index.
 * Returns the versions applied by this call (empty when the schema was current).
 */
export async function applyMigrations(sql: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [STORE_LOCK_CLASS]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number(row.version)));
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = [...applied].filter((version) => !known.has(version));
    if (unknown.length > 0) {
      // A newer server migrated this database; running older SQL against it could corrupt data.
      throw new RegistryError('INTERNAL', `the store schema has migrations this server does not know (${unknown.join(', ')}); upgrade the server`);
    }
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    return done;
  });
}
