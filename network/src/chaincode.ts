/**
 * The chaincode as a service (CCaaS): each province runs its own `fabric-chaincode-node server`
 * with the chaincode/ package, and its peer dials it. The package a peer installs holds only
 * where to dial (connection.json), so each province has its own package and package id, approves
 * its own, and all approve the same definition (name, version, sequence, endorsement policy).
 *
 * Because the package holds no code, changing the chaincode means rebuilding chaincode/dist and
 * restarting the chaincode servers: no new package, no new lifecycle round.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FabricInstall } from './binaries';
import { endorsementPolicy } from './channel';
import { caCertPath, fabricEnv, ordererTlsCa, peerCliEnv, peerConfigDir } from './fabric-env';
import { ordererAddress } from './nodes';
import { CHAINCODE_DIR, firstProvince, type NetworkPlan, type ProvincePlan } from './plan';
import { runCommand, startProcess, type StartedProcess } from './processes';
import { portAccepts, waitFor } from './readiness';

function packageDir(plan: NetworkPlan, province: ProvincePlan): string {
  return join(plan.runDir, 'chaincode', province.org.slug);
}

function packageFile(plan: NetworkPlan, province: ProvincePlan): string {
  return join(packageDir(plan, province), `${plan.chaincode.name}.tar.gz`);
}

/** Packages connection.json for this province (once) and returns the package id. */
export async function packageChaincode(plan: NetworkPlan, fabric: FabricInstall, province: ProvincePlan): Promise<string> {
  const dir = packageDir(plan, province);
  const idFile = join(dir, 'package-id');
  if (existsSync(idFile) && existsSync(packageFile(plan, province))) return readFileSync(idFile, 'utf8').trim();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  // The peer dials this address; plain gRPC on loopback (a chaincode server reachable from
  // elsewhere would get TLS: root_cert, client_auth_required, client_key, client_cert here).
  writeFileSync(
    join(dir, 'src', 'connection.json'),
    `${JSON.stringify({ address: `127.0.0.1:${province.chaincodeServer.port}`, dial_timeout: '10s', tls_required: false }, null, 2)}\n`,
  );
  const label = `${plan.chaincode.name}_${plan.chaincode.version}_${province.org.slug}`;
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ type: 'ccaas', label }));
  await runCommand(plan.runDir, 'tar', ['-C', join(dir, 'src'), '-czf', join(dir, 'code.tar.gz'), 'connection.json']);
  await runCommand(plan.runDir, 'tar', ['-C', dir, '-czf', packageFile(plan, province), 'metadata.json', 'code.tar.gz']);
  const { stdout } = await runCommand(plan.runDir, fabric.bin.peer, ['lifecycle', 'chaincode', 'calculatepackageid', packageFile(plan, province)], {
    env: fabricEnv({ FABRIC_CFG_PATH: peerConfigDir(plan) }),
  });
  const packageId = stdout.trim();
  writeFileSync(idFile, `${packageId}\n`);
  return packageId;
}

function fabricShimCli(): string {
  return join(dirname(require.resolve('fabric-shim/package.json')), 'cli.js');
}

export function chaincodeMain(): string {
  const manifest = JSON.parse(readFileSync(join(CHAINCODE_DIR, 'package.json'), 'utf8')) as { main: string };
  return join(CHAINCODE_DIR, manifest.main);
}

/** Starts the province's chaincode server and waits until it accepts connections. */
export async function startChaincodeServer(plan: NetworkPlan, province: ProvincePlan, packageId: string): Promise<StartedProcess> {
  if (!existsSync(chaincodeMain())) {
    throw new Error(`the chaincode is not built (${chaincodeMain()} is missing): run npm run build:chaincode`);
  }
  // The shim logs every transaction at info and every refusal as an error: in this registry a
  // refusal is an answer, not a fault, so the servers log from the configured level up (warning).
  const level = plan.chaincode.logLevel;
  const server = startProcess(
    plan.runDir,
    province.chaincodeServer.name,
    process.execPath,
    [
      fabricShimCli(),
      'server',
      '--chaincode-address',
      `127.0.0.1:${province.chaincodeServer.port}`,
      '--chaincode-id',
      packageId,
      '--module-path',
      CHAINCODE_DIR,
    ],
    { cwd: CHAINCODE_DIR, env: { ...fabricEnv({}), CORE_CHAINCODE_LOGGING_LEVEL: level, CORE_CHAINCODE_LOGGING_SHIM: level } },
  );
  await waitFor(`${province.chaincodeServer.name} to listen on 127.0.0.1:${province.chaincodeServer.port}`, () => portAccepts(province.chaincodeServer.port), {
    timeoutMs: 30000,
    process: server,
  });
  return server;
}

