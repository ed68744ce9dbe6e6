/**
 * WalletStorage on IndexedDB, for the wallet page. The holder's CryptoKey objects are stored as
 * they are: IndexedDB's structured clone keeps a non-extractable key non-extractable, so the
 * private key never exists as bytes the page could read or send.
 */
import type { HolderKey } from './holder-key';
import type { PresentationLogEntry, StoredCredential, WalletStorage } from './storage';

// The slice of IndexedDB this file uses, declared here so the wallet module compiles without the
// DOM library (it is built with the server and the tests too); a browser's IndexedDB fits it.
interface IdbRequest<T> {
  result: T;
  error: Error | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbObjectStore {
  get(key: string): IdbRequest<unknown>;
  getAll(): IdbRequest<unknown[]>;
  put(value: unknown): IdbRequest<unknown>;
  add(value: unknown): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
}
interface IdbDatabase {
  objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string, options: { keyPath: string }): unknown;
  transaction(name: string, mode: 'readonly' | 'readwrite'): { objectStore(name: string): IdbObjectStore };
  close(): void;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}
export interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest;
}

const VERSION = 1;
const KEYS = 'keys';
const CREDENTIALS = 'credentials';
const PRESENTATIONS = 'presentations';

function promised<T>(request: IdbRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB request failed'));
    };
  });
}

function browserIndexedDb(): IdbFactory {
  const factory = (globalThis as { indexedDB?: IdbFactory }).indexedDB;
  if (!factory) throw new Error('IndexedDB is not available here');
  return factory;
}

export class IndexedDbWalletStorage implements WalletStorage {
  readonly #db: IdbDatabase;

  private constructor(db: IdbDatabase) {
    this.#db = db;
  }

  static async open(name = 'elicense-wallet', factory: IdbFactory = browserIndexedDb()): Promise<IndexedDbWalletStorage> {
    const request = factory.open(name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const store of [KEYS, CREDENTIALS, PRESENTATIONS]) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store, { keyPath: 'id' });
    };
    return new IndexedDbWalletStorage(await promised(request));
  }

  close(): void {
    this.#db.close();
  }

  #store(name: string, mode: 'readonly' | 'readwrite'): IdbObjectStore {
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
