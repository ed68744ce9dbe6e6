import type { PublicJwk } from '../../../../core/anchor';
import type { PrivateJwk } from '../../ports/keys';
import { isIsoDate } from '../../../../core/dates';
import { RegistryError } from '../../../../core/errors';
import type {
  AgencyRow,
  ApiKeyKind,
  ApiKeyRow,
  CounterRow,
  CredentialOfferRow,
  CredentialOfferState,
  CredentialRow,
  IdempotencyClaim,
  IdempotencyCompletion,
  IdempotencyRow,
  LicenseRow,
  LicenseState,
  SigningKeyRow,
  Store,
  VerificationLogEntry,
  RejectedVerificationCount,
} from '../../ports/store';
import { FieldCipher, type FieldAddress } from './field-cipher';
import { applyMigrations } from './migrations';
import { PresentationTables } from './presentation-tables';
import { messageOf, sqlStateOf, type SqlClient, type SqlQueryable, type SqlRow, type SqlValue } from './sql-client';

export interface PostgresStoreOptions {
  /** AES-256 key (32 bytes) for the fields encrypted at rest; the store keeps its own copy. */
  encryptionKey: Uint8Array;
}

/**
 * The Store over any SqlClient (PGlite or pg). The store owns the client: close() closes it.
 * It does not migrate by itself; call migrate() (the open*Store factories do) before use.
 */
export function createPostgresStore(sql: SqlClient, options: PostgresStoreOptions): Store {
  return new PostgresStore(sql, new FieldCipher(options.encryptionKey));
}

const LICENSE_STATES: readonly LicenseState[] = ['pending', 'anchored', 'failed'];
const API_KEY_KINDS: readonly ApiKeyKind[] = ['agency', 'counter', 'admin'];
const VERIFIER_KINDS: ReadonlyArray<VerificationLogEntry['verifierKind']> = ['agency', 'counter', 'public'];
const VERDICTS: ReadonlyArray<VerificationLogEntry['verdict']> = ['valid', 'invalid', 'indeterminate'];
const KEY_STATUSES: ReadonlyArray<SigningKeyRow['status']> = ['active', 'retired'];
const IDEMPOTENCY_STATES: ReadonlyArray<IdempotencyRow['state']> = ['pending', 'done'];
const OFFER_STATES: readonly CredentialOfferState[] = ['offered', 'token-issued', 'redeemed', 'locked', 'superseded'];

const MAX_LIST_LIMIT = 1000;
// Text ids sort with COLLATE "C" (code points) so the order is one and the same whatever locale
// the database was created with (a server's need not be PGlite's).
/** 8 parameters a row: 1000 rows stay far below PostgreSQL's 65535 parameters a statement. */
const VERIFICATIONS_PER_INSERT = 1000;

const AGENCY_COLUMNS = 'id, name, province, msp_id, license_types, identity_label, created_at';
const COUNTER_COLUMNS = 'id, name, province, created_at';
const API_KEY_COLUMNS = 'id, principal_kind, principal_id, province, secret_hash, created_at, revoked_at';
const SIGNING_KEY_COLUMNS = 'kid, agency_id, public_jwk, private_jwk_enc, status, created_at, retired_at';
// Dates go out as text: both drivers would turn a `date` into a JS Date at some time zone's midnight.
const LICENSE_COLUMNS = `id, type, agency_id, holder_ref, doc_hash, state, status, record_enc, salt_enc,
  to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_until, 'YYYY-MM-DD') AS valid_until,
  supersedes, tx_id, block_number, error_enc, created_at, updated_at`;
const CREDENTIAL_COLUMNS = 'id, license_id, kid, credential_enc, issued_at';
const VERIFICATION_COLUMNS = 'id, at, verifier_kind, verifier_id, province, license_id, credential_ref, verdict, failed_checks';
const OFFER_COLUMNS = `id, license_id, agency_id, configuration_id, code_hash, tx_code_hash, state, failed_attempts, expires_at, token_hash,
  token_expires_at, holder_jkt, credential_ref, credential_status, status_invalidated_at, created_at, updated_at`;
const IDEMPOTENCY_COLUMNS = 'principal, key, request_hash, state, license_id, response_status, response_body_enc, created_at';

/** How a constraint violation reads for one operation. */
interface Refusals {
  duplicate?: () => RegistryError;
  missingParent?: () => RegistryError;
}

class PostgresStore extends PresentationTables implements Store {
  constructor(
    private readonly sql: SqlClient,
    private readonly cipher: FieldCipher,
  ) {
    super(sql, cipher);
  }

  async migrate(): Promise<void> {
    await this.run('migrate', () => applyMigrations(this.sql));
  }

  async ping(): Promise<void> {
    await this.run('ping', () => this.sql.query('SELECT 1'));
  }

  async close(): Promise<void> {
    await this.sql.close();
  }

  // --- meta -------------------------------------------------------------------------------

