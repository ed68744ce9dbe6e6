/**
 * The network as configuration: network/network.json lists the provinces (one org, one peer, one
 * Fabric CA each) and the ordering service; this module validates it and derives every port and
 * path from it, so adding a province is one more entry in the file and no script changes.
 *
 * Port plan, relative to the port base (7000 by default, `--port-base` to move all of it):
 *   +0 / +1                      Fabric CA of the orderer org / its operations (health) port
 *   +10i+10 / +10i+11 / +10i+12  orderer i: gRPC (clients and Raft) / admin (osnadmin) / operations
 *   +offset+0 … +offset+5        a province: CA, CA operations, peer, peer chaincode listener,
 *                                peer operations, chaincode server (offset 100, 200, … by default)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isProvinceCode } from '../../core/admin-divisions';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const DEFAULT_CONFIG = join(REPO_ROOT, 'network', 'network.json');
export const DEFAULT_RUN_DIR = join(REPO_ROOT, 'network', '.run');
// The Fabric network's identities; the embedded ledger's local ones live beside them in wallet/embedded.
export const DEFAULT_WALLET_DIR = join(REPO_ROOT, 'wallet', 'fabric');
export const BUILDERS_DIR = join(REPO_ROOT, 'network', 'builders');
export const CHAINCODE_DIR = join(REPO_ROOT, 'chaincode');

const MAX_ORDERERS = 9;

const byteSize = z.string().regex(/^\d+ ?(KB|MB)$/, 'a size such as "512 KB" or "2 MB"');
const duration = z.string().regex(/^\d+(ms|s)$/, 'a duration such as "250ms" or "2s"');
const name = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'letters, digits and dashes, starting with a letter');
const mspId = z.string().regex(/^[A-Za-z][A-Za-z0-9.-]*$/, 'an MSP id such as ZhejiangMSP');

const agencySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string().min(1),
  licenseTypes: z.array(z.string().min(1)).min(1),
});

const provinceSchema = z.object({
  name,
  code: z.string().refine(isProvinceCode, 'a GB/T 2260 province-level code such as 330000'),
  mspId,
  portOffset: z.number().int().min(100).multipleOf(10).optional(),
  agencies: z.array(agencySchema).default([]),
});

const configSchema = z.object({
  channel: z.string().regex(/^[a-z][a-z0-9.-]*$/, 'a Fabric channel name (lower case)'),
  portBase: z.number().int().min(1024).max(65000),
  orderer: z.object({
    nodes: z.number().int().min(1).max(MAX_ORDERERS),
    batchTimeout: duration,
    maxMessageCount: z.number().int().min(1),
    preferredMaxBytes: byteSize,
    absoluteMaxBytes: byteSize,
  }),
  chaincode: z.object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/),
    version: z.string().min(1),
    sequence: z.number().int().min(1),
    endorsementPolicy: z.string().min(1),
    logLevel: z.enum(['debug', 'info', 'warning', 'error', 'critical']),
  }),
  provinces: z.array(provinceSchema).min(1),
});

export type NetworkConfig = z.infer<typeof configSchema>;
export type AgencyConfig = z.infer<typeof agencySchema>;

/** One Fabric CA and the org it enrolls for: a province, or the ordering service's own org. */
export interface OrgPlan {
  kind: 'peer' | 'orderer';
  mspId: string;
  /** Folder and host name part: zhejiang, sichuan, orderer. */
  slug: string;
  caName: string;
  caPort: number;
  caOpsPort: number;
  /** fabric-ca-server home: its keys, certificates and SQLite database. */
  caHome: string;
  /** MSP folders, node certificates and keys of the org. */
  cryptoDir: string;
}

export interface ProvincePlan {
  name: string;
  code: string;
  mspId: string;
  agencies: AgencyConfig[];
  org: OrgPlan;
  peer: { name: string; port: number; chaincodeListenPort: number; opsPort: number; dataDir: string };
  /** The CCaaS chaincode server this province's peer dials. */
  chaincodeServer: { name: string; port: number };
  connectionProfile: string;
}

export interface OrdererPlan {
  name: string;
  port: number;
  adminPort: number;
  opsPort: number;
  dataDir: string;
}

export interface NetworkPlan {
  configPath: string;
  runDir: string;
  walletDir: string;
  portBase: number;
  channel: string;
  chaincode: NetworkConfig['chaincode'];
  batch: Omit<NetworkConfig['orderer'], 'nodes'>;
  ordererOrg: OrgPlan;
  orderers: OrdererPlan[];
  provinces: ProvincePlan[];
}

export interface PlanOptions {
  configPath?: string;
  runDir?: string;
  walletDir?: string;
  portBase?: number;
  /** Overrides orderer.nodes, e.g. 3 for a Raft cluster that survives one node's loss. */
  orderers?: number;
}

export class NetworkConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkConfigError';
  }
}

