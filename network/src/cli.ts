/**
 * npm run network:up | network:down [-- --wipe]
 *
 * Options (each also an environment variable):
 *   --run-dir <dir>     NETWORK_RUN_DIR     run state: pids, logs, ledgers, certificates (network/.run)
 *   --port-base <n>     NETWORK_PORT_BASE   first port of the port plan (portBase in network.json)
 *   --config <file>     NETWORK_CONFIG      the network config (network/network.json)
 *   --orderers <n>      NETWORK_ORDERERS    Raft nodes, e.g. 3 (orderer.nodes in network.json)
 *   --wallet <dir>      WALLET_DIR          where identities are enrolled (wallet/)
 *   --wipe                                  down only: also delete the run folder and those identities
 * Fabric binaries: FABRIC_BIN (a folder) or PATH; Fabric's config folder: FABRIC_CFG_PATH or <bin>/../config.
 */
import { parseArgs } from 'node:util';
import { FabricNotFoundError } from './binaries';
import { networkDown } from './down';
import { NetworkConfigError, planNetwork, type NetworkPlan } from './plan';
import type { NetworkState } from './profiles';
import { networkUp } from './up';

function integer(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new NetworkConfigError(`${what} must be an integer, got ${value}`);
  return parsed;
}

function describe(plan: NetworkPlan, state: NetworkState): string {
  const lines = [
    `channel ${state.channel}, chaincode ${state.chaincode} (endorsement: ${plan.chaincode.endorsementPolicy}; blocks: ${plan.batch.batchTimeout} or ${plan.batch.maxMessageCount} txs)`,
    `orderers  ${state.orderers.join(', ')}  (admin ${plan.orderers.map((o) => o.adminPort).join(', ')}, operations ${plan.orderers.map((o) => o.opsPort).join(', ')})`,
  ];
  for (const province of plan.provinces) {
    const entry = state.provinces.find((p) => p.mspId === province.mspId);
    lines.push(
      `${province.name} ${province.code} ${province.mspId}`,
      `  peer       127.0.0.1:${province.peer.port}  (operations ${province.peer.opsPort}, chaincode server ${province.chaincodeServer.port})`,
      `  Fabric CA  https://127.0.0.1:${province.org.caPort}  (${province.org.caName})`,
      `  profile    ${province.connectionProfile}`,
      `  wallet     ${entry ? [entry.identities.admin, entry.identities.reader, ...Object.values(entry.identities.issuers)].join(', ') : '-'}`,
    );
  }
  lines.push(`wallet     ${state.walletDir}`, `run folder ${state.runDir} (logs/, pids/)`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'run-dir': { type: 'string' },
      'port-base': { type: 'string' },
      config: { type: 'string' },
      orderers: { type: 'string' },
      wallet: { type: 'string' },
      wipe: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  const env = process.env;
  const plan = planNetwork({
    runDir: values['run-dir'] ?? env.NETWORK_RUN_DIR,
    portBase: integer(values['port-base'] ?? env.NETWORK_PORT_BASE, 'port base'),
    configPath: values.config ?? env.NETWORK_CONFIG,
    orderers: integer(values.orderers ?? env.NETWORK_ORDERERS, 'orderers'),
    walletDir: values.wallet ?? env.WALLET_DIR,
  });
  if (command === 'up') {
    console.log(`network:up  ${plan.provinces.map((p) => p.name).join(' + ')}, port base ${plan.portBase}, run folder ${plan.runDir}`);
    const result = await networkUp(plan, { log: (line) => console.log(line) });
    if (result.alreadyRunning) console.log('already running (every recorded process is alive); nothing to do');
    else console.log(`up in ${(result.totalMs / 1000).toFixed(1)} s`);
    console.log(describe(plan, result.state));
  } else if (command === 'down') {
    const result = await networkDown(plan.runDir, { wipe: values.wipe });
    console.log(result.stopped.length > 0 ? `stopped ${result.stopped.join(', ')}` : 'no running process recorded in the run folder');
    if (result.killed.length > 0) console.log(`(had to SIGKILL ${result.killed.join(', ')})`);
    if (result.wiped)
      console.log(`wiped ${plan.runDir}${result.removedLabels.length > 0 ? ` and removed ${result.removedLabels.join(', ')} from the wallet` : ''}`);
  } else {
    throw new NetworkConfigError(`usage: network up|down [--wipe] [--run-dir DIR] [--port-base N] [--config FILE] [--orderers N] [--wallet DIR]`);
  }
}

main().catch((error: unknown) => {
  // Our own errors say what to do; a stack is for the unexpected (or NETWORK_DEBUG=1).
  const ours =
    error instanceof FabricNotFoundError || error instanceof NetworkConfigError || (error instanceof Error && error.message.startsWith('network:up failed'));
  if (error instanceof Error) console.error(ours && !process.env.NETWORK_DEBUG ? error.message : (error.stack ?? error.message));
  else console.error(error);
  process.exitCode = 1;
});