  async getMeta(key: string): Promise<string | null> {
    const rows = await this.run('get meta', () => this.sql.query('SELECT value FROM meta WHERE key = $1', [key]));
    const [row] = rows;
    return row === undefined ? null : text(row, 'value');
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.run('set meta', () =>
      this.sql.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]),
    );
  }

  // --- agencies and counters ----------------------------------------------------------------

  async upsertAgency(row: AgencyRow): Promise<void> {
    await this.run('upsert agency', () =>
      this.sql.query(
        `INSERT INTO agencies (${AGENCY_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, province = EXCLUDED.province, msp_id = EXCLUDED.msp_id,
           license_types = EXCLUDED.license_types, identity_label = EXCLUDED.identity_label`,
        [row.id, row.name, row.province, row.mspId, JSON.stringify(row.licenseTypes), row.identityLabel, instantParam(row.createdAt)],
      ),
    );
  }

  async getAgency(id: string): Promise<AgencyRow | null> {
    const rows = await this.run('get agency', () => this.sql.query(`SELECT ${AGENCY_COLUMNS} FROM agencies WHERE id = $1`, [id]));
    const [row] = rows;
    return row === undefined ? null : agencyFrom(row);
  }

  async listAgencies(): Promise<AgencyRow[]> {
    const rows = await this.run('list agencies', () => this.sql.query(`SELECT ${AGENCY_COLUMNS} FROM agencies ORDER BY id COLLATE "C"`));
    return rows.map(agencyFrom);
  }

  async upsertCounter(row: CounterRow): Promise<void> {
    await this.run('upsert counter', () =>
      this.sql.query(
        `INSERT INTO counters (${COUNTER_COLUMNS}) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, province = EXCLUDED.province`,
        [row.id, row.name, row.province, instantParam(row.createdAt)],
      ),
    );
  }

  async getCounter(id: string): Promise<CounterRow | null> {
    const rows = await this.run('get counter', () => this.sql.query(`SELECT ${COUNTER_COLUMNS} FROM counters WHERE id = $1`, [id]));
    const [row] = rows;
    return row === undefined ? null : counterFrom(row);
  }

  async listCounters(province: string): Promise<CounterRow[]> {
    const rows = await this.run('list counters', () =>
      this.sql.query(`SELECT ${COUNTER_COLUMNS} FROM counters WHERE province = $1 ORDER BY id COLLATE "C"`, [province]),
    );
    return rows.map(counterFrom);
  }

  // --- API keys ------------------------------------------------------------------------------

  async insertApiKey(row: ApiKeyRow): Promise<void> {
    await this.run(
      'insert api key',
      () =>
        this.sql.query(`INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
          row.id,
          row.principalKind,
          row.principalId,
          row.province,
          row.secretHash,
          instantParam(row.createdAt),
          instantParamOrNull(row.revokedAt),
        ]),
      { duplicate: () => new RegistryError('ALREADY_EXISTS', `api key ${row.id} already exists`) },
    );
  }

  async getApiKey(id: string): Promise<ApiKeyRow | null> {
    const rows = await this.run('get api key', () => this.sql.query(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]));
    const [row] = rows;
    return row === undefined ? null : apiKeyFrom(row);
  }

  async listApiKeys(province: string): Promise<ApiKeyRow[]> {
    const rows = await this.run('list api keys', () =>
      this.sql.query(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE province = $1 ORDER BY created_at, id COLLATE "C"`, [province]),
    );
    return rows.map(apiKeyFrom);
  }

  async revokeApiKey(id: string, revokedAt: string): Promise<void> {
    const rows = await this.run('revoke api key', () =>
      this.sql.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2::timestamptz) WHERE id = $1 RETURNING id', [id, instantParam(revokedAt)]),
    );
    if (rows.length === 0) throw new RegistryError('NOT_FOUND', `api key ${id} not found`);
  }

  // --- signing keys --------------------------------------------------------------------------

  async insertSigningKey(row: SigningKeyRow): Promise<void> {
    const privateJwk = this.cipher.seal(JSON.stringify(row.privateJwk), signingKeyPrivate(row.kid));
    await this.run(
      'insert signing key',
      () =>
        this.sql.query(`INSERT INTO signing_keys (${SIGNING_KEY_COLUMNS}) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)`, [
          row.kid,
          row.agencyId,
          JSON.stringify(row.publicJwk),
          privateJwk,
          row.status,
          instantParam(row.createdAt),
          instantParamOrNull(row.retiredAt),
        ]),
      { duplicate: () => new RegistryError('KEY_EXISTS', `signing key ${row.kid} already exists`) },
    );
  }

  async listSigningKeys(agencyId: string): Promise<SigningKeyRow[]> {
    const rows = await this.run('list signing keys', () =>
      this.sql.query(`SELECT ${SIGNING_KEY_COLUMNS} FROM signing_keys WHERE agency_id = $1 ORDER BY created_at, kid COLLATE "C"`, [agencyId]),
    );
    return rows.map((row) => {
      const kid = text(row, 'kid');
      return {
        kid,
        agencyId: text(row, 'agency_id'),
        publicJwk: jwkFrom(json(row, 'public_jwk'), 'signing_keys.public_jwk'),
        privateJwk: privateJwkFrom(JSON.parse(this.cipher.open(bytes(row, 'private_jwk_enc'), signingKeyPrivate(kid))), 'signing_keys.private_jwk_enc'),
        status: oneOf(row, 'status', KEY_STATUSES),
        createdAt: instant(row, 'created_at'),
        retiredAt: instantOrNull(row, 'retired_at'),
      };
    });
  }

  async retireSigningKey(kid: string, retiredAt: string): Promise<void> {
    const rows = await this.run('retire signing key', () =>
      this.sql.query(`UPDATE signing_keys SET status = 'retired', retired_at = COALESCE(retired_at, $2::timestamptz) WHERE kid = $1 RETURNING kid`, [
        kid,
        instantParam(retiredAt),
      ]),
    );
    if (rows.length === 0) throw new RegistryError('KEY_NOT_FOUND', `signing key ${kid} not found`);
  }

  // --- licenses ------------------------------------------------------------------------------

  async insertLicense(row: LicenseRow): Promise<void> {
    await this.insertLicenses([row]);
  }

  async insertLicenses(rows: readonly LicenseRow[]): Promise<void> {
    if (rows.length === 0) return;
    const params: SqlValue[] = [];
    for (const row of rows) {
      params.push(
        row.id,
        row.type,
        row.agencyId,
        row.holderRef,
        row.docHash,
        row.state,
        row.status,
        this.cipher.seal(JSON.stringify(row.record), licenseField(row.id, 'record_enc')),
        this.cipher.seal(row.salt, licenseField(row.id, 'salt_enc')),
        dateParam(row.validFrom),
        row.validUntil === null ? null : dateParam(row.validUntil),
        row.supersedes,
        row.txId,
        row.blockNumber,
        row.error === null ? null : this.cipher.seal(row.error, licenseField(row.id, 'error_enc')),
        instantParam(row.createdAt),
        instantParam(row.updatedAt),
      );
    }
    await this.run(
      'insert licenses',
      () =>
        this.sql.query(
          `INSERT INTO licenses (id, type, agency_id, holder_ref, doc_hash, state, status, record_enc, salt_enc, valid_from,
             valid_until, supersedes, tx_id, block_number, error_enc, created_at, updated_at)
           VALUES ${placeholders(rows.length, 17)}`,
          params,
        ),
      {
        duplicate: () =>
          new RegistryError('LICENSE_EXISTS', rows.length === 1 ? `license ${rows[0]?.id ?? ''} already exists` : 'one of the licenses already exists'),
      },
    );
  }

  async getLicense(id: string): Promise<LicenseRow | null> {
    const rows = await this.run('get license', () => this.sql.query(`SELECT ${LICENSE_COLUMNS} FROM licenses WHERE id = $1`, [id]));
    const [row] = rows;
    return row === undefined ? null : this.licenseFrom(row);
  }

  async listLicensesByState(state: LicenseState, limit: number): Promise<LicenseRow[]> {
    const rows = await this.run('list licenses by state', () =>
      this.sql.query(`SELECT ${LICENSE_COLUMNS} FROM licenses WHERE state = $1 ORDER BY created_at, id COLLATE "C" LIMIT $2`, [state, limitParam(limit)]),
    );
    return rows.map((row) => this.licenseFrom(row));
  }

  async listLicensesByHolderRef(holderRef: string, agencyId: string): Promise<LicenseRow[]> {
    const rows = await this.run('list licenses by holder', () =>
      this.sql.query(`SELECT ${LICENSE_COLUMNS} FROM licenses WHERE holder_ref = $1 AND agency_id = $2 ORDER BY created_at, id COLLATE "C"`, [
        holderRef,
        agencyId,
      ]),
    );
    return rows.map((row) => this.licenseFrom(row));
  }

  async listLicensesByAgency(agencyId: string, limit: number, before?: string): Promise<LicenseRow[]> {
    const rows = await this.run('list licenses by agency', () =>
      this.sql.query(
        `SELECT ${LICENSE_COLUMNS} FROM licenses WHERE agency_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2::timestamptz)
         ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $3`,
        [agencyId, before === undefined ? null : instantParam(before), limitParam(limit)],
      ),
    );
    return rows.map((row) => this.licenseFrom(row));
  }

  async markLicenseAnchored(id: string, txId: string, blockNumber: number, at: string): Promise<void> {
    await this.markLicensesAnchored([id], txId, blockNumber, at);
  }

  async markLicensesAnchored(ids: readonly string[], txId: string, blockNumber: number, at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.run('mark licenses anchored', () =>
      this.sql.transaction(async (tx) => {
        const rows = await tx.query(`SELECT id, state, tx_id FROM licenses WHERE id IN (${placeholders(ids.length, 1, 0)}) FOR UPDATE`, [...ids]);
        const found = new Map(rows.map((row) => [text(row, 'id'), { state: oneOf(row, 'state', LICENSE_STATES), txId: textOrNull(row, 'tx_id') }]));
        const open: string[] = [];
        for (const id of ids) {
          const current = found.get(id);
          if (!current) throw licenseNotFound(id);
          if (current.state !== 'anchored') open.push(id);
          else if (current.txId !== txId) {
            throw new RegistryError('INVALID_TRANSITION', `license ${id} is already anchored by transaction ${current.txId ?? '?'}`, { txId: current.txId });
          }
        }
        if (open.length === 0) return;
        await tx.query(
          `UPDATE licenses SET state = 'anchored', status = 'active', tx_id = $1, block_number = $2, error_enc = NULL, updated_at = $3
            WHERE id IN (${placeholders(open.length, 1, 3)})`,
          [txId, blockNumber, instantParam(at), ...open],
        );
      }),
    );
  }

  async markLicenseFailed(id: string, error: string, at: string): Promise<void> {
    const sealed = this.cipher.seal(error, licenseField(id, 'error_enc'));
    await this.run('mark license failed', () =>
      this.sql.transaction(async (tx) => {
        const current = await lockLicense(tx, id);
        if (current.state === 'anchored') {
          throw new RegistryError('INVALID_TRANSITION', `license ${id} is anchored (transaction ${current.txId ?? '?'}) and cannot fail`, {
            txId: current.txId,
          });
        }
        await tx.query(`UPDATE licenses SET state = 'failed', error_enc = $2, updated_at = $3 WHERE id = $1`, [id, sealed, instantParam(at)]);
      }),
    );
  }

  async updateLicenseStatus(id: string, status: string, at: string): Promise<void> {
    const rows = await this.run('update license status', () =>
      this.sql.query('UPDATE licenses SET status = $2, updated_at = $3 WHERE id = $1 RETURNING id', [id, status, instantParam(at)]),
    );
    if (rows.length === 0) throw licenseNotFound(id);
  }

  private licenseFrom(row: SqlRow): LicenseRow {
    const id = text(row, 'id');
    const errorEnc = bytesOrNull(row, 'error_enc');
    return {
      id,
      type: text(row, 'type'),
      agencyId: text(row, 'agency_id'),
      holderRef: text(row, 'holder_ref'),
      docHash: text(row, 'doc_hash'),
      state: oneOf(row, 'state', LICENSE_STATES),
      status: text(row, 'status'),
      record: objectFrom(JSON.parse(this.cipher.open(bytes(row, 'record_enc'), licenseField(id, 'record_enc'))), 'licenses.record_enc'),
      salt: this.cipher.open(bytes(row, 'salt_enc'), licenseField(id, 'salt_enc')),
      validFrom: text(row, 'valid_from'),
      validUntil: textOrNull(row, 'valid_until'),
      supersedes: textOrNull(row, 'supersedes'),
      txId: textOrNull(row, 'tx_id'),
      blockNumber: integerOrNull(row, 'block_number'),
      error: errorEnc === null ? null : this.cipher.open(errorEnc, licenseField(id, 'error_enc')),
      createdAt: instant(row, 'created_at'),
      updatedAt: instant(row, 'updated_at'),
    };
  }

  // --- credentials ---------------------------------------------------------------------------

  async insertCredential(row: CredentialRow): Promise<void> {
    await this.insertCredentials([row]);
  }

  async insertCredentials(rows: readonly CredentialRow[]): Promise<void> {
    if (rows.length === 0) return;
    const params: SqlValue[] = [];
    for (const row of rows) params.push(row.id, row.licenseId, row.kid, this.cipher.seal(row.credential, credentialField(row.id)), instantParam(row.issuedAt));
    await this.run(
      'insert credentials',
      () => this.sql.query(`INSERT INTO credentials (${CREDENTIAL_COLUMNS}) VALUES ${placeholders(rows.length, 5)}`, params),
      {
        duplicate: () =>
          new RegistryError('ALREADY_EXISTS', rows.length === 1 ? `credential ${rows[0]?.id ?? ''} already exists` : 'one of the credentials already exists'),
        missingParent: () =>
          rows.length === 1 && rows[0] ? licenseNotFound(rows[0].licenseId) : new RegistryError('LICENSE_NOT_FOUND', 'a credential names an unknown license'),
      },
    );
  }

  async latestCredential(licenseId: string): Promise<CredentialRow | null> {
    const rows = await this.run('latest credential', () =>
      this.sql.query(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE license_id = $1 ORDER BY issued_at DESC, id COLLATE "C" DESC LIMIT 1`, [licenseId]),
    );
    const [row] = rows;
    if (row === undefined) return null;
    const id = text(row, 'id');
    return {
      id,
      licenseId: text(row, 'license_id'),
      kid: text(row, 'kid'),
      credential: this.cipher.open(bytes(row, 'credential_enc'), credentialField(id)),
      issuedAt: instant(row, 'issued_at'),
    };
  }

  // --- verification log ----------------------------------------------------------------------

  async appendVerification(entry: VerificationLogEntry): Promise<void> {
    await this.appendVerifications([entry]);
  }

  async appendVerifications(entries: readonly VerificationLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const chunks: VerificationLogEntry[][] = [];
    for (let start = 0; start < entries.length; start += VERIFICATIONS_PER_INSERT) {
      chunks.push(entries.slice(start, start + VERIFICATIONS_PER_INSERT));
    }
    await this.run('append verifications', async () => {
      const [only] = chunks;
      if (chunks.length === 1 && only !== undefined) {
        await insertVerifications(this.sql, only);
        return;
      }
      // A batch is all or nothing, however many statements it takes.
      await this.sql.transaction(async (tx) => {
        for (const chunk of chunks) await insertVerifications(tx, chunk);
      });
    });
  }

  async countRejectedVerifications(counts: readonly RejectedVerificationCount[]): Promise<void> {
    if (counts.length === 0) return;
    const params = counts.flatMap((count) => [count.day, count.verifierKind, count.verifierId, count.count]);
    const tuples = counts.map((_, i) => `($${i * 4 + 1}::date, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::bigint)`);
    await this.run('count rejected verifications', () =>
      this.sql.query(
        `INSERT INTO verification_rejections (day, verifier_kind, verifier_id, count) VALUES ${tuples.join(', ')}
         ON CONFLICT (day, verifier_kind, verifier_id) DO UPDATE SET count = verification_rejections.count + EXCLUDED.count`,
        params,
      ),
    );
  }

  async listRejectedVerificationCounts(limit: number): Promise<RejectedVerificationCount[]> {
    const rows = await this.run('list rejected verifications', () =>
      this.sql.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, verifier_kind, verifier_id, count::text AS count FROM verification_rejections
         ORDER BY day DESC, verifier_kind, verifier_id LIMIT $1`,
        [limitParam(limit)],
      ),
    );
    return rows.map((row) => ({
      day: text(row, 'day'),
      verifierKind: oneOf(row, 'verifier_kind', VERIFIER_KINDS),
      verifierId: text(row, 'verifier_id'),
      count: Number(text(row, 'count')),
    }));
  }

  async pruneVerifications(before: string): Promise<number> {
    return this.run('prune verifications', () =>
      this.sql.transaction(async (tx) => {
        const deleted = await tx.query(
          'WITH gone AS (DELETE FROM verification_log WHERE at < $1::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM gone',
          [instantParam(before)],
        );
        // Days are China Standard Time days (UTC+8, no daylight saving), as everywhere in the registry.
        await tx.query(`DELETE FROM verification_rejections WHERE day < (($1::timestamptz AT TIME ZONE 'UTC') + interval '8 hours')::date`, [
          instantParam(before),
        ]);
        return deleted[0] ? integer(deleted[0], 'n') : 0;
      }),
    );
  }

  async listVerifications(filter: { licenseId?: string; limit: number }): Promise<VerificationLogEntry[]> {
    const limit = limitParam(filter.limit);
    const rows = await this.run('list verifications', () =>
      filter.licenseId === undefined
        ? this.sql.query(`SELECT ${VERIFICATION_COLUMNS} FROM verification_log ORDER BY id DESC LIMIT $1`, [limit])
        : this.sql.query(`SELECT ${VERIFICATION_COLUMNS} FROM verification_log WHERE license_id = $1 ORDER BY id DESC LIMIT $2`, [filter.licenseId, limit]),
    );
    return rows.map((row) => ({
      id: integer(row, 'id'),
      at: instant(row, 'at'),
      verifierKind: oneOf(row, 'verifier_kind', VERIFIER_KINDS),
      verifierId: text(row, 'verifier_id'),
      province: textOrNull(row, 'province'),
      licenseId: textOrNull(row, 'license_id'),
      credentialRef: textOrNull(row, 'credential_ref'),
      verdict: oneOf(row, 'verdict', VERDICTS),
      failedChecks: stringsFrom(json(row, 'failed_checks'), 'verification_log.failed_checks'),
    }));
  }

  // --- idempotency ---------------------------------------------------------------------------

  async claimIdempotencyKey(claim: IdempotencyClaim): Promise<IdempotencyRow | null> {
    return this.run('claim idempotency key', async () => {
      // The insert is the claim: of concurrent claimers exactly one inserts (a unique index decides,
      // across processes); the others see DO NOTHING and read the winner's row. A row can only be
      // missing between the two statements if it was purged meanwhile, so the loop retries once.
      for (let attempt = 0; attempt < 2; attempt++) {
        const claimed = await this.sql.query(
          `INSERT INTO idempotency_keys (principal, key, request_hash, state, license_id, created_at)
           VALUES ($1, $2, $3, 'pending', $4, $5) ON CONFLICT (principal, key) DO NOTHING RETURNING principal`,
          [claim.principal, claim.key, claim.requestHash, claim.licenseId, instantParam(claim.createdAt)],
        );
        if (claimed.length === 1) return null;
        const existing = await this.sql.query(`SELECT ${IDEMPOTENCY_COLUMNS} FROM idempotency_keys WHERE principal = $1 AND key = $2`, [
          claim.principal,
          claim.key,
        ]);
        const [row] = existing;
        if (existing.length === 1 && row !== undefined) return this.idempotencyFrom(row);
      }
      throw new RegistryError('INTERNAL', `idempotency key ${claim.key} was neither claimable nor readable`);
    });
  }

  async attachIdempotencyLicense(principal: string, key: string, licenseId: string): Promise<void> {
    const rows = await this.run('attach idempotency license', () =>
      this.sql.query('UPDATE idempotency_keys SET license_id = $3 WHERE principal = $1 AND key = $2 RETURNING key', [principal, key, licenseId]),
    );
    if (rows.length === 0) throw idempotencyNotFound(key);
  }

  async completeIdempotencyKey(principal: string, key: string, responseStatus: number, responseBody: unknown): Promise<void> {
    await this.completeIdempotencyKeys([{ principal, key, responseStatus, responseBody }]);
  }

  async completeIdempotencyKeys(completions: readonly IdempotencyCompletion[]): Promise<void> {
    if (completions.length === 0) return;
    const params: SqlValue[] = [];
    const tuples = completions.map(({ principal, key, responseStatus, responseBody }) => {
      const first = params.length + 1;
      // JSON.stringify(undefined) is undefined, not text: store it as the JSON null it would replay as.
      params.push(
        principal,
        key,
        responseStatus,
        this.cipher.seal(JSON.stringify(responseBody === undefined ? null : responseBody), idempotencyBody(principal, key)),
      );
      return `($${first}::text, $${first + 1}::text, $${first + 2}::integer, $${first + 3}::bytea)`;
    });
    const rows = await this.run('complete idempotency keys', () =>
      this.sql.query(
        `UPDATE idempotency_keys AS k SET state = 'done', response_status = v.status, response_body_enc = v.body
           FROM (VALUES ${tuples.join(', ')}) AS v (principal, key, status, body)
          WHERE k.principal = v.principal AND k.key = v.key RETURNING k.principal, k.key`,
        params,
      ),
    );
    const done = new Set(rows.map((row) => `${text(row, 'principal')}\n${text(row, 'key')}`));
    const missing = completions.find((completion) => !done.has(`${completion.principal}\n${completion.key}`));
    if (missing) throw idempotencyNotFound(missing.key);
  }

  private idempotencyFrom(row: SqlRow): IdempotencyRow {
    const principal = text(row, 'principal');
    const key = text(row, 'key');
    const body = bytesOrNull(row, 'response_body_enc');
    return {
      principal,
      key,
      requestHash: text(row, 'request_hash'),
      state: oneOf(row, 'state', IDEMPOTENCY_STATES),
      licenseId: textOrNull(row, 'license_id'),
      responseStatus: integerOrNull(row, 'response_status'),
      responseBody: body === null ? null : (JSON.parse(this.cipher.open(body, idempotencyBody(principal, key))) as unknown),
      createdAt: instant(row, 'created_at'),
    };
  }

  // --- errors --------------------------------------------------------------------------------

  /** Runs one operation and turns whatever the driver threw into a RegistryError. */
  // --- credential offers (OpenID4VCI) -----------------------------------------------------------

  async insertCredentialOffer(row: CredentialOfferRow): Promise<void> {
    await this.insertCredentialOffers([row]);
  }

  async insertCredentialOffers(rows: readonly CredentialOfferRow[]): Promise<void> {
    if (rows.length === 0) return;
    const params: SqlValue[] = [];
    const tuples = rows.map((row) => {
      const first = params.length + 1;
      params.push(
        row.id,
        row.licenseId,
        row.agencyId,
        row.configurationId,
        row.codeHash,
        row.txCodeHash,
        row.state,
        row.failedAttempts,
        instantParam(row.expiresAt),
        row.tokenHash,
        instantParamOrNull(row.tokenExpiresAt),
        row.holderJkt,
        row.credentialRef,
        row.credentialStatus === null ? null : JSON.stringify(row.credentialStatus),
        instantParamOrNull(row.statusInvalidatedAt),
        instantParam(row.createdAt),
        instantParam(row.updatedAt),
      );
      return `(${Array.from({ length: 17 }, (_, i) => `$${first + i}${i === 13 ? '::jsonb' : ''}`).join(', ')})`;
    });
    await this.run('insert credential offers', () => this.sql.query(`INSERT INTO credential_offers (${OFFER_COLUMNS}) VALUES ${tuples.join(', ')}`, params), {
      missingParent: () =>
        rows.length === 1 && rows[0]
          ? licenseNotFound(rows[0].licenseId)
          : new RegistryError('LICENSE_NOT_FOUND', 'a credential offer names an unknown license'),
    });
  }

  async getCredentialOfferByCode(codeHash: string): Promise<CredentialOfferRow | null> {
    const rows = await this.run('get credential offer', () =>
      this.sql.query(`SELECT ${OFFER_COLUMNS} FROM credential_offers WHERE code_hash = $1`, [codeHash]),
    );
    const [row] = rows;
    return row === undefined ? null : offerFrom(row);
  }

  async getCredentialOfferByToken(tokenHash: string): Promise<CredentialOfferRow | null> {
    const rows = await this.run('get credential offer by token', () =>
      this.sql.query(`SELECT ${OFFER_COLUMNS} FROM credential_offers WHERE token_hash = $1`, [tokenHash]),
    );
    const [row] = rows;
    return row === undefined ? null : offerFrom(row);
  }

  async listCredentialOffers(licenseId: string): Promise<CredentialOfferRow[]> {
    const rows = await this.run('list credential offers', () =>
      this.sql.query(`SELECT ${OFFER_COLUMNS} FROM credential_offers WHERE license_id = $1 ORDER BY created_at, id COLLATE "C"`, [licenseId]),
    );
    return rows.map(offerFrom);
  }

  async recordTxCodeFailure(id: string, maxAttempts: number, at: string): Promise<CredentialOfferRow | null> {
    const rows = await this.run('record tx_code failure', () =>
      this.sql.query(
        `UPDATE credential_offers SET failed_attempts = failed_attempts + 1,
           state = CASE WHEN failed_attempts + 1 >= $2 THEN 'locked' ELSE state END, updated_at = $3
         WHERE id = $1 AND state = 'offered' RETURNING ${OFFER_COLUMNS}`,
        [id, maxAttempts, instantParam(at)],
      ),
    );
    const [row] = rows;
    return row === undefined ? null : offerFrom(row);
  }

  async redeemCredentialOffer(id: string, tokenHash: string, tokenExpiresAt: string, at: string): Promise<boolean> {
    const rows = await this.run('redeem credential offer', () =>
      this.sql.query(
        `UPDATE credential_offers SET state = 'token-issued', token_hash = $2, token_expires_at = $3, updated_at = $4
         WHERE id = $1 AND state = 'offered' RETURNING id`,
        [id, tokenHash, instantParam(tokenExpiresAt), instantParam(at)],
      ),
    );
    return rows.length === 1;
  }

  async claimCredentialOfferIssuance(id: string, holderJkt: string, at: string): Promise<boolean> {
    const rows = await this.run('claim credential offer issuance', () =>
      this.sql.query(
        `UPDATE credential_offers SET state = 'redeemed', holder_jkt = $2, updated_at = $3 WHERE id = $1 AND state = 'token-issued' RETURNING id`,
        [id, holderJkt, instantParam(at)],
      ),
    );
    return rows.length === 1;
  }

  async releaseCredentialOfferIssuance(id: string, at: string): Promise<void> {
    await this.run('release credential offer issuance', () =>
      this.sql.query(
        `UPDATE credential_offers SET state = 'token-issued', holder_jkt = NULL, updated_at = $2
         WHERE id = $1 AND state = 'redeemed' AND credential_ref IS NULL`,
        [id, instantParam(at)],
      ),
    );
  }

  async recordOfferCredential(id: string, credentialRef: string, credentialStatus: Record<string, unknown> | null, at: string): Promise<void> {
    const rows = await this.run('record offer credential', () =>
      this.sql.query(`UPDATE credential_offers SET credential_ref = $2, credential_status = $3::jsonb, updated_at = $4 WHERE id = $1 RETURNING id`, [
        id,
        credentialRef,
        credentialStatus === null ? null : JSON.stringify(credentialStatus),
        instantParam(at),
      ]),
    );
    if (rows.length === 0) throw new RegistryError('NOT_FOUND', `credential offer ${id} not found`);
  }

  async supersedeCredentialOffers(licenseId: string, at: string): Promise<number> {
    const rows = await this.run('supersede credential offers', () =>
      this.sql.query(
        `UPDATE credential_offers SET state = 'superseded', updated_at = $2 WHERE license_id = $1 AND state IN ('offered', 'token-issued') RETURNING id`,
        [licenseId, instantParam(at)],
      ),
    );
    return rows.length;
  }

  async markOfferStatusInvalidated(id: string, at: string): Promise<void> {
    await this.run('mark offer status invalidated', () =>
      this.sql.query(`UPDATE credential_offers SET status_invalidated_at = COALESCE(status_invalidated_at, $2), updated_at = $2 WHERE id = $1`, [
        id,
        instantParam(at),
      ]),
    );
  }

  async insertIssuanceNonce(nonceHash: string, expiresAt: string, now: string): Promise<void> {
    await this.run('insert issuance nonce', () =>
      this.sql.transaction(async (tx) => {
        await tx.query('DELETE FROM issuance_nonces WHERE expires_at <= $1', [instantParam(now)]);
        await tx.query('INSERT INTO issuance_nonces (nonce_hash, expires_at) VALUES ($1, $2)', [nonceHash, instantParam(expiresAt)]);
      }),
    );
  }

  async consumeIssuanceNonce(nonceHash: string, now: string): Promise<boolean> {
    const rows = await this.run('consume issuance nonce', () =>
      this.sql.query('DELETE FROM issuance_nonces WHERE nonce_hash = $1 AND expires_at > $2 RETURNING nonce_hash', [nonceHash, instantParam(now)]),
    );
    return rows.length === 1;
  }

  private async run<T>(operation: string, work: () => Promise<T>, refusals: Refusals = {}): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translate(operation, error, refusals);
    }
  }
}

