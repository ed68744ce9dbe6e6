import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS } from '../../server/src/adapters/store/migrations';
import { openPostgresStore } from '../../server/src/adapters/store/open-store';
import { createPgClient } from '../../server/src/adapters/store/pg-client';
import { createPostgresStore } from '../../server/src/adapters/store/postgres-store';
import { messageOf, type SqlClient } from '../../server/src/adapters/store/sql-client';
import type { Store } from '../../server/src/ports/store';
import { describeOfferStoreContract } from './offer-store-contract';
import { describeStoreContract, refusal, type StoreUnderTest } from './store-contract';
import { defined } from '../support/defined';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The URL without its password, fit for a test report. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** A schema of its own for every run, so parallel runs on one database never meet. */
function throwAwaySchema(purpose: string): string {
  return `elicense_test_${purpose}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

describe('Store on PostgreSQL', function () {
  const configuredUrl = process.env.DATABASE_URL;
  const databaseUrl = configuredUrl ?? DEFAULT_DATABASE_URL;
  const encryptionKey = randomBytes(32);
  const schemas: string[] = [];
  /** A client on the default search_path: creates nothing, drops the throw-away schemas. */
  let admin: SqlClient | undefined;
  let subject: StoreUnderTest | undefined;

  before(async function () {
    try {
      admin = await createPgClient({ databaseUrl, maxConnections: 2, connectTimeoutMs: 3000 });
      await admin.query('SELECT 1');
    } catch (error) {
      await admin?.close();
      admin = undefined;
      if (configuredUrl !== undefined) {
        throw new Error(`DATABASE_URL is set but PostgreSQL at ${redacted(databaseUrl)} cannot be reached: ${messageOf(error)}`, { cause: error });
      }
      console.log(`      skipping the PostgreSQL store suite: no server at ${redacted(databaseUrl)} (${messageOf(error)}); set DATABASE_URL to require one`);
      this.skip();
    }
    const schema = throwAwaySchema('contract');
    schemas.push(schema);
    const sql = await createPgClient({ databaseUrl, schema });
    const store = createPostgresStore(sql, { encryptionKey });
    await store.migrate();
    subject = { store, sql };
  });

  after(async () => {
    await subject?.store.close();
    for (const schema of schemas) await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.close();
  });

  describeStoreContract(() => {
    if (subject === undefined) throw new Error('the PostgreSQL store did not open');
    return subject;
  });
  describeOfferStoreContract(() => {
    if (subject === undefined) throw new Error('the PostgreSQL store did not open');
    return subject;
  });

  describe('on a server', () => {
    const adminClient = (): SqlClient => {
      if (admin === undefined) throw new Error('no admin connection');
      return admin;
    };

    it('keeps its tables in its own schema, not in public', async () => {
      const schema = defined(schemas[0]);
      const tables = await adminClient().query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(tables.map((row) => row.table_name)).to.include.members(['licenses', 'schema_migrations', 'idempotency_keys']);
    });

    it('lets several servers start at once on a fresh schema: all migrate, the steps apply once', async () => {
      const schema = throwAwaySchema('race');
      schemas.push(schema);
      const stores: Store[] = await Promise.all([1, 2, 3].map(() => openPostgresStore({ databaseUrl, schema, encryptionKey, maxConnections: 2 })));
      try {
        const applied = await adminClient().query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
        expect(applied.map((row) => row.version)).to.deep.equal(MIGRATIONS.map((migration) => migration.version));
        await defined(stores[0]).setMeta('started', 'yes');
        expect(await defined(stores[2]).getMeta('started')).to.equal('yes');
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('refuses a schema that a newer server has migrated', async () => {
      const schema = throwAwaySchema('newer');
      schemas.push(schema);
      const store = await openPostgresStore({ databaseUrl, schema, encryptionKey, maxConnections: 1 });
      try {
        await adminClient().query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (9999, 'from the future')`);
        const error = await refusal(store.migrate());
        expect(error.code).to.equal('INTERNAL');
        expect(error.message).to.include('9999');
      } finally {
        await store.close();
      }
    });

    it('answers STORE_UNAVAILABLE once closed', async () => {
      const store = await openPostgresStore({ databaseUrl, schema: schemas[0], encryptionKey, maxConnections: 1 });
      await store.close();
      await store.close();
      expect((await refusal(store.ping())).code).to.equal('STORE_UNAVAILABLE');
    });
  });
});

describe('Store on an unreachable PostgreSQL', () => {
  it('fails to open with STORE_UNAVAILABLE', async () => {
    // Port 1 (tcpmux) has nothing listening: the connection is refused at once.
    const error = await refusal(
      openPostgresStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test', encryptionKey: randomBytes(32), connectTimeoutMs: 2000 }),
    );
    expect(error.code).to.equal('STORE_UNAVAILABLE');
    expect(error.message).to.include('ECONNREFUSED');
  });

  it('refuses a schema name that would need quoting', async () => {
    const error = await refusal(createPgClient({ databaseUrl: DEFAULT_DATABASE_URL, schema: 'Robert"; DROP' }));
    expect(error.code).to.equal('INVALID_ARGUMENT');
  });
});
