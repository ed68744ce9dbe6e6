/**
 * fabric-shim builds a ClientIdentity for every transaction it dispatches, parsing the creator's
 * PEM certificate with @fidm/x509 each time (in pure JavaScript ASN.1). Profiling the embedded
 * ledger's evaluate showed that parse at 47% of its time, for the handful of certificates a node
 * ever uses. A certificate's text determines its parse, and ClientIdentity only reads the result
 * (subject, issuer, extensions), so the parse is remembered per PEM text; which identity may act
 * is still decided per call by Membership (its chain, validity and key) and by the contracts.
 *
 * The memo is installed on the @fidm/x509 that fabric-shim itself loads. Imported before anything
 * that dispatches a transaction.
 */
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';

interface CertificateClass {
  fromPEM(data: Buffer | string): object;
}

/** A node's wallet holds a few dozen identities; this bounds a long-running node that sees many more. */
const MAX_CERTIFICATES = 1000;

const shimRequire = createRequire(require.resolve('fabric-shim/lib/chaincode'));
const { Certificate } = shimRequire('@fidm/x509') as { Certificate: CertificateClass };
const parse = Certificate.fromPEM.bind(Certificate);
const parsed = new LRUCache<string, object>({ max: MAX_CERTIFICATES });

Certificate.fromPEM = (data) => {
  const pem = typeof data === 'string' ? data : data.toString('latin1');
  let certificate = parsed.get(pem);
  if (certificate === undefined) {
    certificate = parse(data);
    parsed.set(pem, certificate);
  }
  return certificate;
};