// --- SQL helpers ----------------------------------------------------------------------------

/**
 * Parameter placeholders numbered from `offset` + 1: `($1, $2), ($3, $4)` for 2 rows of width 2
 * (a multi-row VALUES), or `$1, $2, $3` for width 1 (an IN list).
 */
function placeholders(tuples: number, width: number, offset = 0): string {
  const rows: string[] = [];
  for (let row = 0; row < tuples; row++) {
    const first = offset + row * width + 1;
    const cells = Array.from({ length: width }, (_, i) => `$${first + i}`).join(', ');
    rows.push(width === 1 ? cells : `(${cells})`);
  }
  return rows.join(', ');
}

async function lockLicense(tx: SqlQueryable, id: string): Promise<{ state: LicenseState; txId: string | null }> {
  const rows = await tx.query('SELECT state, tx_id FROM licenses WHERE id = $1 FOR UPDATE', [id]);
  const [row] = rows;
  if (row === undefined) throw licenseNotFound(id);
  return { state: oneOf(row, 'state', LICENSE_STATES), txId: textOrNull(row, 'tx_id') };
}

async function insertVerifications(sql: SqlQueryable, entries: readonly VerificationLogEntry[]): Promise<void> {
  const params: SqlValue[] = [];
  const tuples = entries.map((entry) => {
    const first = params.length + 1;
    params.push(
      instantParam(entry.at),
      entry.verifierKind,
      entry.verifierId,
      entry.province,
      entry.licenseId,
      entry.credentialRef,
      entry.verdict,
      JSON.stringify(entry.failedChecks),
    );
    return `($${first}, $${first + 1}, $${first + 2}, $${first + 3}, $${first + 4}, $${first + 5}, $${first + 6}, $${first + 7}::jsonb)`;
  });
  await sql.query(
    `INSERT INTO verification_log (at, verifier_kind, verifier_id, province, license_id, credential_ref, verdict, failed_checks)
     VALUES ${tuples.join(', ')}`,
    params,
  );
}

