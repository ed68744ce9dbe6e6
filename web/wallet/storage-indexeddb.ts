/**
 * WalletStorage on IndexedDB, for the wallet page. The holder's CryptoKey objects are stored as
 * they are: IndexedDB's structured clone keeps a non-extractable key non-extractable, so the
 * private key never exists as bytes the page could read or send.
 */
import type { HolderKey } from './holder-key';
import type { PresentationLogEntry, StoredCredential, WalletStorage } from './storage';

const VERSION = 1;
const KEYS = 'keys';
const CREDENTIALS = 'credentials';
const PRESENTATIONS = 'presentations';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

export class IndexedDbWalletStorage implements WalletStorage {
  readonly #db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  static open(name = 'elicense-wallet', factory: IDBFactory = indexedDB): Promise<IndexedDbWalletStorage> {
    const request = factory.open(name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(CREDENTIALS)) db.createObjectStore(CREDENTIALS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(PRESENTATIONS)) db.createObjectStore(PRESENTATIONS, { keyPath: 'id' });
    };
    return promised(request).then((db) => new IndexedDbWalletStorage(db));
  }

  close(): void {
    this.#db.close();
  }

  #store(name: string, mode: IDBTransactionMode): IDBObjectStore {
    return this.#db.transaction(name, mode).objectStore(name);
  }

  async getKey(id: string): Promise<HolderKey | null> {
    return ((await promised(this.#store(KEYS, 'readonly').get(id))) as HolderKey | undefined) ?? null;
  }

  async putKey(key: HolderKey): Promise<void> {
    await promised(this.#store(KEYS, 'readwrite').put(key));
  }

  async deleteKey(id: string): Promise<void> {
    await promised(this.#store(KEYS, 'readwrite').delete(id));
  }

  async getCredential(id: string): Promise<StoredCredential | null> {
    return ((await promised(this.#store(CREDENTIALS, 'readonly').get(id))) as StoredCredential | undefined) ?? null;
  }

  async listCredentials(): Promise<StoredCredential[]> {
    const all = (await promised(this.#store(CREDENTIALS, 'readonly').getAll())) as StoredCredential[];
    return all.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async putCredential(credential: StoredCredential): Promise<void> {
    await promised(this.#store(CREDENTIALS, 'readwrite').put(credential));
  }

  async deleteCredential(id: string): Promise<void> {
    await promised(this.#store(CREDENTIALS, 'readwrite').delete(id));
  }

  async appendPresentation(entry: PresentationLogEntry): Promise<void> {
    await promised(this.#store(PRESENTATIONS, 'readwrite').add(entry));
  }

  async listPresentations(): Promise<PresentationLogEntry[]> {
    const all = (await promised(this.#store(PRESENTATIONS, 'readonly').getAll())) as PresentationLogEntry[];
    return all.sort((a, b) => a.at.localeCompare(b.at));
  }
}
