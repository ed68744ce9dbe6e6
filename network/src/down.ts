/**
 * network:down — stops exactly the processes network:up recorded in the run folder. With wipe it
 * also deletes the run folder (ledgers, CA databases, certificates) and takes the identities it
 * enrolled out of the wallet: their CAs are gone, so they would be refused by the next network.
 */
import { existsSync, rmSync } from 'node:fs';
import { IdentityWallet } from '../../server/src/adapters/identity/wallet';
import { stopRecordedProcesses } from './processes';
import { readNetworkState } from './profiles';

export interface DownResult {
  stopped: string[];
  killed: string[];
  wiped: boolean;
  removedLabels: string[];
}

export async function networkDown(runDir: string, options: { wipe?: boolean } = {}): Promise<DownResult> {
  const { stopped, killed } = await stopRecordedProcesses(runDir);
  const removedLabels: string[] = [];
  if (options.wipe) {
    const state = readNetworkState(runDir);
    if (state && existsSync(state.walletDir)) {
      const wallet = await IdentityWallet.open(state.walletDir);
      for (const label of state.walletLabels) {
        if (await wallet.remove(label)) removedLabels.push(label);
      }
    }
    rmSync(runDir, { recursive: true, force: true });
  }
  return { stopped, killed, wiped: Boolean(options.wipe), removedLabels };
}