function translate(operation: string, error: unknown, refusals: Refusals): RegistryError {
  if (error instanceof RegistryError) return error;
  const state = sqlStateOf(error);
  let mapped: RegistryError;
  if (state === '23505') {
    mapped = refusals.duplicate?.() ?? new RegistryError('ALREADY_EXISTS', `${operation}: the row already exists`);
  } else if (state === '23503') {
    mapped = refusals.missingParent?.() ?? new RegistryError('NOT_FOUND', `${operation}: a row it refers to does not exist`);
  } else if (state !== undefined && (state.startsWith('22') || state === '23502' || state === '23514')) {
    // Data exceptions, NOT NULL and CHECK violations: the caller passed a value the schema refuses.
    mapped = new RegistryError('INVALID_ARGUMENT', `${operation}: ${messageOf(error)}`);
  } else {
    mapped = new RegistryError('INTERNAL', `${operation} failed: ${messageOf(error)}`);
  }
  if (state !== undefined) mapped = new RegistryError(mapped.code, mapped.message, { ...mapped.details, sqlState: state });
  mapped.cause = error;
  return mapped;
}

function licenseNotFound(id: string): RegistryError {
  return new RegistryError('LICENSE_NOT_FOUND', `license ${id} not found`);
}

function idempotencyNotFound(key: string): RegistryError {
  return new RegistryError('NOT_FOUND', `idempotency key ${key} was never claimed`);
}

