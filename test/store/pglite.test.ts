import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteStore } from '../../server/src/adapters/store/open-store';
import { createPgliteClient } from '../../server/src/adapters/store/pglite-client';
import { createPostgresStore } from '../../server/src/adapters/store/postgres-store';
import type { Store } from '../../server/src/ports/store';
import { describeOfferStoreContract } from './offer-store-contract';
import { HOLDER_ID_NUMBER, HOLDER_NAME, describeStoreContract, licenseRow, refusal, type StoreUnderTest } from './store-contract';

/** Every file under a folder, recursively. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Which of the texts occur, as UTF-8 bytes, in some file under the folder. */
async function textsOnDisk(folder: string, texts: string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>(texts.map((text) => [text, []]));
  for (const file of await filesUnder(folder)) {
    const bytes = await readFile(file);
    for (const text of texts) if (bytes.includes(Buffer.from(text, 'utf8'))) found.get(text)?.push(file);
  }
  return found;
}

describe('Store on PGlite', function () {
  const encryptionKey = randomBytes(32);
  let root = '';
  let dataDir = '';
  let subject: StoreUnderTest | undefined;
  /** The store open now; the disk stories close and reopen it. */
  let current: Store | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'elicense-store-'));
    dataDir = join(root, 'store');
    const sql = await createPgliteClient(dataDir);
    const store = createPostgresStore(sql, { encryptionKey });
    await store.migrate();
    subject = { store, sql };
    current = store;
  });

  after(async () => {
    await current?.close();
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  describeStoreContract(() => {
    if (subject === undefined) throw new Error('the PGlite store did not open');
    return subject;
  });
  describeOfferStoreContract(() => {
    if (subject === undefined) throw new Error('the PGlite store did not open');
    return subject;
  });

  describe('on disk', () => {
    it("keeps a license across close and reopen, and no file of the folder holds the holder's name or ID number", async () => {
      const row = licenseRow();
      await current?.insertLicense(row);
      await current?.close();
      current = undefined;

      const found = await textsOnDisk(dataDir, [HOLDER_NAME, HOLDER_ID_NUMBER, row.id, row.holderRef]);
      // The control: the scan does see what the database wrote in the clear.
      expect(found.get(row.id) ?? []).to.not.deep.equal([]);
      expect(found.get(row.holderRef) ?? []).to.not.deep.equal([]);
      expect(found.get(HOLDER_NAME) ?? [], 'holder name on disk').to.deep.equal([]);
      expect(found.get(HOLDER_ID_NUMBER) ?? [], 'ID number on disk').to.deep.equal([]);

      current = await openPgliteStore({ dataDir, encryptionKey });
      expect(await current.getLicense(row.id)).to.deep.equal(row);
    });

    it('answers STORE_UNAVAILABLE once closed, and closing twice is harmless', async () => {
      const store = current ?? (await openPgliteStore({ dataDir, encryptionKey }));
      await store.close();
      await store.close();
      current = undefined;
      expect((await refusal(store.ping())).code).to.equal('STORE_UNAVAILABLE');
      expect((await refusal(store.getLicense('LIC-1'))).code).to.equal('STORE_UNAVAILABLE');
    });
  });
});
