import { createTestNetwork } from '../support/embedded-network';
import { tempDir } from '../support/temp-dir';
import { describeLedgerContract } from './ledger-contract';

describeLedgerContract('embedded ledger', async () => {
  const dir = tempDir();
  const network = await createTestNetwork(dir.path);
  return {
    ...network,
    close: async () => {
      await network.close();
      dir.remove();
    },
  };
});
