/**
 * The one Store contract, run against every driver (PGlite, PostgreSQL). Each driver's test file
 * opens one migrated store for the whole suite (PGlite start-up is the slow part) and hands it in;
 * every story uses its own ids, so stories never see each other's rows except where they say so.
 */
import { expect } from 'chai';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RegistryError } from '../../core/errors';
import { MIGRATIONS } from '../../server/src/adapters/store/migrations';
import { createPostgresStore } from '../../server/src/adapters/store/postgres-store';
import type { SqlClient } from '../../server/src/adapters/store/sql-client';
import type { IdempotencyRow, LicenseRow, SigningKeyRow, Store, VerificationLogEntry } from '../../server/src/ports/store';
import { defined } from '../support/defined';

export interface StoreUnderTest {
  store: Store;
  /** The same database, raw: to look at what is really stored, and to tamper with it. */
  sql: SqlClient;
}

/** A holder whose name and ID number must never reach the disk in the clear. */
export const HOLDER_NAME = '测试姓名甲乙';
export const HOLDER_ID_NUMBER = '11010519491231002X';

const RUN = randomUUID().slice(0, 8);
let serial = 0;
/** An id no other story (nor another run on the same database) uses. */
export function uniqueId(prefix: string): string {
  serial += 1;
  return `${prefix}-${RUN}-${serial}`;
}

