/**
 * The CertifiedVerifier a browser runs (the counter page offline): the same checks as
 * X509CertifiedVerifier (certified-jwt.ts) — chain to a root of the trust anchor, every
 * certificate valid at `now`, CA flags, the Fabric CA role attribute, the signature by jose — over
 * WebCrypto, with @peculiar/x509 reading the certificates where Node has X509Certificate. Node 20
 * has WebCrypto too, so the tests run it beside the Node adapter against the same bundles.
 */
// tsyringe, which @peculiar/x509 registers its parsers with, needs the Reflect metadata API first.
import 'reflect-metadata';
import { BasicConstraintsExtension, X509Certificate } from '@peculiar/x509';
import { importSPKI } from 'jose';
import type { CertifiedDocument, CertifiedVerifier } from '../../ports/certified-documents';
import { FABRIC_ATTRS_OID, parseFabricAttributes } from './fabric-attributes';
import { verifyCertifiedJws, type CertificateReader, type CertifiedOptions } from './x5c';

function sameBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  const left = new Uint8Array(a);
  const right = new Uint8Array(b);
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

const WEBCRYPTO_CERTIFICATES: CertificateReader<X509Certificate> = {
  fromBase64: (der) => new X509Certificate(der),
  fromPem: (pem) => new X509Certificate(pem),
  validAt: (cert, now) => cert.notBefore.getTime() <= now.getTime() && now.getTime() <= cert.notAfter.getTime(),
  isCa: (cert) => cert.getExtension(BasicConstraintsExtension)?.ca === true,
  // Node's checkIssued + verify.
  issuedBy: async (cert, issuer) => {
    if (cert.issuer !== issuer.subject) return false;
    try {
      return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
    } catch {
      return false;
    }
  },
  sameCertificate: (a, b) => sameBytes(a.rawData, b.rawData),
  subject: (cert) => cert.subject,
  role: (cert) => {
    const extension = cert.extensions.find((candidate) => candidate.type === FABRIC_ATTRS_OID);
    return extension ? parseFabricAttributes(new TextDecoder().decode(extension.value)).role : undefined;
  },
  publicKey: (cert) => importSPKI(cert.publicKey.toString('pem'), 'ES256'),
};

export class WebCryptoCertifiedVerifier implements CertifiedVerifier {
  verify(jws: string, options: CertifiedOptions): Promise<CertifiedDocument> {
    return verifyCertifiedJws(jws, options, WEBCRYPTO_CERTIFICATES);
  }
}
