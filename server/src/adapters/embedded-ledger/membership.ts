/**
 * Channel membership: which MSPs belong to the channel and which CA roots vouch for each, as a
 * peer's MSP manager reads them from the latest config block. An identity is accepted only if its
 * certificate was issued by a root of the MSP it claims, is within its validity, is not a CA, and
 * the wallet's private key belongs to it.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { RegistryError } from '../../../../core/errors';
import type { ChannelConfig } from './blocks';

export interface Creator {
  mspid: string;
  idBytes: Buffer;
}

interface Vouched {
  mspId: string;
  notBefore: number;
  notAfter: number;
  publicKey: Buffer;
  /** The certificate's bytes, as the proposal's creator carries them. */
  idBytes: Buffer;
}

export class Membership {
  private readonly roots = new Map<string, X509Certificate[]>();
  /** Certificates already checked against the roots, so a repeated caller costs a map lookup. */
  private readonly vouched = new Map<string, Vouched>();
  /** The wallet key already matched to each certificate. */
  private readonly keyMatches = new Map<string, string>();

  constructor(readonly config: ChannelConfig) {
    for (const org of config.organizations) {
      this.roots.set(
        org.mspId,
        org.rootCertificates.map((pem) => new X509Certificate(pem)),
      );
    }
  }

  has(mspId: string): boolean {
    return this.roots.has(mspId);
  }

  /** Checks a wallet identity and returns the creator a peer would put in the proposal. */
  authenticate(mspId: string, certificate: string, privateKey: string, now: Date): Creator {
    const vouched = this.authenticateCertificate(mspId, certificate, now);
    // Called on every evaluate: the cached key and bytes spare a string join and a copy per call.
    if (this.keyMatches.get(certificate) !== privateKey) {
      const ownKey = createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'der' });
      if (!ownKey.equals(vouched.publicKey)) throw new RegistryError('UNAUTHENTICATED', 'the private key does not belong to the certificate');
      this.keyMatches.set(certificate, privateKey);
    }
    return { mspid: mspId, idBytes: vouched.idBytes };
  }

  /** The certificate was issued by a root of `mspId`, is no CA, and is valid at `now`. */
  authenticateCertificate(mspId: string, certificate: string, now: Date): Vouched {
    let vouched = this.vouched.get(certificate);
    if (vouched?.mspId !== mspId) {
      vouched = this.checkChain(mspId, certificate);
      this.vouched.set(certificate, vouched);
    }
    if (now.getTime() < vouched.notBefore || now.getTime() >= vouched.notAfter) {
      throw new RegistryError('UNAUTHENTICATED', `the certificate is outside its validity at ${now.toISOString()}`);
    }
    return vouched;
  }

  private checkChain(mspId: string, certificate: string): Vouched {
    const roots = this.roots.get(mspId);
    if (!roots) throw new RegistryError('UNAUTHENTICATED', `MSP ${mspId} is not a member of channel ${this.config.channel}`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certificate);
    } catch {
      throw new RegistryError('UNAUTHENTICATED', 'the identity certificate cannot be parsed');
    }
    if (cert.ca) throw new RegistryError('UNAUTHENTICATED', 'a CA certificate cannot sign transactions');
    if (!roots.some((root) => cert.checkIssued(root) && cert.verify(root.publicKey))) {
      throw new RegistryError('UNAUTHENTICATED', `the certificate was not issued by a CA of ${mspId}`);
    }
    return {
      mspId,
      notBefore: Date.parse(cert.validFrom),
      notAfter: Date.parse(cert.validTo),
      publicKey: cert.publicKey.export({ type: 'spki', format: 'der' }),
      idBytes: Buffer.from(certificate, 'utf8'),
    };
  }
}
