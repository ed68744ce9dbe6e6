/**
 * Identities in fabric-network's file-system wallet format (`<label>.id`), so one wallet serves
 * the embedded ledger and a real Fabric gateway alike. Reads are cached: the ledger resolves an
 * identity on every call, and the wallet changes only when someone enrolls.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Wallets, type Wallet, type X509Identity } from 'fabric-network';

export interface WalletIdentity {
  label: string;
  mspId: string;
  certificate: string;
  privateKey: string;
}

export class IdentityWallet {
  private readonly cache = new Map<string, WalletIdentity>();

  private constructor(
    readonly directory: string,
    private readonly wallet: Wallet,
  ) {}

  static async open(directory: string): Promise<IdentityWallet> {
    // The wallet holds private keys: only its owner may read it.
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    chmodSync(directory, 0o700);
    return new IdentityWallet(directory, await Wallets.newFileSystemWallet(directory));
  }

  async get(label: string): Promise<WalletIdentity | undefined> {
    const cached = this.cache.get(label);
    if (cached) return cached;
    const identity = await this.wallet.get(label);
    if (identity?.type !== 'X.509') return undefined;
    const { credentials } = identity as X509Identity;
    const found = { label, mspId: identity.mspId, certificate: credentials.certificate, privateKey: credentials.privateKey };
    this.cache.set(label, found);
    return found;
  }

  async put(label: string, identity: Omit<WalletIdentity, 'label'>): Promise<void> {
    const x509: X509Identity = {
      type: 'X.509',
      mspId: identity.mspId,
      credentials: { certificate: identity.certificate, privateKey: identity.privateKey },
    };
    await this.wallet.put(label, x509);
    chmodSync(join(this.directory, `${label}.id`), 0o600);
    this.cache.set(label, { label, ...identity });
  }

  /** Deletes an identity; true when there was one. */
  async remove(label: string): Promise<boolean> {
    this.cache.delete(label);
    const existed = (await this.wallet.get(label)) !== undefined;
    if (existed) await this.wallet.remove(label);
    return existed;
  }

  async list(): Promise<string[]> {
    return this.wallet.list();
  }

  /** The fabric-network wallet itself, for a Gateway connection. */
  get fabricWallet(): Wallet {
    return this.wallet;
  }
}