function definitionArgs(plan: NetworkPlan): string[] {
  const { signaturePolicy } = endorsementPolicy(plan);
  return [
    '--channelID',
    plan.channel,
    '--name',
    plan.chaincode.name,
    '--version',
    plan.chaincode.version,
    '--sequence',
    String(plan.chaincode.sequence),
    ...(signaturePolicy ? ['--signature-policy', signaturePolicy] : []),
  ];
}

const ordererArgs = (plan: NetworkPlan) => ['-o', ordererAddress(plan), '--tls', '--cafile', ordererTlsCa(plan)];

export async function installChaincode(plan: NetworkPlan, fabric: FabricInstall, province: ProvincePlan, packageId: string): Promise<void> {
  const env = peerCliEnv(plan, province);
  const { stdout } = await runCommand(plan.runDir, fabric.bin.peer, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], { env });
  if (stdout.includes(packageId)) return;
  await runCommand(plan.runDir, fabric.bin.peer, ['lifecycle', 'chaincode', 'install', packageFile(plan, province)], { env });
}

async function committedSequence(plan: NetworkPlan, fabric: FabricInstall): Promise<number | null> {
  const env = peerCliEnv(plan, firstProvince(plan));
  try {
    const { stdout } = await runCommand(
      plan.runDir,
      fabric.bin.peer,
      ['lifecycle', 'chaincode', 'querycommitted', '--channelID', plan.channel, '--name', plan.chaincode.name, '--output', 'json'],
      { env },
    );
    return (JSON.parse(stdout) as { sequence: number }).sequence;
  } catch {
    return null;
  }
}

/**
 * approveformyorg for every province that has not approved yet (they write to their own
 * implicit collections, so they go in parallel), then commit with every province's peer endorsing.
 */
export async function defineChaincode(plan: NetworkPlan, fabric: FabricInstall, packageIds: Map<string, string>): Promise<'committed' | 'already committed'> {
  const committed = await committedSequence(plan, fabric);
  if (committed !== null && committed >= plan.chaincode.sequence) return 'already committed';
  const readinessEnv = peerCliEnv(plan, firstProvince(plan));
  const { stdout } = await runCommand(
    plan.runDir,
    fabric.bin.peer,
    ['lifecycle', 'chaincode', 'checkcommitreadiness', ...definitionArgs(plan), '--output', 'json'],
    {
      env: readinessEnv,
    },
  );
  const approvals = (JSON.parse(stdout) as { approvals: Record<string, boolean> }).approvals;
  await Promise.all(
    plan.provinces
      .filter((province) => !approvals[province.mspId])
      .map((province) =>
        runCommand(
          plan.runDir,
          fabric.bin.peer,
          [
            'lifecycle',
            'chaincode',
            'approveformyorg',
            ...ordererArgs(plan),
            ...definitionArgs(plan),
            '--package-id',
            packageIds.get(province.mspId) ?? '',
            '--waitForEvent',
          ],
          { env: peerCliEnv(plan, province) },
        ),
      ),
  );
  const peers = plan.provinces.flatMap((province) => ['--peerAddresses', `127.0.0.1:${province.peer.port}`, '--tlsRootCertFiles', caCertPath(province.org)]);
  await runCommand(
    plan.runDir,
    fabric.bin.peer,
    ['lifecycle', 'chaincode', 'commit', ...ordererArgs(plan), ...definitionArgs(plan), ...peers, '--waitForEvent'],
    {
      env: readinessEnv,
    },
  );
  return 'committed';
}
