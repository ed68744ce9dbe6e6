/**
 * Verifying a certified JWS (RFC 7515 §4.1.6 `x5c`), one way for the Node and the browser
 * certificate readers, which differ only in how a certificate is read (`CertificateReader`): the
 * chain (1 to MAX_CHAIN certificates, leaf first, standard base64 — a certificate constructor would
 * also take hex or PEM, so only this alphabet passes) must end at a root of the trust anchor, each
 * link signed by the next, every certificate in date, intermediates CAs and the leaf not, the leaf
 * holding the role asked; then jose checks the signature with the leaf's key. The key comes from
 * the chain only after the chain is proven; nothing else in the header is consulted. Free of node:.
 */
import { decodeProtectedHeader, jwtVerify, type CryptoKey, type KeyObject } from 'jose';
import { RegistryError } from '../../../../core/errors';
import type { CertifiedDocument, CertifiedRoots } from '../../ports/certified-documents';

/** A leaf and at most a few intermediates: anything longer is not a chain a province CA makes. */
const MAX_CHAIN = 4;

/** What the checks need of a certificate, from Node's X509Certificate or @peculiar/x509's. */
export interface CertificateReader<Certificate> {
  fromBase64(der: string): Certificate;
  fromPem(pem: string): Certificate;
  validAt(cert: Certificate, now: Date): boolean;
  isCa(cert: Certificate): boolean;
  /** The issuer's subject is the certificate's issuer, and its key signed it. */
  issuedBy(cert: Certificate, issuer: Certificate): boolean | Promise<boolean>;
  sameCertificate(a: Certificate, b: Certificate): boolean;
  /** As Node spells it (`C=CN, …, CN=bundle-signer`), so verdicts read the same on both. */
  subject(cert: Certificate): string;
  /** The Fabric CA `role` attribute. */
  role(cert: Certificate): string | undefined;
  publicKey(cert: Certificate): Promise<CryptoKey | KeyObject>;
}

export interface CertifiedOptions {
  typ: string;
  role: string;
  roots: readonly CertifiedRoots[];
  now: Date;
}

function refuse(message: string): never {
  throw new RegistryError('BUNDLE_REFUSED', message);
}

function chainOf<Certificate>(jws: string, reader: CertificateReader<Certificate>): Certificate[] {
  let x5c: unknown;
  try {
    x5c = decodeProtectedHeader(jws).x5c;
  } catch {
    refuse('the bundle is not a compact JWS');
  }
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN) refuse(`the bundle's x5c must hold 1 to ${MAX_CHAIN} certificates`);
  return x5c.map((entry) => {
    if (typeof entry !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry)) refuse('an x5c entry is not base64 text');
    try {
      return reader.fromBase64(entry);
    } catch {
      return refuse('an x5c certificate cannot be parsed');
    }
  });
}

/** The MSP whose root ends the chain; each link signed by the next, every certificate in date. */
async function checkChain<Certificate>(chain: Certificate[], reader: CertificateReader<Certificate>, options: CertifiedOptions): Promise<string> {
  for (const [index, cert] of chain.entries()) {
    if (!reader.validAt(cert, options.now)) refuse(`certificate ${reader.subject(cert)} is not valid at ${options.now.toISOString()}`);
    if (index > 0 && !reader.isCa(cert)) refuse('an intermediate x5c certificate is not a CA');
    const next = chain[index + 1];
    if (next && !(await reader.issuedBy(cert, next))) refuse('the x5c certificates do not form a chain');
  }
  const last = chain.at(-1);
  if (last === undefined) return refuse('the bundle carries no certificate');
  for (const org of options.roots) {
    for (const pem of org.rootCertificates) {
      const root = reader.fromPem(pem);
      if (!reader.validAt(root, options.now)) continue;
      if (reader.sameCertificate(last, root) || (await reader.issuedBy(last, root))) return org.mspId;
    }
  }
  return refuse('the signing certificate does not chain to a root of the trust anchor');
}

export async function verifyCertifiedJws<Certificate>(
  jws: string,
  options: CertifiedOptions,
  reader: CertificateReader<Certificate>,
): Promise<CertifiedDocument> {
  const chain = chainOf(jws, reader);
  const leaf = chain[0] as Certificate;
  if (reader.isCa(leaf)) refuse('a CA certificate cannot sign a bundle');
  const mspId = await checkChain(chain, reader, options);
  const role = reader.role(leaf);
  if (role !== options.role) refuse(`the signing certificate has role ${role ?? '(none)'}, not ${options.role}`);
  try {
    const { payload } = await jwtVerify(jws, await reader.publicKey(leaf), { algorithms: ['ES256'], typ: options.typ, currentDate: options.now });
    return { claims: payload, mspId, subject: reader.subject(leaf) };
  } catch (error) {
    return refuse(`the bundle's signature or header does not verify: ${error instanceof Error ? error.message : String(error)}`);
  }
}