// --- where each sealed value lives (the AAD) -------------------------------------------------

function licenseField(id: string, column: 'record_enc' | 'salt_enc' | 'error_enc'): FieldAddress {
  return { table: 'licenses', column, row: [id] };
}

function signingKeyPrivate(kid: string): FieldAddress {
  return { table: 'signing_keys', column: 'private_jwk_enc', row: [kid] };
}

function credentialField(id: string): FieldAddress {
  return { table: 'credentials', column: 'credential_enc', row: [id] };
}

function idempotencyBody(principal: string, key: string): FieldAddress {
  return { table: 'idempotency_keys', column: 'response_body_enc', row: [principal, key] };
}

// --- parameters -----------------------------------------------------------------------------

/**
 * PostgreSQL also accepts 'now', 'today' and 'infinity' as timestamps; the last would read back as
 * an invalid Date. Only real instants get through.
 */
function instantParam(value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new RegistryError('INVALID_ARGUMENT', `not an ISO-8601 instant: ${JSON.stringify(value)}`);
  return value;
}

function instantParamOrNull(value: string | null): string | null {
  return value === null ? null : instantParam(value);
}

function dateParam(value: string): string {
  if (!isIsoDate(value)) throw new RegistryError('INVALID_ARGUMENT', `not a 'YYYY-MM-DD' date: ${JSON.stringify(value)}`);
  return value;
}

