/**
 * Orderers and peers as plain processes on 127.0.0.1, configured through ORDERER_* / CORE_*
 * variables over the user's own orderer.yaml and a patched copy of the user's core.yaml.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FabricInstall } from './binaries';
import { genesisBlock } from './channel';
import { caCertPath, fabricEnv, nodeCrypto, orgAdminCrypto, ordererTlsCa, peerCliEnv, peerConfigDir } from './fabric-env';
import { BUILDERS_DIR, firstOrderer, type NetworkPlan, type OrdererPlan, type ProvincePlan } from './plan';
import { runCommand, startProcess, type StartedProcess } from './processes';
import { healthy, metricValue, portAccepts, waitFor } from './readiness';

/**
 * The peer's core.yaml, copied from the user's and changed in one place: `vm.endpoint: ""`.
 * With the sample value (the Docker socket) the peer registers a Docker health check and /healthz
 * answers 503 on a machine without Docker; CORE_VM_ENDPOINT="" cannot undo it, because Fabric's
 * viper ignores empty environment values. With no endpoint the peer needs at least one external
 * builder, which we give it (network/builders/ccaas).
 */
export function patchCoreYaml(plan: NetworkPlan, fabric: FabricInstall): void {
  const lines = readFileSync(join(fabric.configDir, 'core.yaml'), 'utf8').split('\n');
  const vm = lines.findIndex((line) => /^vm:\s*(#.*)?$/.test(line));
  if (vm >= 0) {
    for (let i = vm + 1; i < lines.length && !/^\S/.test(lines[i] ?? ''); i++) {
      const match = /^(\s+)endpoint:/.exec(lines[i] ?? '');
      if (match) {
        lines[i] = `${match[1] ?? ''}endpoint: ""  # patched by network:up: no Docker`;
        break;
      }
    }
  }
  mkdirSync(peerConfigDir(plan), { recursive: true });
  writeFileSync(join(peerConfigDir(plan), 'core.yaml'), lines.join('\n'));
}

export function startOrderer(plan: NetworkPlan, fabric: FabricInstall, node: OrdererPlan): StartedProcess {
  const own = nodeCrypto(plan.ordererOrg, node.name);
  const tlsCa = ordererTlsCa(plan);
  mkdirSync(node.dataDir, { recursive: true });
  return startProcess(plan.runDir, node.name, fabric.bin.orderer, [], {
    cwd: node.dataDir,
    env: fabricEnv({
      FABRIC_CFG_PATH: fabric.configDir,
      ORDERER_GENERAL_LISTENADDRESS: '127.0.0.1',
      ORDERER_GENERAL_LISTENPORT: String(node.port),
      ORDERER_GENERAL_LOCALMSPID: plan.ordererOrg.mspId,
      ORDERER_GENERAL_LOCALMSPDIR: own.msp,
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_GENERAL_TLS_PRIVATEKEY: own.tlsKey,
      ORDERER_GENERAL_TLS_CERTIFICATE: own.tlsCert,
      ORDERER_GENERAL_TLS_ROOTCAS: `[${tlsCa}]`,
      // Raft traffic shares the client listener; these are the certificates it presents to the other nodes.
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: own.tlsCert,
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: own.tlsKey,
      ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${tlsCa}]`,
      ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_FILELEDGER_LOCATION: join(node.dataDir, 'ledger'),
      ORDERER_CONSENSUS_WALDIR: join(node.dataDir, 'etcdraft', 'wal'),
      ORDERER_CONSENSUS_SNAPDIR: join(node.dataDir, 'etcdraft', 'snapshot'),
      ORDERER_ADMIN_LISTENADDRESS: `127.0.0.1:${node.adminPort}`,
      ORDERER_ADMIN_TLS_ENABLED: 'true',
      ORDERER_ADMIN_TLS_PRIVATEKEY: own.tlsKey,
      ORDERER_ADMIN_TLS_CERTIFICATE: own.tlsCert,
      ORDERER_ADMIN_TLS_ROOTCAS: `[${tlsCa}]`,
      ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tlsCa}]`,
      ORDERER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${node.opsPort}`,
      ORDERER_METRICS_PROVIDER: 'prometheus',
    }),
  });
}

async function osnadmin(plan: NetworkPlan, fabric: FabricInstall, node: OrdererPlan, args: string[]): Promise<string> {
  const admin = orgAdminCrypto(plan.ordererOrg);
  const { stdout } = await runCommand(
    plan.runDir,
    fabric.bin.osnadmin,
    [...args, '-o', `127.0.0.1:${node.adminPort}`, '--ca-file', ordererTlsCa(plan), '--client-cert', admin.tlsCert, '--client-key', admin.tlsKey],
    { env: fabricEnv({}) },
  );
  return stdout;
}

/**
 * Joins the orderer to the channel through its admin endpoint, unless it already holds the channel
 * (a restart: a second join is refused with 405).
 */
export async function joinOrderer(plan: NetworkPlan, fabric: FabricInstall, node: OrdererPlan, process: StartedProcess): Promise<void> {
  await waitFor(
    `${node.name} /healthz on 127.0.0.1:${node.opsPort} and its admin endpoint on ${node.adminPort}`,
    async () => (await healthy(node.opsPort)) && (await portAccepts(node.adminPort)),
    { timeoutMs: 30000, process },
  );
  const listing = await osnadmin(plan, fabric, node, ['channel', 'list']);
  if (listing.includes(`"name": "${plan.channel}"`) || listing.includes(`"name":"${plan.channel}"`)) return;
  await osnadmin(plan, fabric, node, ['channel', 'join', '--channelID', plan.channel, '--config-block', genesisBlock(plan)]);
}

/**
 * osnadmin reports the channel active as soon as it is joined, before Raft has a leader; a
 * transaction sent before then fails. The leader's own metric is the real signal.
 */
export async function waitForRaftLeader(plan: NetworkPlan, processes: StartedProcess[]): Promise<void> {
  const sample = `consensus_etcdraft_is_leader{channel="${plan.channel}"}`;
  await waitFor(
    `a Raft leader for ${plan.channel} (${sample} 1 on an orderer)`,
    async () => {
      for (const node of plan.orderers) if ((await metricValue(node.opsPort, sample).catch(() => null)) === 1) return true;
      return false;
    },
    { timeoutMs: 60000, intervalMs: 200, process: processes },
  );
}

export function startPeer(plan: NetworkPlan, fabric: FabricInstall, province: ProvincePlan): StartedProcess {
  const own = nodeCrypto(province.org, province.peer.name);
  const address = `127.0.0.1:${province.peer.port}`;
  mkdirSync(province.peer.dataDir, { recursive: true });
  return startProcess(plan.runDir, province.peer.name, fabric.bin.peer, ['node', 'start'], {
    cwd: province.peer.dataDir,
    env: fabricEnv({
      FABRIC_CFG_PATH: peerConfigDir(plan),
      CORE_PEER_ID: province.peer.name,
      CORE_PEER_NETWORKID: plan.channel,
      CORE_PEER_LISTENADDRESS: address,
      CORE_PEER_ADDRESS: address,
      CORE_PEER_CHAINCODELISTENADDRESS: `127.0.0.1:${province.peer.chaincodeListenPort}`,
      CORE_PEER_GOSSIP_BOOTSTRAP: address,
      // Without an external endpoint the peer is invisible to the other provinces' peers. It is
      // also what discovery hands to clients: localhost, like the anchor peers (see configtx.yaml).
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: `localhost:${province.peer.port}`,
      // The membership metric network:up waits on is refreshed at this interval (default 5 s).
      CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: '1s',
      // A peer that joins first reaches for the other provinces' anchor peers before they have
      // joined, is turned away, and waits this long to try again: 25 s by default, which was
      // most of a bring-up. Loopback reconnects are cheap.
      CORE_PEER_GOSSIP_RECONNECTINTERVAL: '2s',
      CORE_PEER_LOCALMSPID: province.mspId,
      CORE_PEER_MSPCONFIGPATH: own.msp,
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CERT_FILE: own.tlsCert,
      CORE_PEER_TLS_KEY_FILE: own.tlsKey,
      CORE_PEER_TLS_ROOTCERT_FILE: caCertPath(province.org),
      CORE_PEER_FILESYSTEMPATH: join(province.peer.dataDir, 'production'),
      CORE_LEDGER_STATE_STATEDATABASE: 'goleveldb',
      // Not under fileSystemPath by default: two peers would share /var/hyperledger/production/snapshots.
      CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(province.peer.dataDir, 'snapshots'),
      CORE_OPERATIONS_LISTENADDRESS: `127.0.0.1:${province.peer.opsPort}`,
      CORE_METRICS_PROVIDER: 'prometheus',
      CORE_CHAINCODE_EXTERNALBUILDERS: `[{name: ccaas-bash, path: ${join(BUILDERS_DIR, 'ccaas')}}]`,
    }),
  });
}

/** Joins the peer to the channel from the genesis block unless it has joined before. */
export async function joinPeer(plan: NetworkPlan, fabric: FabricInstall, province: ProvincePlan, process: StartedProcess): Promise<void> {
  // /healthz answers before the gRPC listener is up; the CLI needs both.
  await waitFor(
    `${province.peer.name} /healthz on 127.0.0.1:${province.peer.opsPort} and gRPC on ${province.peer.port}`,
    async () => (await healthy(province.peer.opsPort)) && (await portAccepts(province.peer.port)),
    { timeoutMs: 30000, process },
  );
  const env = peerCliEnv(plan, province);
  const { stdout } = await runCommand(plan.runDir, fabric.bin.peer, ['channel', 'list'], { env });
  if (stdout.split('\n').some((line) => line.trim() === plan.channel)) return;
  await runCommand(plan.runDir, fabric.bin.peer, ['channel', 'join', '-b', genesisBlock(plan)], { env });
}

/**
 * Discovery (which the SDK uses to find endorsers) only knows peers that gossip has seen, so the
 * network is ready when every peer counts every other province's peer as a channel member.
 */
export async function waitForGossip(plan: NetworkPlan, processes: Map<string, StartedProcess>): Promise<void> {
  const others = plan.provinces.length - 1;
  const sample = `gossip_membership_total_peers_known{channel="${plan.channel}"}`;
  for (const province of plan.provinces) {
    await waitFor(
      `${province.peer.name} to see the other ${others} province peer(s) (${sample} ${others})`,
      async () => others === 0 || ((await metricValue(province.peer.opsPort, sample)) ?? 0) >= others,
      { timeoutMs: 60000, intervalMs: 200, process: processes.get(province.peer.name) },
    );
  }
}

export function ordererAddress(plan: NetworkPlan): string {
  return `127.0.0.1:${firstOrderer(plan).port}`;
}
