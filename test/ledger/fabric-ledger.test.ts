/**
 * The ledger contract suite on a real Fabric network: two provinces' peers, a Raft orderer and the
 * chaincode as a service, brought up for this run in its own folder and ports and torn down after.
 * Without Fabric binaries (FABRIC_BIN or PATH) it skips itself and says why; `npm run test:fabric`
 * sets FABRIC_REQUIRED=1, which turns that skip into a failure.
 */
import { fabricAvailability, startFabricTestNetwork, stopFabricTestNetwork, type FabricTestNetwork } from '../support/fabric-network';
import { describeLedgerContract } from './ledger-contract';

describe('Fabric ledger', function () {
  let network: FabricTestNetwork | undefined;
  let skipped = false;

  before(async function () {
    this.timeout(180000);
    const fabric = fabricAvailability();
    if (!fabric.ok) {
      if (process.env.FABRIC_REQUIRED === '1') throw new Error(`Fabric tests are required (FABRIC_REQUIRED=1) but cannot run: ${fabric.reason}`);
      console.log(`    Fabric tests skipped: ${fabric.reason}`);
      skipped = true;
      this.skip();
    }
    network = await startFabricTestNetwork();
    console.log(`    Fabric test network up in ${network.upSeconds.toFixed(1)} s (port base ${network.plan.portBase}, ${network.plan.runDir})`);
  });

  after(async function () {
    this.timeout(60000);
    // Also after a failed bring-up: whatever it had started is recorded in the test run folder.
    if (!skipped) await stopFabricTestNetwork();
  });

  describeLedgerContract('fabric', () => {
    if (!network) throw new Error('the Fabric test network is not up');
    return network.fixture();
  }, 60000);
});
