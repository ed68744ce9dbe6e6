/**
 * How a license gets into a citizen's wallet in the tests: the way it does for a citizen. The agency
 * issues over HTTP (anchored on the ledger), the response carries the credential offer and its PIN,
 * and the wallet module redeems the offer (OpenID4VCI pre-authorized code flow) with a key of its own.
 */
import { MemoryWalletStorage, Wallet, type StoredCredential, type WalletStorage } from '../../web/wallet/index';
import { expect } from 'chai';
import { ifStarted } from './defined';
import { startTestServer, type TestServer } from './registry-server';
import { idCardBody } from './requests';

export interface Offer {
  uri: string;
  txCode: string;
  expiresAt: string;
  qr: string;
}

export interface Issued {
  licenseId: string;
  /** The printed form, as POST /api/v1/licenses answers. */
  printed: string;
  /** The holder's name, to compare with what a counter is shown. */
  name: string;
  offer: Offer;
}

/** An ID card issued by `agencyKey`'s agency (zj-psb unless told) over HTTP, with its credential offer. */
export async function issueIdCard(server: TestServer, agencyKey: string, body: Record<string, unknown> = idCardBody()): Promise<Issued> {
  const response = await server.api('POST', '/api/v1/licenses', { key: agencyKey, body });
  if (response.status !== 201) throw new Error(`issue failed (${String(response.status)}): ${JSON.stringify(response.body)}`);
  const reply = response.body as { licenseId: string; credential: string; offer: Offer };
  return { licenseId: reply.licenseId, printed: reply.credential, name: (body.holder as { name: string }).name, offer: reply.offer };
}

export interface Citizen {
  wallet: Wallet;
  /** The phone's storage: another Wallet over it is the same phone (e.g. with its clock set wrong). */
  storage: WalletStorage;
  issued: Issued;
  /** The wallet's credential for the license. */
  held: StoredCredential;
}

/** A citizen's wallet (memory storage) holding a freshly issued ID card, redeemed with the PIN. */
export async function citizenWithIdCard(server: TestServer, agencyKey: string, storage: WalletStorage = new MemoryWalletStorage()): Promise<Citizen> {
  const wallet = new Wallet({ storage });
  const issued = await issueIdCard(server, agencyKey);
  const held = await wallet.redeemOffer(issued.offer.uri, issued.offer.txCode);
  return { wallet, storage, issued, held };
}

/** The registry of one describe block, started before its tests and removed after, and the Zhejiang PSB's key. */
export interface IssuingRegistry {
  readonly server: TestServer;
  readonly zjPsb: string;
  /** An ID card issued by the Zhejiang PSB, with its credential offer. */
  issue(): Promise<Issued>;
}

/**
 * Registers the hooks that start a registry for the calling describe block (the public rate limit
 * lifted: these tests make many public calls from one address) and remove it afterwards.
 */
export function issuingRegistry(): IssuingRegistry {
  let started: TestServer | undefined;
  before(async () => {
    started = await startTestServer({ PUBLIC_RATE_LIMIT: '100000' });
  });
  after(() => ifStarted(started, (server) => server.remove()));
  const server = () => started ?? expect.fail('the registry did not start');
  return {
    get server() {
      return server();
    },
    get zjPsb() {
      return server().agencyKey('zj-psb');
    },
    issue: () => issueIdCard(server(), server().agencyKey('zj-psb')),
  };
}
