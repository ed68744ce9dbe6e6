/**
 * Application identities in the wallet, enrolled through each province's Fabric CA with the
 * attributes the chaincode authorizes on: the province admin (role=admin), a reader with no role
 * (the registry server verifies through it), a bundle signer (role=bundle-signer), and an issuer for each of its agencies
 * (role=issuer, agency=<id>). Labels are the embedded ledger's: admin@ZhejiangMSP,
 * zj-psb-issuer@ZhejiangMSP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enrollWithFabricCa, type FabricCaConnection, type FabricEnrollment, type Registrar } from '../../server/src/adapters/identity/fabric-ca';
import type { IdentityWallet } from '../../server/src/adapters/identity/wallet';
import { REGISTRAR_ID, onlyFile, registrarMsp } from './ca';
import { caCertPath } from './fabric-env';
import type { NetworkPlan, ProvincePlan } from './plan';

export function caConnection(province: ProvincePlan): FabricCaConnection {
  return {
    url: `https://127.0.0.1:${province.org.caPort}`,
    caName: province.org.caName,
    tlsCaCertificate: readFileSync(caCertPath(province.org), 'utf8'),
    mspId: province.mspId,
  };
}

/** The CA's registrar, as the fabric-ca-client CLI enrolled it into the run folder. */
export function registrarOf(province: ProvincePlan): Registrar {
  const msp = registrarMsp(province.org);
  const keystore = join(msp, 'keystore');
  return {
    enrollmentId: REGISTRAR_ID,
    certificate: readFileSync(join(msp, 'signcerts', 'cert.pem'), 'utf8'),
    privateKey: readFileSync(join(keystore, onlyFile(keystore)), 'utf8'),
  };
}

/** Registers and enrolls one identity of a province into the wallet; returns its label. */
export function enrollProvinceIdentity(wallet: IdentityWallet, province: ProvincePlan, enrollment: FabricEnrollment, refresh = false): Promise<string> {
  return enrollWithFabricCa(wallet, caConnection(province), registrarOf(province), enrollment, {
    caCertificate: readFileSync(caCertPath(province.org), 'utf8'),
    refresh,
  });
}

export function demoIdentities(province: ProvincePlan): FabricEnrollment[] {
  return [
    { enrollmentId: 'admin', attributes: { role: 'admin' } },
    // A member with no role: the registry server reads and verifies through it.
    { enrollmentId: 'verifier', attributes: {} },
    // Signs the offline bundles a counter checks against the provinces' roots (no chaincode rights).
    { enrollmentId: 'bundle-signer', attributes: { role: 'bundle-signer' } },
    ...province.agencies.map((agency) => ({ enrollmentId: `${agency.id}-issuer`, attributes: { role: 'issuer', agency: agency.id } })),
  ];
}

export async function enrollDemoIdentities(plan: NetworkPlan, wallet: IdentityWallet): Promise<string[]> {
  const labels: string[] = [];
  for (const province of plan.provinces) {
    for (const enrollment of demoIdentities(province)) labels.push(await enrollProvinceIdentity(wallet, province, enrollment));
  }
  return labels;
}
