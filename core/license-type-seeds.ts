/**
 * The license types the ledger knows from day one. The chaincode seeds its type registry from this
 * list; more types are registered on the ledger as data, with no chaincode upgrade. Field rules
 * for the off-chain record live in license-types.ts (the server's side).
 */
export interface LicenseTypeSeed {
  id: string;
  names: { zh: string; en: string };
}

export const LICENSE_TYPE_SEEDS: readonly LicenseTypeSeed[] = [
  { id: 'id-card', names: { zh: '居民身份证', en: 'Resident Identity Card' } },
  { id: 'business-license', names: { zh: '营业执照', en: 'Business License' } },
  { id: 'property-certificate', names: { zh: '不动产权证书', en: 'Real Property Certificate' } },
];