let tick = 0;
/** Instants one second apart, so "oldest first" is well defined. */
function nextInstant(): string {
  tick += 1;
  return new Date(Date.UTC(2025, 2, 1, 2, 0, 0) + tick * 1000).toISOString();
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function licenseRow(overrides: Partial<LicenseRow> = {}): LicenseRow {
  const createdAt = overrides.createdAt ?? nextInstant();
  return {
    id: uniqueId('LIC'),
    type: 'food-business',
    agencyId: 'zj-amr',
    holderRef: sha256(`holder:${HOLDER_ID_NUMBER}`),
    docHash: sha256(randomUUID()),
    state: 'pending',
    status: 'active',
    record: {
      holder: { name: HOLDER_NAME, idNumber: HOLDER_ID_NUMBER },
      data: { premises: '杭州市西湖区文三路 1 号', categories: ['预包装食品'] },
    },
    salt: randomBytes(16).toString('base64url'),
    validFrom: '2025-03-01',
    validUntil: '2030-02-28',
    supersedes: null,
    txId: null,
    blockNumber: null,
    error: null,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

/** Awaits a call that must fail with a RegistryError, and returns the error. */
export async function refusal(call: Promise<unknown>): Promise<RegistryError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  expect.fail('expected a RegistryError, but the call succeeded');
}

async function storedBytes(sql: SqlClient, query: string, id: string): Promise<Buffer> {
  const rows = await sql.query(query, [id]);
  const value = rows[0]?.value;
  if (!(value instanceof Uint8Array)) expect.fail(`expected bytes from ${query}`);
  return Buffer.from(value);
}

function containsText(bytes: Buffer, text: string): boolean {
  return bytes.includes(Buffer.from(text, 'utf8'));
}

export function describeStoreContract(subject: () => StoreUnderTest): void {
  const store = (): Store => subject().store;
  const sql = (): SqlClient => subject().sql;

  describe('store contract', () => {
    describe('registry directory', () => {
      it('keeps an agency, updates it in place and never changes its creation date', async () => {
        const id = uniqueId('agency');
        const createdAt = nextInstant();
        await store().upsertAgency({
          id,
          name: '浙江省市场监督管理局',
          province: '330000',
          mspId: 'ZJMSP',
          licenseTypes: ['food-business'],
          identityLabel: `issuer-${id}`,
          createdAt,
        });
        await store().upsertAgency({
          id,
          name: '浙江省市场监管局',
          province: '330000',
          mspId: 'ZJMSP',
          licenseTypes: ['food-business', 'drug-retail'],
          identityLabel: `issuer-${id}`,
          createdAt: nextInstant(),
        });

        const agency = await store().getAgency(id);
        expect(agency).to.deep.equal({
          id,
          name: '浙江省市场监管局',
          province: '330000',
          mspId: 'ZJMSP',
          licenseTypes: ['food-business', 'drug-retail'],
          identityLabel: `issuer-${id}`,
          createdAt,
        });
        expect(await store().getAgency(uniqueId('agency'))).to.equal(null);
      });

      it('lists agencies in id order', async () => {
        const [first, second] = [uniqueId('list-agency-a'), uniqueId('list-agency-b')];
        for (const id of [second, first]) {
          await store().upsertAgency({ id, name: id, province: '510000', mspId: 'SCMSP', licenseTypes: [], identityLabel: id, createdAt: nextInstant() });
        }
        const ids = (await store().listAgencies()).map((agency) => agency.id);
        expect(ids).to.include.members([first, second]);
        expect(ids).to.deep.equal([...ids].sort());
      });

      it('keeps a verification counter', async () => {
        const id = uniqueId('counter');
        const createdAt = nextInstant();
        await store().upsertCounter({ id, name: '成都市政务服务中心 3 号窗口', province: '510000', createdAt });
        expect(await store().getCounter(id)).to.deep.equal({ id, name: '成都市政务服务中心 3 号窗口', province: '510000', createdAt });
        expect(await store().getCounter(uniqueId('counter'))).to.equal(null);
      });
    });

    describe('API keys', () => {
      it('finds a key by its public id, holding only the hash of its secret, and revokes it once', async () => {
        const id = uniqueId('key');
        const secretHash = createHash('sha256').update(randomBytes(32)).digest();
        const createdAt = nextInstant();
        await store().insertApiKey({ id, principalKind: 'counter', principalId: 'sc-counter-3', province: '510000', secretHash, createdAt, revokedAt: null });

        const key = await store().getApiKey(id);
        expect(key).to.deep.equal({ id, principalKind: 'counter', principalId: 'sc-counter-3', province: '510000', secretHash, createdAt, revokedAt: null });
        expect(Buffer.isBuffer(key?.secretHash)).to.equal(true);

        const revokedAt = nextInstant();
        await store().revokeApiKey(id, revokedAt);
        await store().revokeApiKey(id, nextInstant());
        expect((await store().getApiKey(id))?.revokedAt).to.equal(revokedAt);
        expect(await store().getApiKey(uniqueId('key'))).to.equal(null);
        expect((await refusal(store().revokeApiKey(uniqueId('key'), nextInstant()))).code).to.equal('NOT_FOUND');
      });

      it('refuses a second key with the same id, and a hash that is not SHA-256 sized', async () => {
        const row = {
          id: uniqueId('key'),
          principalKind: 'agency' as const,
          principalId: 'zj-amr',
          province: '330000',
          secretHash: randomBytes(32),
          createdAt: nextInstant(),
          revokedAt: null,
        };
        await store().insertApiKey(row);
        expect((await refusal(store().insertApiKey(row))).code).to.equal('ALREADY_EXISTS');
        expect((await refusal(store().insertApiKey({ ...row, id: uniqueId('key'), secretHash: randomBytes(20) }))).code).to.equal('INVALID_ARGUMENT');
      });
    });

    describe('province administration', () => {
      it("lists a province's API keys oldest first, admin keys included, and nobody else's", async () => {
        const province = uniqueId('prov');
        const row = (id: string, principalKind: 'agency' | 'counter' | 'admin', principalId: string, inProvince = province) => ({
          id,
          principalKind,
          principalId,
          province: inProvince,
          secretHash: randomBytes(32),
          createdAt: nextInstant(),
          revokedAt: null,
        });
        const [a, b, c] = [uniqueId('key'), uniqueId('key'), uniqueId('key')];
        await store().insertApiKey(row(a, 'admin', province));
        await store().insertApiKey(row(b, 'agency', 'zj-psb'));
        await store().insertApiKey(row(c, 'counter', 'elsewhere', uniqueId('prov')));
        const listed = await store().listApiKeys(province);
        expect(listed.map((key) => [key.id, key.principalKind])).to.deep.equal([
          [a, 'admin'],
          [b, 'agency'],
        ]);
      });

      it("lists a province's counters in id order", async () => {
        const province = uniqueId('prov');
        const [second, first] = [`${uniqueId('ctr')}-b`, `${uniqueId('ctr')}-a`];
        for (const id of [second, first]) await store().upsertCounter({ id, name: `窗口 ${id}`, province, createdAt: nextInstant() });
        await store().upsertCounter({ id: uniqueId('ctr'), name: 'other', province: uniqueId('prov'), createdAt: nextInstant() });
        expect((await store().listCounters(province)).map((counter) => counter.id)).to.deep.equal([first, second].sort());
      });

      it("deletes one service of a counter and no other counter's service of the same id", async () => {
        const [counter, other] = [uniqueId('ctr'), uniqueId('ctr')];
        const service = (counterId: string, id: string) => ({
          counterId,
          id,
          names: { zh: `服务 ${id}`, en: `Service ${id}` },
          licenseType: 'id-card',
          claims: ['name'],
          acceptsUnbound: true,
          createdAt: nextInstant(),
        });
        for (const row of [service(counter, 'hotel'), service(counter, 'library'), service(other, 'hotel')]) await store().upsertCounterService(row);
        await store().deleteCounterService(counter, 'hotel');
        expect((await store().listCounterServices(counter)).map((row) => row.id)).to.deep.equal(['library']);
        expect((await store().listCounterServices(other)).map((row) => row.id)).to.deep.equal(['hotel']);
        expect((await refusal(store().deleteCounterService(counter, 'hotel'))).code).to.equal('NOT_FOUND');
      });

      it("pages through an agency's licenses newest first", async () => {
        const agencyId = uniqueId('agency');
        const rows = [licenseRow({ agencyId }), licenseRow({ agencyId }), licenseRow({ agencyId })];
        for (const row of rows) await store().insertLicense(row);
        await store().insertLicense(licenseRow());
        const [third, second, first] = [...rows].reverse();
        const page = await store().listLicensesByAgency(agencyId, 2);
        expect(page.map((row) => row.id)).to.deep.equal([third?.id, second?.id]);
        const next = await store().listLicensesByAgency(agencyId, 2, defined(page[1]).createdAt);
        expect(next.map((row) => row.id)).to.deep.equal([first?.id]);
        expect((await refusal(store().listLicensesByAgency(agencyId, 0))).code).to.equal('INVALID_ARGUMENT');
      });
    });

    describe('signing keys', () => {
      const keyRow = (agencyId: string, createdAt: string): SigningKeyRow => {
        const x = randomBytes(32).toString('base64url');
        const y = randomBytes(32).toString('base64url');
        return {
          kid: uniqueId('kid'),
          agencyId,
          publicJwk: { kty: 'EC', crv: 'P-256', x, y },
          privateJwk: { kty: 'EC', crv: 'P-256', x, y, d: randomBytes(32).toString('base64url') },
          status: 'active',
          createdAt,
          retiredAt: null,
        };
      };

      it("returns an agency's keys oldest first, private parts decrypted, and retires a key once", async () => {
        const agencyId = uniqueId('agency');
        const older = keyRow(agencyId, nextInstant());
        const newer = keyRow(agencyId, nextInstant());
        await store().insertSigningKey(newer);
        await store().insertSigningKey(older);
        await store().insertSigningKey(keyRow(uniqueId('other-agency'), nextInstant()));
        expect(await store().listSigningKeys(agencyId)).to.deep.equal([older, newer]);

        const retiredAt = nextInstant();
        await store().retireSigningKey(older.kid, retiredAt);
        await store().retireSigningKey(older.kid, nextInstant());
        const [retired, active] = await store().listSigningKeys(agencyId);
        expect(retired).to.deep.equal({ ...older, status: 'retired', retiredAt });
        expect(active?.status).to.equal('active');
      });

      it('keeps the private key only as ciphertext', async () => {
        const row = keyRow(uniqueId('agency'), nextInstant());
        await store().insertSigningKey(row);
        const sealed = await storedBytes(sql(), 'SELECT private_jwk_enc AS value FROM signing_keys WHERE kid = $1', row.kid);
        expect(containsText(sealed, row.privateJwk.d)).to.equal(false);
      });

      it('refuses a duplicate kid with KEY_EXISTS, and an unknown kid with KEY_NOT_FOUND', async () => {
        const row = keyRow(uniqueId('agency'), nextInstant());
        await store().insertSigningKey(row);
        expect((await refusal(store().insertSigningKey(row))).code).to.equal('KEY_EXISTS');
        expect((await refusal(store().retireSigningKey(uniqueId('kid'), nextInstant()))).code).to.equal('KEY_NOT_FOUND');
      });
    });

    describe('licenses', () => {
      it('returns a license exactly as written, record and salt included', async () => {
        const row = licenseRow({ supersedes: uniqueId('LIC'), validUntil: null });
        await store().insertLicense(row);
        expect(await store().getLicense(row.id)).to.deep.equal(row);
        expect(await store().getLicense(uniqueId('LIC'))).to.equal(null);
      });

      it('reads an instant back in UTC and a date unchanged', async () => {
        const row = licenseRow({ createdAt: '2025-03-01T10:00:00+08:00', updatedAt: '2025-03-01T10:00:00.5+08:00', validFrom: '2025-12-31' });
        await store().insertLicense(row);
        const stored = await store().getLicense(row.id);
        expect(stored?.createdAt).to.equal('2025-03-01T02:00:00.000Z');
        expect(stored?.updatedAt).to.equal('2025-03-01T02:00:00.500Z');
        expect(stored?.validFrom).to.equal('2025-12-31');
      });

      it('refuses a second license with the same id (LICENSE_EXISTS) and keeps the first', async () => {
        const row = licenseRow();
        await store().insertLicense(row);
        const error = await refusal(store().insertLicense({ ...row, docHash: sha256('another') }));
        expect(error.code).to.equal('LICENSE_EXISTS');
        expect((await store().getLicense(row.id))?.docHash).to.equal(row.docHash);
      });

      it('refuses what is not a date or an instant, and a list limit out of range', async () => {
        expect((await refusal(store().insertLicense(licenseRow({ validFrom: '2023-02-29' })))).code).to.equal('INVALID_ARGUMENT');
        expect((await refusal(store().insertLicense(licenseRow({ createdAt: 'infinity' })))).code).to.equal('INVALID_ARGUMENT');
        expect((await refusal(store().listLicensesByState('pending', 0))).code).to.equal('INVALID_ARGUMENT');
        expect((await refusal(store().listVerifications({ limit: 1001 }))).code).to.equal('INVALID_ARGUMENT');
      });

      it('hands pending anchors to the recovery worker oldest first', async () => {
        // Created in 2001, before every other story's licenses, so they head the pending list.
        const rows = [2, 0, 1].map((second) => licenseRow({ createdAt: `2001-01-01T00:00:0${second}.000Z`, updatedAt: `2001-01-01T00:00:0${second}.000Z` }));
        for (const row of rows) await store().insertLicense(row);
        const pending = await store().listLicensesByState('pending', 2);
        expect(pending.map((row) => row.id)).to.deep.equal([defined(rows[1]).id, defined(rows[2]).id]);
        expect(pending[0]).to.deep.equal(rows[1]);
      });

      it("finds a holder's licenses at one agency by holderRef, and no one else's", async () => {
        const holderRef = sha256(uniqueId('holder'));
        const first = licenseRow({ holderRef });
        const second = licenseRow({ holderRef, supersedes: first.id });
        await store().insertLicense(first);
        await store().insertLicense(second);
        await store().insertLicense(licenseRow({ holderRef, agencyId: 'sc-amr' }));
        await store().insertLicense(licenseRow());
        expect((await store().listLicensesByHolderRef(holderRef, 'zj-amr')).map((row) => row.id)).to.deep.equal([first.id, second.id]);
      });

      it('anchors a pending license once: the same transaction again is a no-op, another is refused', async () => {
        const row = licenseRow();
        await store().insertLicense(row);
        const at = nextInstant();
        await store().markLicenseAnchored(row.id, 'tx-a', 41, at);
        await store().markLicenseAnchored(row.id, 'tx-a', 41, nextInstant());
        expect(await store().getLicense(row.id)).to.deep.equal({ ...row, state: 'anchored', txId: 'tx-a', blockNumber: 41, updatedAt: at });
        expect((await store().listLicensesByState('anchored', 1000)).map((license) => license.id)).to.include(row.id);

        const error = await refusal(store().markLicenseAnchored(row.id, 'tx-b', 42, nextInstant()));
        expect(error.code).to.equal('INVALID_TRANSITION');
        expect(error.details).to.deep.equal({ txId: 'tx-a' });
      });

      it('writes a batch of pending licenses in one go, all or nothing, and anchors them together', async () => {
        const rows = [licenseRow({ status: 'pending' }), licenseRow({ status: 'pending' }), licenseRow({ status: 'pending' })];
        await store().insertLicenses(rows);
        for (const row of rows) expect(await store().getLicense(row.id)).to.deep.equal(row);
        const clash = [licenseRow(), defined(rows[1])];
        expect((await refusal(store().insertLicenses(clash))).code).to.equal('LICENSE_EXISTS');
        expect(await store().getLicense(defined(clash[0]).id), 'a refused batch writes nothing').to.equal(null);

        const at = nextInstant();
        await store().markLicensesAnchored(
          rows.map((row) => row.id),
          'tx-batch',
          9,
          at,
        );
        await store().markLicensesAnchored([defined(rows[0]).id], 'tx-batch', 9, nextInstant());
        for (const row of rows)
          expect(await store().getLicense(row.id)).to.include({ state: 'anchored', status: 'active', txId: 'tx-batch', blockNumber: 9, updatedAt: at });
        expect((await refusal(store().markLicensesAnchored([defined(rows[0]).id], 'tx-other', 10, nextInstant()))).code).to.equal('INVALID_TRANSITION');
        const unknown = uniqueId('LIC');
        const fresh = licenseRow();
        await store().insertLicense(fresh);
        expect((await refusal(store().markLicensesAnchored([fresh.id, unknown], 'tx-x', 11, nextInstant()))).code).to.equal('LICENSE_NOT_FOUND');
        expect((await store().getLicense(fresh.id))?.state, 'a refused batch marks nothing').to.equal('pending');
      });

      it('records a ledger refusal, and recovers the license when its commit shows up after all', async () => {
        const row = licenseRow();
        await store().insertLicense(row);
        await store().markLicenseFailed(row.id, '[TYPE_NOT_ALLOWED] agency zj-amr may not issue food-business', nextInstant());
        const failed = await store().getLicense(row.id);
        expect(failed?.state).to.equal('failed');
        expect(failed?.error).to.equal('[TYPE_NOT_ALLOWED] agency zj-amr may not issue food-business');

        await store().markLicenseAnchored(row.id, 'tx-late', 7, nextInstant());
        const anchored = await store().getLicense(row.id);
        expect(anchored).to.include({ state: 'anchored', txId: 'tx-late', blockNumber: 7, error: null });
      });

      it('refuses to mark an anchored license failed: it is on the ledger', async () => {
        const row = licenseRow({ state: 'anchored', txId: 'tx-1', blockNumber: 1 });
        await store().insertLicense(row);
        expect((await refusal(store().markLicenseFailed(row.id, 'timeout', nextInstant()))).code).to.equal('INVALID_TRANSITION');
        expect((await store().getLicense(row.id))?.state).to.equal('anchored');
      });

      it('follows the ledger status of a license', async () => {
        const row = licenseRow({ state: 'anchored', txId: 'tx-1', blockNumber: 1 });
        await store().insertLicense(row);
        const at = nextInstant();
        await store().updateLicenseStatus(row.id, 'suspended', at);
        expect(await store().getLicense(row.id)).to.include({ status: 'suspended', updatedAt: at, createdAt: row.createdAt });
      });

      it('answers LICENSE_NOT_FOUND to every change of an unknown license', async () => {
        const id = uniqueId('LIC');
        const changes = [
          () => store().markLicenseAnchored(id, 'tx', 1, nextInstant()),
          () => store().markLicenseFailed(id, 'error', nextInstant()),
          () => store().updateLicenseStatus(id, 'revoked', nextInstant()),
        ];
        for (const change of changes) expect((await refusal(change())).code).to.equal('LICENSE_NOT_FOUND');
      });
    });

    describe('credentials', () => {
      it('returns the latest credential of a license, decrypted', async () => {
        const license = licenseRow();
        await store().insertLicense(license);
        expect(await store().latestCredential(license.id)).to.equal(null);
        const first = {
          id: uniqueId('jti'),
          licenseId: license.id,
          kid: 'kid-1',
          credential: `eyJhbGciOiJFUzI1NiJ9.first~${HOLDER_NAME}~`,
          issuedAt: nextInstant(),
        };
        const second = { ...first, id: uniqueId('jti'), credential: 'eyJhbGciOiJFUzI1NiJ9.second~', issuedAt: nextInstant() };
        await store().insertCredential(second);
        await store().insertCredential(first);
        expect(await store().latestCredential(license.id)).to.deep.equal(second);

        const sealed = await storedBytes(sql(), 'SELECT credential_enc AS value FROM credentials WHERE id = $1', first.id);
        expect(containsText(sealed, HOLDER_NAME)).to.equal(false);
      });

      it('writes a batch of credentials in one go, all or nothing', async () => {
        const licenses = [licenseRow(), licenseRow()];
        await store().insertLicenses(licenses);
        const rows = licenses.map((license) => ({
          id: uniqueId('jti'),
          licenseId: license.id,
          kid: 'kid-1',
          credential: `x.${license.id}.z~`,
          issuedAt: nextInstant(),
        }));
        await store().insertCredentials(rows);
        for (const row of rows) expect(await store().latestCredential(row.licenseId)).to.deep.equal(row);
        const orphan = { id: uniqueId('jti'), licenseId: uniqueId('LIC'), kid: 'kid-1', credential: 'x.y.z', issuedAt: nextInstant() };
        const good = { ...defined(rows[0]), id: uniqueId('jti'), issuedAt: nextInstant() };
        expect((await refusal(store().insertCredentials([good, orphan]))).code).to.equal('LICENSE_NOT_FOUND');
        expect(await store().latestCredential(defined(rows[0]).licenseId)).to.deep.equal(defined(rows[0]));
      });

      it('refuses a credential of an unknown license, and a jti used twice', async () => {
        const license = licenseRow();
        await store().insertLicense(license);
        const row = { id: uniqueId('jti'), licenseId: license.id, kid: 'kid-1', credential: 'x.y.z', issuedAt: nextInstant() };
        await store().insertCredential(row);
        expect((await refusal(store().insertCredential(row))).code).to.equal('ALREADY_EXISTS');
        expect((await refusal(store().insertCredential({ ...row, id: uniqueId('jti'), licenseId: uniqueId('LIC') }))).code).to.equal('LICENSE_NOT_FOUND');
      });
    });

    describe('verification log', () => {
      const entry = (licenseId: string, overrides: Partial<VerificationLogEntry> = {}): VerificationLogEntry => ({
        at: nextInstant(),
        verifierKind: 'counter',
        verifierId: 'sc-counter-3',
        province: '510000',
        licenseId,
        credentialRef: sha256(randomUUID()),
        verdict: 'valid',
        failedChecks: [],
        ...overrides,
      });
      const withoutId = ({ id: _id, ...rest }: VerificationLogEntry): VerificationLogEntry => rest;

      it("appends one verification and lists a license's verifications newest first", async () => {
        const licenseId = uniqueId('LIC');
        const older = entry(licenseId, { verdict: 'invalid', failedChecks: ['status', 'signature'] });
        const newer = entry(licenseId, { verifierKind: 'public', verifierId: 'public', province: null, credentialRef: null });
        await store().appendVerification(older);
        await store().appendVerification(newer);
        await store().appendVerification(entry(uniqueId('LIC')));

        const listed = await store().listVerifications({ licenseId, limit: 10 });
        expect(listed.map(withoutId)).to.deep.equal([newer, older]);
        expect(defined(listed[0]).id).to.be.greaterThan(listed[1]?.id ?? Infinity);
        expect(await store().listVerifications({ licenseId, limit: 1 })).to.have.length(1);
        expect((await store().listVerifications({ limit: 3 })).length).to.equal(3);
      });

      it('appends a batch at once, in order', async () => {
        const licenseId = uniqueId('LIC');
        const batch = Array.from({ length: 25 }, (_, index) => entry(licenseId, { failedChecks: [`check-${index}`] }));
        await store().appendVerifications(batch);
        await store().appendVerifications([]);
        const listed = await store().listVerifications({ licenseId, limit: 100 });
        expect(listed.map(withoutId)).to.deep.equal([...batch].reverse());
      });

      it('adds up rejected-verification counts per day and verifier', async () => {
        const verifierId = uniqueId('counter');
        await store().countRejectedVerifications([
          { day: '2031-03-04', verifierKind: 'counter', verifierId, count: 3 },
          { day: '2031-03-05', verifierKind: 'counter', verifierId, count: 1 },
        ]);
        await store().countRejectedVerifications([{ day: '2031-03-04', verifierKind: 'counter', verifierId, count: 4 }]);
        await store().countRejectedVerifications([]);
        const mine = (await store().listRejectedVerificationCounts(1000)).filter((count) => count.verifierId === verifierId);
        expect(mine).to.deep.equal([
          { day: '2031-03-05', verifierKind: 'counter', verifierId, count: 1 },
          { day: '2031-03-04', verifierKind: 'counter', verifierId, count: 7 },
        ]);
      });

      it('prunes log rows and daily counts from before the retention limit, and keeps the rest', async () => {
        const licenseId = uniqueId('LIC');
        const verifierId = uniqueId('counter');
        const old = entry(licenseId, { at: '2001-01-01T00:00:00.000Z' });
        const recent = entry(licenseId);
        await store().appendVerifications([old, recent]);
        await store().countRejectedVerifications([
          { day: '2001-01-01', verifierKind: 'counter', verifierId, count: 2 },
          { day: '2031-01-01', verifierKind: 'counter', verifierId, count: 5 },
        ]);
        expect(await store().pruneVerifications('2001-06-01T00:00:00.000Z')).to.be.at.least(1);
        expect((await store().listVerifications({ licenseId, limit: 10 })).map(withoutId)).to.deep.equal([recent]);
        const counts = (await store().listRejectedVerificationCounts(1000)).filter((count) => count.verifierId === verifierId);
        expect(counts.map((count) => count.day)).to.deep.equal(['2031-01-01']);
      });

      it('writes nothing of a batch when one entry is refused', async () => {
        const licenseId = uniqueId('LIC');
        const bad = { ...entry(licenseId), verdict: 'maybe' } as unknown as VerificationLogEntry;
        const error = await refusal(store().appendVerifications([entry(licenseId), bad, entry(licenseId)]));
        expect(error.code).to.equal('INVALID_ARGUMENT');
        expect(await store().listVerifications({ licenseId, limit: 10 })).to.deep.equal([]);
      });
    });

    describe('idempotency keys', () => {
      const claim = (principal: string, key: string, requestHash = sha256('request')) => ({
        principal,
        key,
        requestHash,
        licenseId: null,
        createdAt: nextInstant(),
      });

      it('claims a key once; a retry finds it pending, then replays the stored response', async () => {
        const principal = uniqueId('agency');
        const key = uniqueId('idem');
        const first = claim(principal, key);
        expect(await store().claimIdempotencyKey(first)).to.equal(null);

        const pending: IdempotencyRow | null = await store().claimIdempotencyKey(claim(principal, key, sha256('other request')));
        expect(pending).to.deep.equal({ ...first, state: 'pending', responseStatus: null, responseBody: null });

        const licenseId = uniqueId('LIC');
        await store().attachIdempotencyLicense(principal, key, licenseId);
        const body = { id: licenseId, holder: { name: HOLDER_NAME }, credential: 'a.b.c' };
        await store().completeIdempotencyKey(principal, key, 201, body);
        expect(await store().claimIdempotencyKey(claim(principal, key))).to.deep.equal({
          ...first,
          licenseId,
          state: 'done',
          responseStatus: 201,
          responseBody: body,
        });

        // The same key under another principal is another key.
        expect(await store().claimIdempotencyKey(claim(uniqueId('agency'), key))).to.equal(null);
      });

      it('lets exactly one of several concurrent claims on one key win', async () => {
        const principal = uniqueId('agency');
        const key = uniqueId('idem');
        const claims = Array.from({ length: 8 }, (_, index) => claim(principal, key, sha256(`request-${index}`)));
        const results = await Promise.all(claims.map((row) => store().claimIdempotencyKey(row)));

        const winners = results.flatMap((result, index) => (result === null ? [index] : []));
        expect(winners).to.have.length(1);
        const seen = new Set(results.flatMap((result) => (result === null ? [] : [result.requestHash])));
        expect([...seen]).to.deep.equal([defined(claims[defined(winners[0])]).requestHash]);
      });

      it('keeps a stored response only as ciphertext', async () => {
        const principal = uniqueId('agency');
        const key = uniqueId('idem');
        await store().claimIdempotencyKey(claim(principal, key));
        await store().completeIdempotencyKey(principal, key, 201, { holder: { name: HOLDER_NAME, idNumber: HOLDER_ID_NUMBER } });
        const rows = await sql().query('SELECT response_body_enc AS value FROM idempotency_keys WHERE principal = $1 AND key = $2', [principal, key]);
        const sealed = Buffer.from(defined(rows[0]).value as Uint8Array);
        expect(containsText(sealed, HOLDER_NAME) || containsText(sealed, HOLDER_ID_NUMBER)).to.equal(false);
      });

      it('answers NOT_FOUND for a key never claimed', async () => {
        const key = uniqueId('idem');
        expect((await refusal(store().completeIdempotencyKey('nobody', key, 200, {}))).code).to.equal('NOT_FOUND');
        expect((await refusal(store().attachIdempotencyLicense('nobody', key, 'LIC'))).code).to.equal('NOT_FOUND');
      });
    });

    describe('meta', () => {
      it('keeps a setting and overwrites it', async () => {
        const key = uniqueId('checkpoint');
        expect(await store().getMeta(key)).to.equal(null);
        await store().setMeta(key, '12');
        await store().setMeta(key, '13');
        expect(await store().getMeta(key)).to.equal('13');
      });
    });

    describe('encryption at rest', () => {
      it('stores a license record as versioned ciphertext holding neither name nor ID number', async () => {
        const row = licenseRow();
        await store().insertLicense(row);
        const record = await storedBytes(sql(), 'SELECT record_enc AS value FROM licenses WHERE id = $1', row.id);
        const salt = await storedBytes(sql(), 'SELECT salt_enc AS value FROM licenses WHERE id = $1', row.id);
        expect(record[0]).to.equal(1);
        // version + 96-bit IV + ciphertext as long as the JSON + 128-bit tag
        expect(record.length).to.equal(1 + 12 + Buffer.byteLength(JSON.stringify(row.record)) + 16);
        expect(containsText(record, HOLDER_NAME) || containsText(record, HOLDER_ID_NUMBER)).to.equal(false);
        expect(containsText(salt, row.salt)).to.equal(false);
        expect((await store().getLicense(row.id))?.record).to.deep.equal(row.record);
      });

      it('refuses to read a record whose ciphertext was altered', async () => {
        const row = licenseRow();
        await store().insertLicense(row);
        await sql().query('UPDATE licenses SET record_enc = set_byte(record_enc, 20, get_byte(record_enc, 20) # 1) WHERE id = $1', [row.id]);
        const error = await refusal(store().getLicense(row.id));
        expect(error.code).to.equal('INTERNAL');
        expect(error.message).to.match(/licenses\.record_enc .* failed authentication/);
        expect(error.details).to.deep.equal({ table: 'licenses', column: 'record_enc', row: [row.id] });
      });

      it("refuses a ciphertext moved into another license's row", async () => {
        const [source, target] = [licenseRow(), licenseRow()];
        await store().insertLicense(source);
        await store().insertLicense(target);
        await sql().query('UPDATE licenses SET record_enc = (SELECT record_enc FROM licenses WHERE id = $1) WHERE id = $2', [source.id, target.id]);
        const error = await refusal(store().getLicense(target.id));
        expect(error.code).to.equal('INTERNAL');
        expect(error.message).to.include('failed authentication');
        expect(await store().getLicense(source.id)).to.deep.equal(source);
      });

      it('refuses a ciphertext moved into another column of the same row', async () => {
        const row = licenseRow();
        await store().insertLicense(row);
        await sql().query('UPDATE licenses SET salt_enc = record_enc WHERE id = $1', [row.id]);
        expect((await refusal(store().getLicense(row.id))).details).to.include({ column: 'salt_enc' });
      });

      it('cannot be read under another key', async () => {
        const row = licenseRow();
        await store().insertLicense(row);
        // Shares the client and is never closed: closing it would close the suite's database.
        const stranger = createPostgresStore(sql(), { encryptionKey: randomBytes(32) });
        expect((await refusal(stranger.getLicense(row.id))).message).to.include('failed authentication');
      });

      it('refuses an encryption key that is not 32 bytes', () => {
        expect(() => createPostgresStore(sql(), { encryptionKey: randomBytes(16) }))
          .to.throw(RegistryError)
          .with.property('code', 'INVALID_ARGUMENT');
      });
    });

    describe('presentations: requests, one-time values, receipts, ratings', () => {
      const requestRow = (id: string) => ({
        id,
        counterId: uniqueId('counter'),
        province: '510000',
        service: 'identity-check',
        licenseType: 'id-card',
        claims: ['name'],
        acceptsUnbound: true,
        nonce: randomBytes(16).toString('base64url'),
        state: randomBytes(16).toString('base64url'),
        clientId: 'decentralized_identifier:did:jwk:e30',
        responseUri: `http://127.0.0.1/api/v1/presentation-requests/${id}/response`,
        status: 'pending' as const,
        verdict: null,
        createdAt: nextInstant(),
        expiresAt: nextInstant(),
        presentedAt: null,
        failedAttempts: 0,
        lastFailedAttempt: null,
      });

      it('counts refused attempts on a pending request up to the limit, concurrent ones too, leaving it open; counts open requests per counter', async () => {
        const row = requestRow(uniqueId('req'));
        const later = { ...requestRow(uniqueId('req')), counterId: row.counterId, expiresAt: '2999-01-01T00:00:00.000Z' };
        await store().insertPresentationRequest({ ...row, expiresAt: '2999-01-01T00:00:00.000Z' });
        await store().insertPresentationRequest(later);
        expect(await store().countOpenPresentationRequests(row.counterId, nextInstant())).to.equal(2);
        const attempt = { reason: 'holder-binding', checks: [{ name: 'holder-binding', ok: false, detail: HOLDER_NAME }] };
        const outcomes = await Promise.all(Array.from({ length: 4 }, () => store().recordFailedAttempt(row.id, attempt, 3)));
        const counted = outcomes.map((outcome) => (typeof outcome === 'string' ? outcome : outcome.failedAttempts));
        expect(counted.map(String).sort()).to.deep.equal(['1', '2', '3', 'at-limit']);
        const open = defined(await store().getPresentationRequest(row.id));
        expect(open).to.deep.include({ status: 'pending', failedAttempts: 3, verdict: null });
        expect(open.lastFailedAttempt).to.deep.equal(attempt);
        const raw = await sql().query('SELECT last_attempt_enc FROM presentation_requests WHERE id = $1', [row.id]);
        expect(containsText(Buffer.from(raw[0]?.last_attempt_enc as Uint8Array), HOLDER_NAME)).to.equal(false);
        // At the limit the holder's own answer is still taken; after it, nothing more is counted.
        expect(await store().completePresentationRequest(row.id, { valid: true }, nextInstant())).to.equal(true);
        expect(await store().recordFailedAttempt(row.id, attempt, 3)).to.equal('not-pending');
        expect(await store().countOpenPresentationRequests(row.counterId, nextInstant())).to.equal(1);
        expect(await store().countOpenPresentationRequests(row.counterId, '2999-01-01T00:00:00.000Z')).to.equal(0);
      });

      it('answers a presentation request once, its verdict sealed at rest', async () => {
        const id = uniqueId('req');
        await store().insertPresentationRequest(requestRow(id));
        const verdict = { valid: true, license: { claims: { name: HOLDER_NAME } } };
        const at = nextInstant();
        const outcomes = await Promise.all([
          store().completePresentationRequest(id, verdict, at),
          store().completePresentationRequest(id, { valid: false }, at),
        ]);
        expect(outcomes.filter(Boolean)).to.have.length(1);
        const row = defined(await store().getPresentationRequest(id));
        expect(row.status).to.equal('presented');
        expect(row.presentedAt).to.equal(at);
        const raw = await sql().query('SELECT verdict_enc FROM presentation_requests WHERE id = $1', [id]);
        expect(containsText(Buffer.from(raw[0]?.verdict_enc as Uint8Array), HOLDER_NAME)).to.equal(false);
      });

      it('remembers a one-time value once, for concurrent callers too, and again after it expires', async () => {
        const ref = uniqueId('kb');
        const now = '2025-03-01T02:00:00.000Z';
        const until = '2025-03-01T02:15:00.000Z';
        const firsts = await Promise.all(Array.from({ length: 8 }, () => store().rememberOnce(ref, until, now)));
        expect(firsts.filter(Boolean)).to.have.length(1);
        expect(await store().rememberOnce(ref, until, '2025-03-01T02:14:59.000Z')).to.equal(false);
        expect(await store().rememberOnce(ref, '2025-03-01T02:30:00.000Z', until)).to.equal(true);
        expect(await store().forgetExpired('2025-03-01T03:00:00.000Z')).to.be.at.least(1);
      });

      it('chains receipts per node, one writer at a time, and rates each once', async () => {
        const node = `330000-${RUN}`;
        const draft = {
          holder: sha256('holder-key'),
          at: nextInstant(),
          counterId: 'sc-chengdu-counter',
          province: '510000',
          service: null,
          licenseType: 'id-card',
          claims: ['name'],
          verdict: 'valid' as const,
        };
        const link = (row: { seq: number; prevHash: string }) => sha256(`${row.seq}:${row.prevHash}`);
        const rows = await Promise.all(Array.from({ length: 5 }, () => store().appendReceipt(node, draft, link)));
        expect(rows.map((row) => row.seq).sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4, 5]);
        const chain = await store().listReceiptChain(node, 0, 10);
        expect(chain.map((row) => row.seq)).to.deep.equal([1, 2, 3, 4, 5]);
        chain.forEach((row, index) => {
          expect(row.prevHash).to.equal(index === 0 ? '0'.repeat(64) : chain[index - 1]?.hash);
          expect(row.hash).to.equal(link(row));
        });
        expect((await store().listReceiptsByHolder(draft.holder, 100)).length).to.be.at.least(5);
        const counterId = uniqueId('counter');
        const rating = { node, seq: 1, holder: draft.holder, counterId, service: null, score: 4, comment: HOLDER_NAME, at: nextInstant() };
        await store().insertRating(rating);
        expect((await refusal(store().insertRating(rating))).code).to.equal('ALREADY_EXISTS');
        expect(await store().countRatings(counterId)).to.deep.equal([{ service: null, score: 4, count: 1 }]);
      });
    });

    describe('lifecycle', () => {
      it('migrates again as a no-op', async () => {
        const before = await sql().query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
        await store().migrate();
        await store().migrate();
        expect(await sql().query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')).to.deep.equal(before);
        expect(before.map((row) => row.version)).to.deep.equal(MIGRATIONS.map((migration) => migration.version));
      });

      it('answers a ping', async () => {
        await store().ping();
      });
    });
  });
}
