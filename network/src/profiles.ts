/**
 * What network:up leaves behind for its users: one connection profile per province (its own peer
 * and CA; discovery finds the other provinces' peers and the orderers) and state.json, the index of
 * the running network that the tests, the bench and network:down read.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { caCertPath } from './fabric-env';
import { identityLabel } from '../../server/src/adapters/identity/local-org';
import type { AgencyConfig, NetworkPlan, ProvincePlan } from './plan';

export function connectionProfile(province: ProvincePlan): Record<string, unknown> {
  const tlsCa = readFileSync(caCertPath(province.org), 'utf8');
  return {
    name: `elicense-${province.org.slug}`,
    version: '1.0.0',
    client: {
      organization: province.mspId,
      connection: { timeout: { peer: { endorser: '30' } } },
    },
    organizations: {
      [province.mspId]: { mspid: province.mspId, peers: [province.peer.name], certificateAuthorities: [province.org.caName] },
    },
    // localhost rather than 127.0.0.1: the certificates name both, and TLS over an IP address as
    // server name draws a Node deprecation warning (RFC 6066); discovery with asLocalhost rewrites
    // the other peers' and the orderers' endpoints to localhost the same way.
    peers: {
      [province.peer.name]: {
        url: `grpcs://localhost:${province.peer.port}`,
        tlsCACerts: { pem: tlsCa },
      },
    },
    certificateAuthorities: {
      [province.org.caName]: {
        url: `https://localhost:${province.org.caPort}`,
        caName: province.org.caName,
        tlsCACerts: { pem: [tlsCa] },
        httpOptions: { verify: true },
      },
    },
  };
}

export function writeConnectionProfiles(plan: NetworkPlan): void {
  for (const province of plan.provinces) {
    mkdirSync(dirname(province.connectionProfile), { recursive: true });
    writeFileSync(province.connectionProfile, `${JSON.stringify(connectionProfile(province), null, 2)}\n`);
  }
}

export interface NetworkState {
  channel: string;
  chaincode: string;
  runDir: string;
  walletDir: string;
  portBase: number;
  orderers: string[];
  provinces: Array<{
    name: string;
    code: string;
    mspId: string;
    peer: string;
    ca: string;
    connectionProfile: string;
    /** The demo agencies network.json lists for the province (not registered on the ledger by network:up). */
    agencies: AgencyConfig[];
    /** Wallet labels: the province admin and each agency's issuer. */
    identities: { admin: string; reader: string; bundleSigner: string; issuers: Record<string, string> };
  }>;
  /** Every wallet label network:up enrolled, so `network:down --wipe` can take them out again. */
  walletLabels: string[];
}

export function statePath(runDir: string): string {
  return join(runDir, 'state.json');
}

export function readNetworkState(runDir: string): NetworkState | null {
  const path = statePath(runDir);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as NetworkState;
}

export function writeNetworkState(plan: NetworkPlan, walletLabels: string[]): NetworkState {
  const state: NetworkState = {
    channel: plan.channel,
    chaincode: plan.chaincode.name,
    runDir: plan.runDir,
    walletDir: plan.walletDir,
    portBase: plan.portBase,
    orderers: plan.orderers.map((node) => `127.0.0.1:${node.port}`),
    provinces: plan.provinces.map((province) => ({
      name: province.name,
      code: province.code,
      mspId: province.mspId,
      peer: `127.0.0.1:${province.peer.port}`,
      ca: `https://127.0.0.1:${province.org.caPort}`,
      connectionProfile: province.connectionProfile,
      agencies: province.agencies,
      identities: {
        admin: identityLabel('admin', province.mspId),
        reader: identityLabel('verifier', province.mspId),
        bundleSigner: identityLabel('bundle-signer', province.mspId),
        issuers: Object.fromEntries(province.agencies.map((agency) => [agency.id, identityLabel(`${agency.id}-issuer`, province.mspId)])),
      },
    })),
    walletLabels,
  };
  writeFileSync(statePath(plan.runDir), `${JSON.stringify(state, null, 2)}\n`);
  return state;
}
