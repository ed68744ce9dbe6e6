import { expect } from 'chai';
import * as jose from 'jose';
describe('toolchain', () => {
  it('loads ESM-only chai and jose from CommonJS', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
    const jws = await new jose.CompactSign(Buffer.from('x')).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    const { payload } = await jose.compactVerify(jws, publicKey);
    expect(Buffer.from(payload).toString()).to.equal('x');
  });
});
