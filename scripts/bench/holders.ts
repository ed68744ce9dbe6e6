/**
 * Where the presentations' holder-bound credentials come from: the wallet module (web/wallet)
 * redeems each license's credential offer with its PIN (OpenID4VCI, pre-authorized code) from the
 * registry in the child process, exactly as a phone does; the holder key stays in the wallet's
 * storage, non-extractable.
 */
import { MemoryWalletStorage, Wallet } from '../../web/wallet';
import type { Holder, HolderSource } from './presentations';
import { issueIdCard, type Registry } from './registry';

export function walletHolders(registry: Registry): HolderSource {
  const storage = new MemoryWalletStorage();
  const wallet = new Wallet({ storage });
  return async (): Promise<Holder> => {
    const { offer } = await issueIdCard(registry);
    if (!offer) throw new Error('the issue response carries no credential offer');
    const stored = await wallet.redeemOffer(offer.uri, offer.txCode);
    const key = await storage.getKey(stored.keyId);
    if (!key) throw new Error('the wallet kept no key for its credential');
    return { wallet, credentialId: stored.id, credential: stored.credential, publicJwk: key.publicJwk };
  };
}
