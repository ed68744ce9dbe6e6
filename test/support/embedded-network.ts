/**
 * The ledger fixture on the embedded ledger: two provinces, each with its local CA, enrolling the
 * suite's identities into a wallet in `dir`, then provisioned through ledger transactions exactly
 * as a deployment sets itself up.
 */
import { join } from 'node:path';
import { EmbeddedLedger } from '../../server/src/adapters/embedded-ledger/embedded-ledger';
import type { CaMaterial } from '../../server/src/adapters/identity/local-ca';
import { ensureLocalCa, enrollLocal } from '../../server/src/adapters/identity/local-org';
import { IdentityWallet } from '../../server/src/adapters/identity/wallet';
import { SC, ZJ, provisionProvinces, type LedgerFixture, type TestIdentities } from './ledger-fixture';

export { SC, ZJ, anchorFor, publicJwk, sha256 } from './ledger-fixture';

export interface TestNetwork extends LedgerFixture {
  dir: string;
  ledgerDir: string;
  wallet: IdentityWallet;
  ledger: EmbeddedLedger;
  cas: { zj: CaMaterial; sc: CaMaterial };
  reopen(): Promise<EmbeddedLedger>;
}

export async function createTestNetwork(dir: string, options: { checkpointEveryTxs?: number } = {}): Promise<TestNetwork> {
  const wallet = await IdentityWallet.open(join(dir, 'wallet'));
  const caRoot = join(dir, 'ca');
  const zj = ensureLocalCa(caRoot, ZJ.mspId, ZJ.name);
  const sc = ensureLocalCa(caRoot, SC.mspId, SC.name);
  const enrollAs = (ca: CaMaterial, mspId: string, enrollmentId: string, attributes: Record<string, string>) =>
    enrollLocal(wallet, ca, { enrollmentId, mspId, attributes });
  const ids: TestIdentities = {
    zjAdmin: await enrollAs(zj, ZJ.mspId, 'admin', { role: 'admin' }),
    scAdmin: await enrollAs(sc, SC.mspId, 'admin', { role: 'admin' }),
    zjPsb: await enrollAs(zj, ZJ.mspId, 'zj-psb-issuer', { role: 'issuer', agency: 'zj-psb' }),
    zjAmr: await enrollAs(zj, ZJ.mspId, 'zj-amr-issuer', { role: 'issuer', agency: 'zj-amr' }),
    scNr: await enrollAs(sc, SC.mspId, 'sc-nr-issuer', { role: 'issuer', agency: 'sc-nr' }),
    zjClerk: await enrollAs(zj, ZJ.mspId, 'clerk', {}),
    scPretendsZjPsb: await enrollAs(sc, SC.mspId, 'pretender', { role: 'issuer', agency: 'zj-psb' }),
  };
  const ledgerDir = join(dir, 'ledger');
  const open = () =>
    EmbeddedLedger.open({
      dir: ledgerDir,
      wallet,
      checkpointEveryTxs: options.checkpointEveryTxs,
      genesis: {
        channel: 'elicense',
        organizations: [
          { mspId: ZJ.mspId, rootCertificates: [zj.certificate] },
          { mspId: SC.mspId, rootCertificates: [sc.certificate] },
        ],
      },
    });
  const ledger = await open();
  await provisionProvinces(ledger, ids);
  return {
    dir,
    ledgerDir,
    wallet,
    ledger,
    ids,
    cas: { zj, sc },
    reopen: open,
    putIdentity: (label, identity) => wallet.put(label, identity),
    height: () => Promise.resolve(ledger.height + 1),
    close: () => ledger.close(),
  };
}
