/**
 * Two provinces on an embedded ledger, as the tests of the chaincode need them: Zhejiang (330000)
 * and Sichuan (510000), each with its local CA, an admin, and issuer identities for its agencies.
 * Everything goes through ledger transactions, exactly as a deployment would set itself up.
 */
import { generateKeyPairSync, createHash, type JsonWebKey } from 'node:crypto';
import { join } from 'node:path';
import { EmbeddedLedger } from '../../server/src/adapters/embedded-ledger/embedded-ledger';
import { ensureLocalCa, enrollLocal } from '../../server/src/adapters/identity/local-org';
import { IdentityWallet } from '../../server/src/adapters/identity/wallet';
import type { CaMaterial } from '../../server/src/adapters/identity/local-ca';
import type { AnchorInput } from '../../core/anchor';

export const ZJ = { mspId: 'ZhejiangMSP', province: '330000', name: 'Zhejiang' } as const;
export const SC = { mspId: 'SichuanMSP', province: '510000', name: 'Sichuan' } as const;

export interface TestIdentities {
  zjAdmin: string;
  scAdmin: string;
  /** Issuer of zj-psb (Zhejiang public security, id-card). */
  zjPsb: string;
  /** Issuer of zj-amr (Zhejiang market supervision, business-license). */
  zjAmr: string;
  /** Issuer of sc-nr (Sichuan natural resources, property-certificate). */
  scNr: string;
  /** A Zhejiang identity with no role attribute. */
  zjClerk: string;
  /** A Sichuan identity claiming to issue for the Zhejiang agency zj-psb. */
  scPretendsZjPsb: string;
}

export interface TestNetwork {
  dir: string;
  ledgerDir: string;
  wallet: IdentityWallet;
  ledger: EmbeddedLedger;
  ids: TestIdentities;
  cas: { zj: CaMaterial; sc: CaMaterial };
  reopen(): Promise<EmbeddedLedger>;
}

export function publicJwk(): JsonWebKey {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return publicKey.export({ format: 'jwk' });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let counter = 0;
/** A fresh, valid anchor for `agencyId`; override any field. */
export function anchorFor(agencyId: string, type: string, overrides: Partial<AnchorInput> = {}): AnchorInput {
  counter += 1;
  const tag = `${process.pid}-${Date.now()}-${counter}`;
  return {
    id: `L${sha256(tag).slice(0, 20).toUpperCase()}`,
    type,
    agencyId,
    docHash: sha256(`doc-${tag}`),
    holderRef: sha256(`holder-${tag}`),
    validFrom: '2024-01-01',
    validUntil: '2034-01-01',
    ...overrides,
  };
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
  await ledger.submit(ids.zjAdmin, 'trust:RegisterProvince', [ZJ.province]);
  await ledger.submit(ids.scAdmin, 'trust:RegisterProvince', [SC.province]);
  const agency = (id: string, name: string, province: string, licenseTypes: string[]) =>
    JSON.stringify({ id, name, province, licenseTypes, jwk: publicJwk() });
  await ledger.submit(ids.zjAdmin, 'trust:RegisterAgency', [agency('zj-psb', '浙江省公安厅', ZJ.province, ['id-card'])]);
  await ledger.submit(ids.zjAdmin, 'trust:RegisterAgency', [agency('zj-amr', '浙江省市场监督管理局', ZJ.province, ['business-license'])]);
  await ledger.submit(ids.scAdmin, 'trust:RegisterAgency', [agency('sc-nr', '四川省自然资源厅', SC.province, ['property-certificate'])]);
  return { dir, ledgerDir, wallet, ledger, ids, cas: { zj, sc }, reopen: open };
}
