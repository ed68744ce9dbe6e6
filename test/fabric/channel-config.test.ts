/**
 * The trust anchor on Fabric is read from the channel's config block (qscc GetConfigBlock). Here
 * the block is made by Fabric's own configtxgen from two provinces' MSP folders, and decoded by
 * the adapter's code: each province's root certificate comes back byte for byte. Needs only the
 * configtxgen binary (skipped without Fabric, like the rest of test/fabric).
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelOrganizations } from '../../server/src/adapters/fabric-ledger/qscc';
import { createCa } from '../../server/src/adapters/identity/local-ca';
import { fabricAvailability } from '../support/fabric-network';
import { tempDir } from '../support/temp-dir';

const ORGS = ['OrdererMSP', 'ZhejiangMSP', 'SichuanMSP'] as const;

function organization(mspId: string): string {
  const policies = ['Readers', 'Writers', 'Admins', ...(mspId === 'OrdererMSP' ? [] : ['Endorsement'])];
  return [
    `  - &${mspId}`,
    `    Name: ${mspId}`,
    `    ID: ${mspId}`,
    `    MSPDir: ${mspId}/msp`,
    '    Policies:',
    ...policies.map((policy) => `      ${policy}: { Type: Signature, Rule: "OR('${mspId}.member')" }`),
  ].join('\n');
}

const META = [
  'Readers: { Type: ImplicitMeta, Rule: "ANY Readers" }',
  'Writers: { Type: ImplicitMeta, Rule: "ANY Writers" }',
  'Admins: { Type: ImplicitMeta, Rule: "MAJORITY Admins" }',
];

/** The smallest configtx.yaml for an application channel block (a solo orderer: no consenter certificates needed). */
function configtx(): string {
  const policies = (indent: string, extra: string[] = []) => [...META, ...extra].map((line) => `${indent}${line}`).join('\n');
  return `Organizations:
${ORGS.map(organization).join('\n')}
Profiles:
  Elicense:
    Capabilities: { V2_0: true }
    Policies:
${policies('      ')}
    Orderer:
      OrdererType: solo
      Addresses: [127.0.0.1:7050]
      BatchTimeout: 2s
      BatchSize: { MaxMessageCount: 10, AbsoluteMaxBytes: 99 MB, PreferredMaxBytes: 512 KB }
      Organizations: [*OrdererMSP]
      Capabilities: { V2_0: true }
      Policies:
${policies('        ', ['BlockValidation: { Type: ImplicitMeta, Rule: "ANY Writers" }'])}
    Application:
      Organizations: [*ZhejiangMSP, *SichuanMSP]
      Capabilities: { V2_0: true }
      Policies:
${policies('        ', ['LifecycleEndorsement: { Type: ImplicitMeta, Rule: "MAJORITY Endorsement" }', 'Endorsement: { Type: ImplicitMeta, Rule: "MAJORITY Endorsement" }'])}
`;
}

describe('Fabric channel configuration: the trust anchor source', function () {
  this.timeout(30000);
  const dir = tempDir('elicense-configtx-');
  after(() => dir.remove());

  it("reads each province's MSP root certificates from a config block Fabric's configtxgen made", function () {
    const fabric = fabricAvailability();
    if (!fabric.ok) {
      if (process.env.FABRIC_REQUIRED === '1') throw new Error(fabric.reason);
      this.skip();
    }
    const roots = new Map<string, string>();
    for (const mspId of ORGS) {
      const ca = createCa({ country: 'CN', organization: mspId, commonName: `ca.${mspId.toLowerCase()}` });
      mkdirSync(join(dir.path, mspId, 'msp', 'cacerts'), { recursive: true });
      writeFileSync(join(dir.path, mspId, 'msp', 'cacerts', 'ca.pem'), ca.certificate);
      roots.set(mspId, ca.certificate);
    }
    writeFileSync(join(dir.path, 'configtx.yaml'), configtx());
    const block = join(dir.path, 'elicense.block');
    execFileSync(fabric.install.bin.configtxgen, ['-configPath', dir.path, '-profile', 'Elicense', '-outputBlock', block, '-channelID', 'elicense'], {
      stdio: 'pipe',
    });

    const organizations = channelOrganizations(readFileSync(block));
    expect(organizations.map((org) => org.mspId).sort()).to.deep.equal(['SichuanMSP', 'ZhejiangMSP']);
    for (const org of organizations) expect(org.rootCertificates).to.deep.equal([roots.get(org.mspId)]);
  });
});
