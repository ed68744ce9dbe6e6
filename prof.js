const path = require('path'); const os = require('os'); const fs = require('fs');
const D = '/work/main/dist/server/src/adapters/';
const { EmbeddedLedger } = require(D + 'embedded-ledger/embedded-ledger.js');
const { IdentityWallet } = require(D + 'identity/wallet.js');
const { ensureLocalCa, enrollLocal } = require(D + 'identity/local-org.js');
const { generateKeyPairSync, createHash } = require('crypto');
(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-'));
  const wallet = await IdentityWallet.open(path.join(dir, 'wallet'));
  const zj = ensureLocalCa(path.join(dir, 'ca'), 'ZhejiangMSP', 'Zhejiang');
  const admin = await enrollLocal(wallet, zj, { enrollmentId: 'admin', mspId: 'ZhejiangMSP', attributes: { role: 'admin' }, type: 'admin' });
  const issuer = await enrollLocal(wallet, zj, { enrollmentId: 'zj-psb-issuer', mspId: 'ZhejiangMSP', attributes: { role: 'issuer', agency: 'zj-psb' } });
  const ledger = await EmbeddedLedger.open({ dir: path.join(dir, 'ledger'), wallet, genesis: { channel: 'elicense', organizations: [{ mspId: 'ZhejiangMSP', rootCertificates: [zj.certificate] }] } });
  await ledger.submit(admin, 'trust:RegisterProvince', ['330000']);
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  await ledger.submit(admin, 'trust:RegisterAgency', [JSON.stringify({ id: 'zj-psb', name: 'x', province: '330000', licenseTypes: ['id-card'], jwk })]);
  const h = (s) => createHash('sha256').update(s).digest('hex');
  await ledger.submit(issuer, 'license:IssueLicense', [JSON.stringify({ id: 'LIC00000001', type: 'id-card', agencyId: 'zj-psb', docHash: h('d1'), holderRef: h('h1'), validFrom: '2024-01-01', validUntil: '2034-01-01' })]);
  const mode = process.argv[2];
  let t = Date.now(), n = 0;
  while (Date.now() - t < 3000) { await ledger.evaluate(issuer, 'license:VerifyLicense', ['LIC00000001', h('d1')]); n++; }
  console.log('evaluate/s', n / 3);
  await ledger.close();
})();
