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
import { importSPKI, jwtVerify } from 'jose';
import { RegistryError } from '../../../../core/errors';
import { x5cChain } from './x5c';
import type { CertifiedDocument, CertifiedRoots, CertifiedVerifier } from '../../ports/certified-documents';
import { FABRIC_ATTRS_OID, parseFabricAttributes } from './fabric-attributes';

function refuse(message: string): never {
  throw new RegistryError('BUNDLE_REFUSED', message);
}

function chainOf(jws: string): X509Certificate[] {
  return x5cChain(jws, (entry) => new X509Certificate(entry));
}

function isCa(cert: X509Certificate): boolean {
  return cert.getExtension(BasicConstraintsExtension)?.ca === true;
}

function validAt(cert: X509Certificate, now: Date): boolean {
  return cert.notBefore.getTime() <= now.getTime() && now.getTime() <= cert.notAfter.getTime();
}

function sameBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  const left = new Uint8Array(a);
  const right = new Uint8Array(b);
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

/** Node's checkIssued + verify: the issuer's subject is the certificate's issuer, and its key signed it. */
async function issuedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/** Subject as the Node adapter spells it (`C=CN, …, CN=bundle-signer`), so verdicts read the same. */
function subjectOf(cert: X509Certificate): string {
  return cert.subject;
}

function roleOf(cert: X509Certificate): string | undefined {
  const extension = cert.extensions.find((candidate) => candidate.type === FABRIC_ATTRS_OID);
  return extension ? parseFabricAttributes(new TextDecoder().decode(extension.value)).role : undefined;
}

/** The MSP whose root ends the chain; each link signed by the next, every certificate in date. */
async function checkChain(chain: X509Certificate[], roots: readonly CertifiedRoots[], now: Date): Promise<string> {
  for (const [index, cert] of chain.entries()) {
    if (!validAt(cert, now)) refuse(`certificate ${subjectOf(cert)} is not valid at ${now.toISOString()}`);
    if (index > 0 && !isCa(cert)) refuse('an intermediate x5c certificate is not a CA');
    const next = chain[index + 1];
    if (next && !(await issuedBy(cert, next))) refuse('the x5c certificates do not form a chain');
  }
  const last = chain.at(-1);
  if (!last) return refuse('the bundle carries no certificate');
  for (const org of roots) {
    for (const pem of org.rootCertificates) {
      const root = new X509Certificate(pem);
      if (!validAt(root, now)) continue;
      if (sameBytes(last.rawData, root.rawData) || (await issuedBy(last, root))) return org.mspId;
    }
  }
  return refuse('the signing certificate does not chain to a root of the trust anchor');
}

export class WebCryptoCertifiedVerifier implements CertifiedVerifier {
  async verify(jws: string, options: { typ: string; role: string; roots: readonly CertifiedRoots[]; now: Date }): Promise<CertifiedDocument> {
    const chain = chainOf(jws);
    const leaf = chain[0] as X509Certificate;
    if (isCa(leaf)) refuse('a CA certificate cannot sign a bundle');
    const mspId = await checkChain(chain, options.roots, options.now);
    const role = roleOf(leaf);
    if (role !== options.role) refuse(`the signing certificate has role ${role ?? '(none)'}, not ${options.role}`);
    try {
      const key = await importSPKI(leaf.publicKey.toString('pem'), 'ES256');
      const { payload } = await jwtVerify(jws, key, { algorithms: ['ES256'], typ: options.typ, currentDate: options.now });
      return { claims: payload, mspId, subject: subjectOf(leaf) };
    } catch (error) {
      return refuse(`the bundle's signature or header does not verify: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
