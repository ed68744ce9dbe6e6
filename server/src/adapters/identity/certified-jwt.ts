/**
 * JWTs signed by a wallet identity, with the X.509 chain in `x5c` (RFC 7515 §4.1.6): jose signs
 * and verifies, node's X509Certificate checks the chain, validity and CA flags. The key used to
 * verify comes from the chain only after the chain is proven to end at a trusted root; nothing
 * else in the header is consulted.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { RegistryError } from '../../../../core/errors';
import { x5cChain } from './x5c';
import type { CertifiedDocument, CertifiedRoots, CertifiedSigner, CertifiedVerifier } from '../../ports/certified-documents';
import { certificateAttributes } from './local-ca';
import type { IdentityWallet } from './wallet';

function refuse(message: string): never {
  throw new RegistryError('BUNDLE_REFUSED', message);
}

export class WalletCertifiedSigner implements CertifiedSigner {
  constructor(private readonly wallet: IdentityWallet) {}

  async sign(identity: string, typ: string, claims: Record<string, unknown>): Promise<string> {
    const stored = await this.wallet.get(identity);
    if (!stored) throw new RegistryError('BUNDLE_UNAVAILABLE', `identity ${identity} is not in the wallet`);
    const leaf = new X509Certificate(stored.certificate);
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ, x5c: [leaf.raw.toString('base64')] }).sign(createPrivateKey(stored.privateKey));
  }
}

function chainOf(jws: string): X509Certificate[] {
  return x5cChain(jws, (entry) => new X509Certificate(Buffer.from(entry, 'base64')));
}

function validAt(cert: X509Certificate, now: Date): boolean {
  return Date.parse(cert.validFrom) <= now.getTime() && now.getTime() <= Date.parse(cert.validTo);
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** The MSP whose root ends the chain; each link signed by the next, every certificate in date. */
function checkChain(chain: X509Certificate[], roots: readonly CertifiedRoots[], now: Date): string {
  chain.forEach((cert, index) => {
    if (!validAt(cert, now)) refuse(`certificate ${cert.subject.replace(/\n/g, ', ')} is not valid at ${now.toISOString()}`);
    if (index > 0 && !cert.ca) refuse('an intermediate x5c certificate is not a CA');
    const next = chain[index + 1];
    if (next && !issuedBy(cert, next)) refuse('the x5c certificates do not form a chain');
  });
  const last = chain.at(-1);
  if (!last) return refuse('the bundle carries no certificate');
  for (const org of roots) {
    for (const pem of org.rootCertificates) {
      const root = new X509Certificate(pem);
      if (!validAt(root, now)) continue;
      if (last.raw.equals(root.raw) || issuedBy(last, root)) return org.mspId;
    }
  }
  return refuse('the signing certificate does not chain to a root of the trust anchor');
}

export class X509CertifiedVerifier implements CertifiedVerifier {
  async verify(jws: string, options: { typ: string; role: string; roots: readonly CertifiedRoots[]; now: Date }): Promise<CertifiedDocument> {
    const chain = chainOf(jws);
    const leaf = chain[0] as X509Certificate;
    if (leaf.ca) refuse('a CA certificate cannot sign a bundle');
    const mspId = checkChain(chain, options.roots, options.now);
    const role = certificateAttributes(leaf).role;
    if (role !== options.role) refuse(`the signing certificate has role ${role ?? '(none)'}, not ${options.role}`);
    try {
      const { payload } = await jwtVerify(jws, leaf.publicKey, { algorithms: ['ES256'], typ: options.typ, currentDate: options.now });
      return { claims: payload, mspId, subject: leaf.subject.replace(/\n/g, ', ') };
    } catch (error) {
      return refuse(`the bundle's signature or header does not verify: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