export function readNetworkConfig(path: string): NetworkConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new NetworkConfigError(`cannot read network config ${path}: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new NetworkConfigError(`${path}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

export function planNetwork(options: PlanOptions = {}): NetworkPlan {
  const configPath = resolve(options.configPath ?? DEFAULT_CONFIG);
  const config = readNetworkConfig(configPath);
  const runDir = resolve(options.runDir ?? DEFAULT_RUN_DIR);
  const walletDir = resolve(options.walletDir ?? DEFAULT_WALLET_DIR);
  const base = options.portBase ?? config.portBase;
  const nodes = options.orderers ?? config.orderer.nodes;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_ORDERERS) throw new NetworkConfigError(`orderer nodes must be 1 to ${MAX_ORDERERS}, got ${nodes}`);

  const org = (kind: OrgPlan['kind'], slug: string, id: string, caPort: number): OrgPlan => ({
    kind,
    mspId: id,
    slug,
    caName: `ca-${slug}`,
    caPort,
    caOpsPort: caPort + 1,
    caHome: join(runDir, 'ca', slug),
    cryptoDir: join(runDir, 'crypto', slug),
  });

  const provinces = config.provinces.map((province, index): ProvincePlan => {
    const slug = province.name.toLowerCase();
    const at = base + (province.portOffset ?? 100 * (index + 1));
    return {
      name: province.name,
      code: province.code,
      mspId: province.mspId,
      agencies: province.agencies,
      org: org('peer', slug, province.mspId, at),
      peer: { name: `peer0.${slug}`, port: at + 2, chaincodeListenPort: at + 3, opsPort: at + 4, dataDir: join(runDir, 'peers', `peer0.${slug}`) },
      chaincodeServer: { name: `chaincode.${slug}`, port: at + 5 },
      connectionProfile: join(runDir, 'profiles', `connection-${slug}.json`),
    };
  });

  const plan: NetworkPlan = {
    configPath,
    runDir,
    walletDir,
    portBase: base,
    channel: config.channel,
    chaincode: config.chaincode,
    batch: {
      batchTimeout: config.orderer.batchTimeout,
      maxMessageCount: config.orderer.maxMessageCount,
      preferredMaxBytes: config.orderer.preferredMaxBytes,
      absoluteMaxBytes: config.orderer.absoluteMaxBytes,
    },
    ordererOrg: org('orderer', 'orderer', 'OrdererMSP', base),
    orderers: Array.from({ length: nodes }, (_, i) => ({
      name: `orderer${i}`,
      port: base + 10 * i + 10,
      adminPort: base + 10 * i + 11,
      opsPort: base + 10 * i + 12,
      dataDir: join(runDir, 'orderers', `orderer${i}`),
    })),
    provinces,
  };
  checkPlan(plan);
  return plan;
}

/** The province the CLI steps that any member may run go through (the first, so runs are repeatable). */
export function firstProvince(plan: NetworkPlan): ProvincePlan {
  const [first] = plan.provinces;
  if (first === undefined) throw new NetworkConfigError(`${plan.configPath}: the network has no province`);
  return first;
}

/** The orderer clients talk to (the first; Raft forwards to the leader). */
export function firstOrderer(plan: NetworkPlan): OrdererPlan {
  const [first] = plan.orderers;
  if (first === undefined) throw new NetworkConfigError(`${plan.configPath}: the network has no orderer`);
  return first;
}

function checkPlan(plan: NetworkPlan): void {
  const unique = (what: string, values: string[]) => {
    const seen = new Set<string>();
    for (const value of values) {
      if (seen.has(value)) throw new NetworkConfigError(`${plan.configPath}: two provinces share the ${what} ${value}`);
      seen.add(value);
    }
  };
  unique(
    'name',
    plan.provinces.map((p) => p.org.slug),
  );
  unique(
    'code',
    plan.provinces.map((p) => p.code),
  );
  unique('MSP id', [...plan.provinces.map((p) => p.mspId), plan.ordererOrg.mspId]);
  unique(
    'agency',
    plan.provinces.flatMap((p) => p.agencies.map((a) => a.id)),
  );
  const owners = new Map<number, string>();
  for (const { port, owner } of plannedPorts(plan)) {
    if (port > 65535) throw new NetworkConfigError(`port ${port} (${owner}) is above 65535: lower the port base`);
    const other = owners.get(port);
    if (other) throw new NetworkConfigError(`port ${port} is planned for both ${other} and ${owner}: check the provinces' portOffset`);
    owners.set(port, owner);
  }
}

/** Every port the network listens on, with the process that owns it. */
export function plannedPorts(plan: NetworkPlan): Array<{ port: number; owner: string }> {
  const ports: Array<{ port: number; owner: string }> = [];
  const orgPorts = (org: OrgPlan) => {
    ports.push({ port: org.caPort, owner: org.caName }, { port: org.caOpsPort, owner: `${org.caName} operations` });
  };
  orgPorts(plan.ordererOrg);
  for (const orderer of plan.orderers) {
    ports.push(
      { port: orderer.port, owner: orderer.name },
      { port: orderer.adminPort, owner: `${orderer.name} admin` },
      { port: orderer.opsPort, owner: `${orderer.name} operations` },
    );
  }
  for (const province of plan.provinces) {
    orgPorts(province.org);
    ports.push(
      { port: province.peer.port, owner: province.peer.name },
      { port: province.peer.chaincodeListenPort, owner: `${province.peer.name} chaincode listener` },
      { port: province.peer.opsPort, owner: `${province.peer.name} operations` },
      { port: province.chaincodeServer.port, owner: province.chaincodeServer.name },
    );
  }
  return ports;
}
