/**
 * One Fabric CA per org (each province, and the ordering service's org), TLS on, configured by
 * FABRIC_CA_SERVER_* variables only: the server writes its default config file into its home on
 * first start and the variables win over it. Its root signs both enrollment and TLS certificates,
 * so one ca-cert.pem is the org's CA and TLS CA.
 *
 * Node and org-admin certificates are enrolled here with the fabric-ca-client CLI into MSP folders
 * the peer, orderer and CLIs read; application identities go to the wallet (identities.ts).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FabricInstall } from './binaries';
import { caCertPath, fabricEnv, nodeCrypto, orgAdminCrypto, orgMsp } from './fabric-env';
import type { NetworkPlan, OrgPlan } from './plan';
import { CommandError, runCommand, startProcess, type StartedProcess } from './processes';
import { httpGet, waitFor } from './readiness';

/** The CA's bootstrap identity, which registers everyone else; its secret stays in the run folder. */
export const REGISTRAR_ID = 'registrar';

export function registrarSecret(org: OrgPlan): string {
  const path = join(org.caHome, 'registrar.secret');
  if (!existsSync(path)) {
    mkdirSync(org.caHome, { recursive: true });
    writeFileSync(path, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

export function registrarMsp(org: OrgPlan): string {
  return join(org.cryptoDir, 'registrar', 'msp');
}

export function startCa(plan: NetworkPlan, fabric: FabricInstall, org: OrgPlan): StartedProcess {
  mkdirSync(org.caHome, { recursive: true });
  return startProcess(plan.runDir, org.caName, fabric.bin['fabric-ca-server'], ['start', '-b', `${REGISTRAR_ID}:${registrarSecret(org)}`], {
    cwd: org.caHome,
    env: fabricEnv({
      FABRIC_CA_SERVER_HOME: org.caHome,
      FABRIC_CA_SERVER_ADDRESS: '127.0.0.1',
      FABRIC_CA_SERVER_PORT: String(org.caPort),
      FABRIC_CA_SERVER_CA_NAME: org.caName,
      FABRIC_CA_SERVER_CSR_CN: org.caName,
      // Everything dials 127.0.0.1 or localhost; the default hosts are only [hostname, localhost].
      FABRIC_CA_SERVER_CSR_HOSTS: 'localhost,127.0.0.1',
      FABRIC_CA_SERVER_TLS_ENABLED: 'true',
      FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${org.caOpsPort}`,
      FABRIC_CA_SERVER_METRICS_PROVIDER: 'disabled',
    }),
  });
}

export async function waitForCa(org: OrgPlan, ca: StartedProcess): Promise<void> {
  await waitFor(
    `${org.caName} to answer /cainfo on https://127.0.0.1:${org.caPort}`,
    async () => existsSync(caCertPath(org)) && (await httpGet(`https://127.0.0.1:${org.caPort}/cainfo`, readFileSync(caCertPath(org), 'utf8'))).status === 200,
    { timeoutMs: 30000, process: ca },
  );
}

const NODE_OUS = `NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca-cert.pem
    OrganizationalUnitIdentifier: orderer
`;

/**
 * NodeOUs: Fabric CA writes the identity type into the certificate's OU, so `admin`, `peer`,
 * `client` and `orderer` roles come from the certificate and no admincerts folder is needed.
 */
function writeNodeOus(msp: string): void {
  writeFileSync(join(msp, 'config.yaml'), NODE_OUS);
}

/** The one file fabric-ca-client writes into an MSP folder (its key, its CA certificate). */
export function onlyFile(dir: string): string {
  const [name] = readdirSync(dir);
  if (name === undefined) throw new Error(`${dir} is empty: the enrollment wrote nothing there`);
  return name;
}

/** fabric-ca-client names files after host, port and CA; give them the fixed names config.yaml uses. */
function normaliseMsp(msp: string): void {
  const cacerts = join(msp, 'cacerts');
  const caFile = onlyFile(cacerts);
  if (caFile !== 'ca-cert.pem') renameSync(join(cacerts, caFile), join(cacerts, 'ca-cert.pem'));
  writeNodeOus(msp);
}

function tlsFromEnrollment(tlsMsp: string, tlsDir: string): void {
  mkdirSync(tlsDir, { recursive: true });
  copyFileSync(join(tlsMsp, 'signcerts', 'cert.pem'), join(tlsDir, 'server.crt'));
  copyFileSync(join(tlsMsp, 'keystore', onlyFile(join(tlsMsp, 'keystore'))), join(tlsDir, 'server.key'));
  copyFileSync(join(tlsMsp, 'tlscacerts', onlyFile(join(tlsMsp, 'tlscacerts'))), join(tlsDir, 'ca.crt'));
  rmSync(tlsMsp, { recursive: true, force: true });
}

/** Node names an org's CA enrolls: its peer, or the orderer nodes. */
export function orgNodes(plan: NetworkPlan, org: OrgPlan): Array<{ id: string; host: string; type: 'peer' | 'orderer' }> {
  if (org.kind === 'orderer') return plan.orderers.map((orderer) => ({ id: orderer.name, host: orderer.name, type: 'orderer' as const }));
  const province = plan.provinces.find((candidate) => candidate.org === org);
  if (!province) throw new Error(`no province for ${org.mspId}`);
  return [{ id: 'peer0', host: province.peer.name, type: 'peer' }];
}

/**
 * Enrolls the org's nodes and its Fabric admin, each with an MSP and a TLS certificate, and lays
 * out the channel MSP. Steps already done (a restart with state kept) are skipped.
 */
export async function enrollOrgCrypto(plan: NetworkPlan, fabric: FabricInstall, org: OrgPlan): Promise<void> {
  const client = fabric.bin['fabric-ca-client'];
  const registrarHome = join(org.cryptoDir, 'registrar');
  const env = fabricEnv({ FABRIC_CA_CLIENT_HOME: registrarHome });
  const common = ['--caname', org.caName, '--tls.certfiles', caCertPath(org)];
  const ca = (args: string[]) => runCommand(plan.runDir, client, args, { env });

  if (!existsSync(join(registrarMsp(org), 'signcerts', 'cert.pem'))) {
    await ca(['enroll', '-u', `https://${REGISTRAR_ID}:${registrarSecret(org)}@127.0.0.1:${org.caPort}`, ...common, '-M', registrarMsp(org)]);
  }

  const msp = orgMsp(org);
  mkdirSync(join(msp, 'cacerts'), { recursive: true });
  mkdirSync(join(msp, 'tlscacerts'), { recursive: true });
  copyFileSync(caCertPath(org), join(msp, 'cacerts', 'ca-cert.pem'));
  copyFileSync(caCertPath(org), join(msp, 'tlscacerts', 'ca-cert.pem'));
  writeNodeOus(msp);

  /** A fresh secret each time: the CLI's secrets are used once, right here, and never stored. */
  const register = async (id: string, type: string): Promise<string> => {
    const secret = randomBytes(18).toString('base64url');
    try {
      await ca(['register', ...common, '-u', `https://127.0.0.1:${org.caPort}`, '--id.name', id, '--id.secret', secret, '--id.type', type]);
    } catch (error) {
      if (!(error instanceof CommandError && /already registered/i.test(error.stderr))) throw error;
      await ca(['identity', 'modify', id, ...common, '-u', `https://127.0.0.1:${org.caPort}`, '--secret', secret]);
    }
    return secret;
  };

  const enrollWithTls = async (id: string, type: string, host: string, target: ReturnType<typeof nodeCrypto>) => {
    if (existsSync(target.tlsCert) && existsSync(join(target.msp, 'config.yaml'))) return;
    const secret = await register(id, type);
    const url = `https://${id}:${secret}@127.0.0.1:${org.caPort}`;
    const hosts = ['127.0.0.1', 'localhost', host].join(',');
    rmSync(target.msp, { recursive: true, force: true });
    await ca(['enroll', '-u', url, ...common, '-M', target.msp, '--csr.hosts', hosts]);
    normaliseMsp(target.msp);
    const tlsMsp = join(target.msp, '..', 'tls-msp');
    await ca(['enroll', '-u', url, ...common, '-M', tlsMsp, '--enrollment.profile', 'tls', '--csr.hosts', hosts]);
    tlsFromEnrollment(tlsMsp, join(target.msp, '..', 'tls'));
  };

  for (const node of orgNodes(plan, org)) await enrollWithTls(node.id, node.type, node.host, nodeCrypto(org, node.host));
  await enrollWithTls('orgadmin', 'admin', 'orgadmin', orgAdminCrypto(org));
}
