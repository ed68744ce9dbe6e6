/**
 * JWTs signed by a wallet identity, with the X.509 chain in `x5c` (RFC 7515 §4.1.6): jose signs;
 * verifying is x5c.ts's, with node's X509Certificate reading the certificates.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { RegistryError } from '../../../../core/errors';
import type { CertifiedDocument, CertifiedSigner, CertifiedVerifier } from '../../ports/certified-documents';
import { certificateAttributes } from './local-ca';
import type { IdentityWallet } from './wallet';
import { verifyCertifiedJws, type CertificateReader, type CertifiedOptions } from './x5c';

export class WalletCertifiedSigner implements CertifiedSigner {
  constructor(private readonly wallet: IdentityWallet) {}

  async sign(identity: string, typ: string, claims: Record<string, unknown>): Promise<string> {
    const stored = await this.wallet.get(identity);
    if (!stored) throw new RegistryError('BUNDLE_UNAVAILABLE', `identity ${identity} is not in the wallet`);
    const leaf = new X509Certificate(stored.certificate);
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ, x5c: [leaf.raw.toString('base64')] }).sign(createPrivateKey(stored.privateKey));
  }
}

const NODE_CERTIFICATES: CertificateReader<X509Certificate> = {
  fromBase64: (der) => new X509Certificate(Buffer.from(der, 'base64')),
  fromPem: (pem) => new X509Certificate(pem),
  validAt: (cert, now) => Date.parse(cert.validFrom) <= now.getTime() && now.getTime() <= Date.parse(cert.validTo),
  isCa: (cert) => cert.ca,
  issuedBy: (cert, issuer) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey),
  sameCertificate: (a, b) => a.raw.equals(b.raw),
  subject: (cert) => cert.subject.replace(/\n/g, ', '),
  role: (cert) => certificateAttributes(cert).role,
  publicKey: (cert) => Promise.resolve(cert.publicKey),
};

export class X509CertifiedVerifier implements CertifiedVerifier {
  verify(jws: string, options: CertifiedOptions): Promise<CertifiedDocument> {
    return verifyCertifiedJws(jws, options, NODE_CERTIFICATES);
  }
}
