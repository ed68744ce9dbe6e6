import type { Store } from '../../ports/store';
import { createPgClient, type PgClientOptions } from './pg-client';
import { createPgliteClient } from './pglite-client';
import { createPostgresStore } from './postgres-store';
import type { SqlClient } from './sql-client';

export interface PgliteStoreOptions {
  /** Folder of the database files, e.g. `<DATA_DIR>/store`; created if missing. */
  dataDir: string;
  /** 32-byte AES-256 key for the fields encrypted at rest. */
  encryptionKey: Uint8Array;
}

export interface PostgresStoreOpenOptions extends PgClientOptions {
  /** 32-byte AES-256 key for the fields encrypted at rest. */
  encryptionKey: Uint8Array;
}

/** PostgreSQL in-process under a folder: opened, migrated, ready. Close it to flush and release the folder. */
export async function openPgliteStore(options: PgliteStoreOptions): Promise<Store> {
  return openMigrated(await createPgliteClient(options.dataDir), options.encryptionKey);
}

/** A PostgreSQL server: pool created, schema created if asked for, migrated, ready. Close it to end the pool. */
export async function openPostgresStore(options: PostgresStoreOpenOptions): Promise<Store> {
  const { encryptionKey, ...client } = options;
  return openMigrated(await createPgClient(client), encryptionKey);
}

async function openMigrated(sql: SqlClient, encryptionKey: Uint8Array): Promise<Store> {
  try {
    const store = createPostgresStore(sql, { encryptionKey });
    await store.migrate();
    return store;
  } catch (error) {
    await sql.close();
    throw error;
  }
}