function limitParam(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new RegistryError('INVALID_ARGUMENT', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  return limit;
}

// --- reading rows: the one place that absorbs the drivers' differences ----------------------
// pg returns int8 as a string and bytea as a Buffer; PGlite returns int8 as a bigint and bytea as
// a Uint8Array. Both return timestamptz as a Date and jsonb already parsed.

function counterFrom(row: SqlRow): CounterRow {
  return { id: text(row, 'id'), name: text(row, 'name'), province: text(row, 'province'), createdAt: instant(row, 'created_at') };
}

function apiKeyFrom(row: SqlRow): ApiKeyRow {
  return {
    id: text(row, 'id'),
    principalKind: oneOf(row, 'principal_kind', API_KEY_KINDS),
    principalId: text(row, 'principal_id'),
    province: text(row, 'province'),
    secretHash: bytes(row, 'secret_hash'),
    createdAt: instant(row, 'created_at'),
    revokedAt: instantOrNull(row, 'revoked_at'),
  };
}

function agencyFrom(row: SqlRow): AgencyRow {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    province: text(row, 'province'),
    mspId: text(row, 'msp_id'),
    licenseTypes: stringsFrom(json(row, 'license_types'), 'agencies.license_types'),
    identityLabel: text(row, 'identity_label'),
    createdAt: instant(row, 'created_at'),
  };
}

