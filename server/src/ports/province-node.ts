/**
 * The provinces this server is a node of, as the ledger adapters open them: each province's
 * wallet labels for administering and reading, and the agencies a network plan seeds. Adapters
 * produce these and services consume them, so they live here, beside the Ledger port.
 */
export interface ProvinceNode {
  code: string;
  name: string;
  mspId: string;
  /** Wallet label of the province's admin (role=admin): binds the province, registers agencies. */
  adminIdentity: string;
  /** Wallet label of a role-less member identity: reads and verifies through the province's peer. */
  readerIdentity: string;
}

export interface DemoAgency {
  id: string;
  name: string;
  province: string;
  licenseTypes: string[];
}
