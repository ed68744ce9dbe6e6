/**
 * The ledger fixture on a real Fabric network: the two-province network of network/network.json,
 * brought up by the same code as `npm run network:up` but in its own run folder and port range
 * (so it never touches a developer's running network), the suite's identities enrolled through
 * the provinces' Fabric CAs, and the Fabric ledger adapter on top.
 */
import { join } from 'node:path';
import { openFabricLedger, type FabricLedger } from '../../server/src/adapters/fabric-ledger/fabric-ledger';
import { identityLabel } from '../../server/src/adapters/identity/local-org';
import { IdentityWallet } from '../../server/src/adapters/identity/wallet';
import { fabricAvailability } from '../../network/src/binaries';
import { networkDown } from '../../network/src/down';
import { enrollProvinceIdentity } from '../../network/src/identities';
import { DEFAULT_CONFIG, REPO_ROOT, plannedPorts, planNetwork, type NetworkPlan, type ProvincePlan } from '../../network/src/plan';
import { portFree } from '../../network/src/readiness';
import { networkUp } from '../../network/src/up';
import { SC, ZJ, provisionProvinces, type LedgerFixture, type TestIdentities } from './ledger-fixture';

export const TEST_RUN_DIR = process.env.FABRIC_TEST_RUN_DIR ?? join(REPO_ROOT, 'network', '.run-test');

/** Port bases tried in turn when FABRIC_TEST_PORT_BASE is not set: another checkout's test network may hold the first. */
const PORT_BASES = [17000, 18000, 19000, 20000, 21000];

export { fabricAvailability };

export interface FabricTestNetwork {
  plan: NetworkPlan;
  upSeconds: number;
  /** A fixture for the ledger contract suite: identities enrolled, provinces provisioned. */
  fixture(): Promise<LedgerFixture>;
  /** Stops every process of the test network and deletes its run folder. */
  stop(): Promise<void>;
}

async function freePortBase(): Promise<number> {
  const fixed = process.env.FABRIC_TEST_PORT_BASE;
  if (fixed) return Number(fixed);
  for (const base of PORT_BASES) {
    const plan = planNetwork({ configPath: DEFAULT_CONFIG, runDir: TEST_RUN_DIR, portBase: base });
    const free = await Promise.all(plannedPorts(plan).map(({ port }) => portFree(port)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no free port range for the Fabric test network among bases ${PORT_BASES.join(', ')}; set FABRIC_TEST_PORT_BASE`);
}

function province(plan: NetworkPlan, mspId: string): ProvincePlan {
  const found = plan.provinces.find((candidate) => candidate.mspId === mspId);
  if (!found) throw new Error(`${plan.configPath} has no province ${mspId}, which the ledger contract suite needs`);
  return found;
}

async function createFixture(plan: NetworkPlan): Promise<LedgerFixture> {
  const wallet = await IdentityWallet.open(plan.walletDir);
  const zj = province(plan, ZJ.mspId);
  const sc = province(plan, SC.mspId);
  // network:up enrolled each province's admin and each demo agency's issuer; the suite needs two more.
  const ids: TestIdentities = {
    zjAdmin: identityLabel('admin', ZJ.mspId),
    scAdmin: identityLabel('admin', SC.mspId),
    zjPsb: identityLabel('zj-psb-issuer', ZJ.mspId),
    zjAmr: identityLabel('zj-amr-issuer', ZJ.mspId),
    scNr: identityLabel('sc-nr-issuer', SC.mspId),
    zjClerk: await enrollProvinceIdentity(wallet, zj, { enrollmentId: 'clerk', attributes: {} }),
    scPretendsZjPsb: await enrollProvinceIdentity(wallet, sc, { enrollmentId: 'pretender', attributes: { role: 'issuer', agency: 'zj-psb' } }),
  };
  const ledger: FabricLedger = await openFabricLedger({
    connectionProfile: zj.connectionProfile,
    wallet,
    channel: plan.channel,
    chaincode: plan.chaincode.name,
    eventIdentity: ids.zjAdmin,
  });
  await provisionProvinces(ledger, ids);
  return {
    ledger,
    ids,
    putIdentity: (label, identity) => wallet.put(label, identity),
    height: () => ledger.height(ids.zjAdmin),
    close: () => ledger.close(),
  };
}

/** Stops whatever runs from the test run folder and deletes it: after a run, and before one in case the last was killed. */
export async function stopFabricTestNetwork(): Promise<void> {
  await networkDown(TEST_RUN_DIR, { wipe: true });
}

/** Brings the test network up from nothing. */
export async function startFabricTestNetwork(): Promise<FabricTestNetwork> {
  await stopFabricTestNetwork();
  const plan = planNetwork({ configPath: DEFAULT_CONFIG, runDir: TEST_RUN_DIR, portBase: await freePortBase(), walletDir: join(TEST_RUN_DIR, 'wallet') });
  const up = await networkUp(plan);
  return {
    plan,
    upSeconds: up.totalMs / 1000,
    fixture: () => createFixture(plan),
    stop: stopFabricTestNetwork,
  };
}
