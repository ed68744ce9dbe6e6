/**
 * Environments for Fabric processes and CLIs. Each one is built from scratch on top of the user's
 * basic environment: a stray CORE_* or ORDERER_* in the shell would otherwise silently
 * reconfigure a peer or an orderer.
 */
import { join } from 'node:path';
import type { NetworkPlan, OrgPlan, ProvincePlan } from './plan';

const FABRIC_PREFIXES = ['CORE_', 'ORDERER_', 'FABRIC_', 'CONFIGTX_', 'OSNADMIN_'];

export function fabricEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !FABRIC_PREFIXES.some((prefix) => key.startsWith(prefix))));
  return { ...base, FABRIC_LOGGING_SPEC: process.env.FABRIC_LOGGING_SPEC ?? 'INFO', ...extra };
}

/** Where the patched copy of the user's core.yaml lives (see patchCoreYaml). */
export function peerConfigDir(plan: NetworkPlan): string {
  return join(plan.runDir, 'config');
}

export interface NodeCrypto {
  msp: string;
  tlsCert: string;
  tlsKey: string;
  tlsCa: string;
}

export function nodeCrypto(org: OrgPlan, node: string): NodeCrypto {
  const dir = join(org.cryptoDir, 'nodes', node);
  return { msp: join(dir, 'msp'), tlsCert: join(dir, 'tls', 'server.crt'), tlsKey: join(dir, 'tls', 'server.key'), tlsCa: join(dir, 'tls', 'ca.crt') };
}

/** The org's Fabric admin (OU=admin): runs the peer CLI and osnadmin. Not an application identity. */
export function orgAdminCrypto(org: OrgPlan): NodeCrypto {
  return nodeCrypto(org, 'orgadmin');
}

/** The channel MSP of an org: its CA certificate and NodeOU rules, no keys. */
export function orgMsp(org: OrgPlan): string {
  return join(org.cryptoDir, 'msp');
}

export function caCertPath(org: OrgPlan): string {
  return join(org.caHome, 'ca-cert.pem');
}

/** The peer CLI acting as a province's org admin against its own peer. */
export function peerCliEnv(plan: NetworkPlan, province: ProvincePlan): NodeJS.ProcessEnv {
  const admin = orgAdminCrypto(province.org);
  return fabricEnv({
    FABRIC_CFG_PATH: peerConfigDir(plan),
    FABRIC_LOGGING_SPEC: 'WARNING',
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_LOCALMSPID: province.mspId,
    CORE_PEER_MSPCONFIGPATH: admin.msp,
    CORE_PEER_ADDRESS: `127.0.0.1:${province.peer.port}`,
    CORE_PEER_TLS_ROOTCERT_FILE: caCertPath(province.org),
  });
}

export function ordererTlsCa(plan: NetworkPlan): string {
  return caCertPath(plan.ordererOrg);
}
