/**
 * Documents signed by a ledger identity's X.509 certificate rather than by a key filed in the
 * trust registry: a compact JWS (ES256) whose `x5c` header carries the certificate chain, checked
 * against the provinces' root CAs (the trust anchor). Offline bundles are signed so.
 */
export interface CertifiedSigner {
  /** Signs `claims` as a JWT with header { alg: ES256, typ, x5c } by the wallet identity `identity`. */
  sign(identity: string, typ: string, claims: Record<string, unknown>): Promise<string>;
}

export interface CertifiedRoots {
  mspId: string;
  /** PEM certificates. */
  rootCertificates: string[];
}

export interface CertifiedDocument {
  claims: Record<string, unknown>;
  /** The MSP whose root the signing certificate chains to. */
  mspId: string;
  /** The signing certificate's subject, e.g. `CN=bundle-signer`. */
  subject: string;
}

export interface CertifiedVerifier {
  /**
   * The claims of `jws` when its `typ` is `typ`, its signature verifies with the first `x5c`
   * certificate, that certificate carries the Fabric CA attribute role=`role`, and the chain ends
   * at one of `roots`, every certificate valid at `now`. Otherwise throws RegistryError
   * BUNDLE_REFUSED naming what failed.
   */
  verify(jws: string, options: { typ: string; role: string; roots: readonly CertifiedRoots[]; now: Date }): Promise<CertifiedDocument>;
}