function offerFrom(row: SqlRow): CredentialOfferRow {
  const status = json(row, 'credential_status');
  return {
    id: text(row, 'id'),
    licenseId: text(row, 'license_id'),
    agencyId: text(row, 'agency_id'),
    configurationId: text(row, 'configuration_id'),
    codeHash: text(row, 'code_hash'),
    txCodeHash: text(row, 'tx_code_hash'),
    state: oneOf(row, 'state', OFFER_STATES),
    failedAttempts: integer(row, 'failed_attempts'),
    expiresAt: instant(row, 'expires_at'),
    tokenHash: textOrNull(row, 'token_hash'),
    tokenExpiresAt: instantOrNull(row, 'token_expires_at'),
    holderJkt: textOrNull(row, 'holder_jkt'),
    credentialRef: textOrNull(row, 'credential_ref'),
    credentialStatus: status === null ? null : objectFrom(status, 'credential_offers.credential_status'),
    statusInvalidatedAt: instantOrNull(row, 'status_invalidated_at'),
    createdAt: instant(row, 'created_at'),
    updatedAt: instant(row, 'updated_at'),
  };
}

function unexpected(column: string, value: unknown): RegistryError {
  const kind = value === null ? 'null' : value instanceof Uint8Array ? 'bytes' : typeof value;
  return new RegistryError('INTERNAL', `store column ${column} holds an unexpected ${kind}`);
}

