/**
 * A registry server as one province's node of the Fabric network: it reads what `network:up`
 * wrote (state.json: the province's connection profile, its wallet labels, its demo agencies) and
 * connects through that province's own peer. The embedded counterpart is embedded-node.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RegistryError } from '../../../../core/errors';
import type { DemoAgency, ProvinceNode } from '../../ports/province-node';
import type { IdentityWallet } from '../identity/wallet';
import { openFabricLedger, type FabricLedger } from './fabric-ledger';

/** The parts of network/.run/state.json a server needs. */
interface NetworkStateFile {
  channel: string;
  chaincode: string;
  provinces: Array<{
    name: string;
    code: string;
    mspId: string;
    connectionProfile: string;
    agencies: Array<{ id: string; name: string; licenseTypes: string[] }>;
    identities: { admin: string; reader?: string; bundleSigner?: string; issuers: Record<string, string> };
  }>;
}

export interface FabricNode {
  ledger: FabricLedger;
  nodes: ProvinceNode[];
  agencies: DemoAgency[];
  issuerIdentity(node: ProvinceNode, agencyId: string): Promise<string>;
}

export async function openFabricNode(options: {
  statePath: string;
  province: string;
  wallet: IdentityWallet;
  commitScope: 'network' | 'organization';
}): Promise<FabricNode> {
  if (!existsSync(options.statePath)) {
    throw new RegistryError(
      'LEDGER_UNAVAILABLE',
      `no Fabric network state at ${options.statePath}: run npm run network:up, or point FABRIC_NETWORK at its state.json`,
    );
  }
  const state = JSON.parse(readFileSync(options.statePath, 'utf8')) as NetworkStateFile;
  const province = state.provinces.find((candidate) => candidate.code === options.province);
  if (!province) {
    throw new RegistryError(
      'LEDGER_UNAVAILABLE',
      `province ${options.province} is not in the Fabric network (${state.provinces.map((p) => p.code).join(', ')})`,
    );
  }
  const requireIdentity = async (label: string): Promise<string> => {
    if (!(await options.wallet.get(label))) {
      throw new RegistryError(
        'UNAUTHENTICATED',
        `identity ${label} is not in the wallet ${options.wallet.directory}; network:up enrolls it (or set WALLET_DIR)`,
      );
    }
    return label;
  };
  const node: ProvinceNode = {
    code: province.code,
    name: province.name,
    mspId: province.mspId,
    adminIdentity: await requireIdentity(province.identities.admin),
    readerIdentity: await requireIdentity(province.identities.reader ?? province.identities.admin),
    // A network brought up before bundle signers existed has none: offline bundles are then refused, nothing else.
    bundleSignerIdentity: province.identities.bundleSigner ? await requireIdentity(province.identities.bundleSigner) : null,
  };
  const ledger = await openFabricLedger({
    connectionProfile: province.connectionProfile,
    wallet: options.wallet,
    channel: state.channel,
    chaincode: state.chaincode,
    eventIdentity: node.readerIdentity,
    commitScope: options.commitScope,
  });
  return {
    ledger,
    nodes: [node],
    agencies: province.agencies.map((agency) => ({ ...agency, province: province.code })),
    issuerIdentity: async (_node, agencyId) => {
      const label = province.identities.issuers[agencyId];
      if (!label) throw new RegistryError('UNAUTHENTICATED', `the Fabric network enrolled no issuer for agency ${agencyId}`);
      return requireIdentity(label);
    },
  };
}
