/**
 * A province's organisation on the embedded ledger: its local CA (kept under <DATA_DIR>/ca/<msp>,
 * as a Fabric CA server keeps its home) and the identities it enrolls into the shared wallet.
 * The Fabric mode does the same with a real Fabric CA and fabric-ca-client.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, enroll, type CaMaterial } from './local-ca';
import type { IdentityWallet } from './wallet';

/** Wallet labels read `<enrollmentId>@<mspId>`, as fabric-samples name their identities. */
export function identityLabel(enrollmentId: string, mspId: string): string {
  return `${enrollmentId}@${mspId}`;
}

/** Loads the org's CA from `caRoot/<mspId>`, creating it on first use. */
export function ensureLocalCa(caRoot: string, mspId: string, organization: string): CaMaterial {
  const dir = join(caRoot, mspId);
  const certPath = join(dir, 'ca-cert.pem');
  const keyPath = join(dir, 'ca-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { certificate: readFileSync(certPath, 'utf8'), privateKey: readFileSync(keyPath, 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = createCa({ country: 'CN', organization, commonName: `ca.${mspId.toLowerCase()}` });
  writeFileSync(keyPath, ca.privateKey, { mode: 0o600 });
  writeFileSync(certPath, ca.certificate);
  return ca;
}

export interface EnrollOptions {
  enrollmentId: string;
  mspId: string;
  attributes: Record<string, string>;
  type?: 'client' | 'admin';
}

/** Issues a certificate with the given attributes and stores it in the wallet; returns the label. */
export async function enrollLocal(wallet: IdentityWallet, ca: CaMaterial, options: EnrollOptions): Promise<string> {
  const label = identityLabel(options.enrollmentId, options.mspId);
  const enrollment = enroll(ca, { enrollmentId: options.enrollmentId, attributes: options.attributes, type: options.type ?? 'client' });
  await wallet.put(label, { mspId: options.mspId, certificate: enrollment.certificate, privateKey: enrollment.privateKey });
  return label;
}
