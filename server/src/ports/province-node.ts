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
  /**
   * Wallet label of the province's bundle signer (role=bundle-signer): signs offline bundles with a
   * certificate the province CA issued, so a counter checks them against the trust anchor. Null
   * when the ledger's network enrolled none.
   */
  bundleSignerIdentity: string | null;
}

export interface DemoAgency {
  id: string;
  name: string;
  province: string;
  licenseTypes: string[];
}
