/**
 * network:up — the whole network from the plan: Fabric CAs, org crypto, the channel's genesis
 * block, orderers joined through osnadmin, peers joined, the chaincode as a service through the
 * lifecycle, wallet identities and connection profiles. Every step that is already done (a
 * restart with state kept) is skipped, so running it again on a stopped network restarts it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdentityWallet } from '../../server/src/adapters/identity/wallet';
import { findFabric, type FabricInstall } from './binaries';
import { enrollOrgCrypto, startCa, waitForCa } from './ca';
import { installChaincode, defineChaincode, packageChaincode, startChaincodeServer } from './chaincode';
import { makeGenesisBlock } from './channel';
import { enrollDemoIdentities } from './identities';
import { joinOrderer, joinPeer, patchCoreYaml, startOrderer, startPeer, waitForGossip, waitForRaftLeader } from './nodes';
import { NetworkConfigError, plannedPorts, type NetworkPlan } from './plan';
import { isRunning, recordedProcesses, stopRecordedProcesses, type StartedProcess } from './processes';
import { readNetworkState, writeConnectionProfiles, writeNetworkState, type NetworkState } from './profiles';
import { portFree } from './readiness';

export interface UpResult {
  state: NetworkState;
  alreadyRunning: boolean;
  phases: Array<{ phase: string; ms: number }>;
  totalMs: number;
}

export interface UpOptions {
  log?: (line: string) => void;
  fabric?: FabricInstall;
}

async function checkPortsFree(plan: NetworkPlan): Promise<void> {
  const taken: string[] = [];
  for (const { port, owner } of plannedPorts(plan)) if (!(await portFree(port))) taken.push(`${port} (${owner})`);
  if (taken.length > 0) {
    throw new NetworkConfigError(
      `ports in use: ${taken.join(', ')}. Another network on this port base? Stop it, or pick another base with --port-base / NETWORK_PORT_BASE.`,
    );
  }
}

/**
 * Ports, orderers and members are written into the genesis block and the certificates: a run
 * folder can only be restarted with the shape it was created with.
 */
function checkSameShape(plan: NetworkPlan): void {
  const path = join(plan.runDir, 'created-with.json');
  const shape = JSON.stringify({
    portBase: plan.portBase,
    orderers: plan.orderers.length,
    provinces: plan.provinces.map((province) => [province.mspId, province.peer.port]),
    batch: plan.batch,
    endorsementPolicy: plan.chaincode.endorsementPolicy,
  });
  if (!existsSync(path)) {
    writeFileSync(path, `${shape}\n`);
    return;
  }
  const created = readFileSync(path, 'utf8').trim();
  if (created !== shape) {
    throw new NetworkConfigError(
      `${plan.runDir} was created with ${created}, but the plan now says ${shape}. These live in the channel's genesis block: ` +
        'restart with the original settings, or start afresh with network:down --wipe.',
    );
  }
}

export async function networkUp(plan: NetworkPlan, options: UpOptions = {}): Promise<UpResult> {
  const log = options.log ?? (() => undefined);
  const fabric = options.fabric ?? findFabric();
  const started = Date.now();
  const phases: UpResult['phases'] = [];
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const at = Date.now();
    const result = await work();
    phases.push({ phase: name, ms: Date.now() - at });
    log(`  ${name} (${((Date.now() - at) / 1000).toFixed(1)} s)`);
    return result;
  };

  mkdirSync(plan.runDir, { recursive: true });
  checkSameShape(plan);
  const recorded = recordedProcesses(plan.runDir);
  const state = readNetworkState(plan.runDir);
  if (recorded.length > 0 && state && recorded.every(isRunning)) {
    return { state, alreadyRunning: true, phases, totalMs: Date.now() - started };
  }
  if (recorded.length > 0) {
    const { stopped } = await stopRecordedProcesses(plan.runDir);
    if (stopped.length > 0) log(`  stopped what was left of an earlier run: ${stopped.join(', ')}`);
  }
  await checkPortsFree(plan);

  const processes = new Map<string, StartedProcess>();
  const keep = (process: StartedProcess) => {
    processes.set(process.record.name, process);
    return process;
  };
  try {
    patchCoreYaml(plan, fabric);
    const orgs = [plan.ordererOrg, ...plan.provinces.map((province) => province.org)];
    await phase(`Fabric CAs up (${orgs.length})`, () => Promise.all(orgs.map((org) => waitForCa(org, keep(startCa(plan, fabric, org))))));
    await phase('node and admin certificates enrolled', () => Promise.all(orgs.map((org) => enrollOrgCrypto(plan, fabric, org))));
    await phase('channel genesis block', () => makeGenesisBlock(plan, fabric));
    const ordererNodes = plan.orderers.map((node) => ({ node, process: keep(startOrderer(plan, fabric, node)) }));
    const orderers = ordererNodes.map(({ process }) => process);
    await phase(`orderers joined, Raft leader elected (${orderers.length} node${orderers.length > 1 ? 's' : ''})`, async () => {
      await Promise.all(ordererNodes.map(({ node, process }) => joinOrderer(plan, fabric, node, process)));
      await waitForRaftLeader(plan, orderers);
    });
    await phase(`peers joined (${plan.provinces.length})`, () =>
      Promise.all(plan.provinces.map((province) => joinPeer(plan, fabric, province, keep(startPeer(plan, fabric, province))))),
    );
    const packageIds = new Map<string, string>();
    await phase('chaincode packaged, servers up, installed', () =>
      Promise.all(
        plan.provinces.map(async (province) => {
          const packageId = await packageChaincode(plan, fabric, province);
          packageIds.set(province.mspId, packageId);
          keep(await startChaincodeServer(plan, province, packageId));
          await installChaincode(plan, fabric, province, packageId);
        }),
      ),
    );
    const defined = await phase('chaincode approved and committed', () => defineChaincode(plan, fabric, packageIds));
    if (defined === 'already committed') log('    (definition was already committed)');
    await phase('gossip: every peer sees every province', () => waitForGossip(plan, processes));
    const labels = await phase('wallet identities enrolled', async () => enrollDemoIdentities(plan, await IdentityWallet.open(plan.walletDir)));
    writeConnectionProfiles(plan);
    return { state: writeNetworkState(plan, labels), alreadyRunning: false, phases, totalMs: Date.now() - started };
  } catch (error) {
    const { stopped } = await stopRecordedProcesses(plan.runDir);
    const note = stopped.length > 0 ? ` Stopped the processes it had started (${stopped.join(', ')}).` : '';
    (error as Error).message = `network:up failed: ${(error as Error).message}\n${note} Logs: ${plan.runDir}/logs`;
    throw error;
  }
}