function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw unexpected(column, value);
  return value;
}

function textOrNull(row: SqlRow, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

function oneOf<T extends string>(row: SqlRow, column: string, allowed: readonly T[]): T {
  const value = text(row, column);
  if (!isOneOf(allowed, value)) throw new RegistryError('INTERNAL', `store column ${column} holds an unknown value ${JSON.stringify(value)}`);
  return value;
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

function instant(row: SqlRow, column: string): string {
  const value = row[column];
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  throw unexpected(column, value);
}

function instantOrNull(row: SqlRow, column: string): string | null {
  return row[column] === null ? null : instant(row, column);
}

function integer(row: SqlRow, column: string): number {
  const value = row[column];
  const number = typeof value === 'number' ? value : typeof value === 'bigint' || typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw unexpected(column, value);
  return number;
}

function integerOrNull(row: SqlRow, column: string): number | null {
  return row[column] === null ? null : integer(row, column);
}

function bytes(row: SqlRow, column: string): Buffer {
  const value = row[column];
  if (!(value instanceof Uint8Array)) throw unexpected(column, value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function bytesOrNull(row: SqlRow, column: string): Buffer | null {
  return row[column] === null ? null : bytes(row, column);
}

function json(row: SqlRow, column: string): unknown {
  return row[column];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectFrom(value: unknown, column: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw unexpected(column, value);
  return value;
}

function jwkFrom(value: unknown, column: string): PublicJwk {
  if (!isPlainObject(value) || value.kty !== 'EC' || typeof value.x !== 'string' || typeof value.y !== 'string') throw unexpected(column, value);
  return value as unknown as PublicJwk;
}

function privateJwkFrom(value: unknown, column: string): PrivateJwk {
  const jwk = jwkFrom(value, column);
  if (typeof (jwk as Partial<PrivateJwk>).d !== 'string') throw unexpected(column, '(a JWK without its private part)');
  return jwk as PrivateJwk;
}

function stringsFrom(value: unknown, column: string): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) throw unexpected(column, value);
  return value;
}
