/**
 * The embedded ledger as a whole node: each province's local CA (under <DATA_DIR>/ca), its admin,
 * reader and issuer identities in the wallet, and the ledger whose genesis config names those
 * CAs as the channel's members — what `network:up` and Fabric CA do for the Fabric mode.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { RegistryError } from '../../../../core/errors';
import type { ProvinceNode } from '../../ports/province-node';
import type { CaMaterial } from '../identity/local-ca';
import { enrollLocal, ensureLocalCa, identityLabel } from '../identity/local-org';
import type { IdentityWallet } from '../identity/wallet';
import { EmbeddedLedger } from './embedded-ledger';

export interface ProvinceSpec {
  code: string;
  name: string;
  mspId: string;
}

export interface EmbeddedNode {
  ledger: EmbeddedLedger;
  nodes: ProvinceNode[];
  issuerIdentity(node: ProvinceNode, agencyId: string): Promise<string>;
}

/** The wallet's identity `label` if it was issued by `ca`; otherwise a fresh enrollment. */
async function ensureIdentity(
  wallet: IdentityWallet,
  ca: CaMaterial,
  mspId: string,
  enrollmentId: string,
  attributes: Record<string, string>,
): Promise<string> {
  const label = identityLabel(enrollmentId, mspId);
  const existing = await wallet.get(label);
  if (existing?.mspId === mspId) {
    const cert = new X509Certificate(existing.certificate);
    const root = new X509Certificate(ca.certificate);
    const stillValid = Date.parse(cert.validTo) > Date.now() + 24 * 3600 * 1000;
    if (cert.checkIssued(root) && cert.verify(root.publicKey) && stillValid) return label;
  }
  return enrollLocal(wallet, ca, { enrollmentId, mspId, attributes, type: attributes.role === 'admin' ? 'admin' : 'client' });
}

export async function openEmbeddedNode(options: {
  dataDir: string;
  ledgerDir: string;
  wallet: IdentityWallet;
  provinces: readonly ProvinceSpec[];
}): Promise<EmbeddedNode> {
  const caRoot = join(options.dataDir, 'ca');
  const cas = new Map<string, CaMaterial>();
  const nodes: ProvinceNode[] = [];
  for (const province of options.provinces) {
    const ca = ensureLocalCa(caRoot, province.mspId, province.name);
    cas.set(province.mspId, ca);
    nodes.push({
      ...province,
      adminIdentity: await ensureIdentity(options.wallet, ca, province.mspId, 'admin', { role: 'admin' }),
      readerIdentity: await ensureIdentity(options.wallet, ca, province.mspId, 'verifier', {}),
      bundleSignerIdentity: await ensureIdentity(options.wallet, ca, province.mspId, 'bundle-signer', { role: 'bundle-signer' }),
    });
  }
  const ledger = await EmbeddedLedger.open({
    dir: options.ledgerDir,
    wallet: options.wallet,
    genesis: {
      channel: 'elicense',
      organizations: options.provinces.map((province) => ({ mspId: province.mspId, rootCertificates: [(cas.get(province.mspId) as CaMaterial).certificate] })),
    },
  });
  for (const province of options.provinces) {
    const member = ledger.channelConfig.organizations.find((org) => org.mspId === province.mspId);
    if (!member) {
      await ledger.updateOrganization(province.mspId, [(cas.get(province.mspId) as CaMaterial).certificate]);
    } else if (!member.rootCertificates.includes((cas.get(province.mspId) as CaMaterial).certificate)) {
      await ledger.close();
      throw new RegistryError(
        'INTERNAL',
        `the CA in ${join(caRoot, province.mspId)} is not the one the ledger knows for ${province.mspId}; restore it or start from an empty DATA_DIR`,
      );
    }
  }
  return {
    ledger,
    nodes,
    issuerIdentity: (node, agencyId) =>
      ensureIdentity(options.wallet, cas.get(node.mspId) as CaMaterial, node.mspId, `${agencyId}-issuer`, { role: 'issuer', agency: agencyId }),
  };
}
