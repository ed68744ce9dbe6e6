/**
 * A province's organisation on a real Fabric network: its Fabric CA registers identities with
 * the attributes the chaincode reads (`role`, `agency`, written into the enrollment certificate
 * with ecert: true) and enrolls them into the shared wallet, under the same labels the embedded
 * ledger uses (`<enrollmentId>@<mspId>`). The embedded mode does the same with local-org.ts.
 */
import '../fabric-ledger/quiet-sdk';
import { X509Certificate, randomBytes } from 'node:crypto';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import FabricCAServices from 'fabric-ca-client';
import { Wallets, type X509Identity } from 'fabric-network';
import { identityLabel } from './local-org';
import type { IdentityWallet } from './wallet';

export interface FabricCaConnection {
  /** https://127.0.0.1:7100 */
  url: string;
  caName: string;
  /** PEM of the CA's TLS root (for our CAs, the CA certificate itself). */
  tlsCaCertificate: string;
  mspId: string;
}

export interface Registrar {
  enrollmentId: string;
  certificate: string;
  privateKey: string;
}

export interface FabricEnrollment {
  enrollmentId: string;
  /** Fabric CA identity type, written into the certificate's OU. */
  type?: 'client' | 'admin';
  attributes: Record<string, string>;
}

interface RequestClient {
  request(options: RequestOptions, callback?: (response: IncomingMessage) => void): ClientRequest;
}

/**
 * fabric-ca-client 2.2 adds a 'timeout' listener to the socket of every request. On Node ≥ 19
 * the global agent keeps sockets alive, so one socket serves many requests and collects their
 * listeners (MaxListenersExceededWarning after ten). A connection per request, as the SDK was
 * written for: its private HTTP client gets `agent: false`, when it has the shape we know.
 */
function oneConnectionPerRequest(services: FabricCAServices): void {
  const client = (services as unknown as { _fabricCAClient?: { _httpClient?: RequestClient } })._fabricCAClient;
  const http = client?._httpClient;
  if (!client || typeof http?.request !== 'function') return;
  client._httpClient = { request: (options, callback) => http.request({ ...options, agent: false }, callback) };
}

function caClient(ca: FabricCaConnection): FabricCAServices {
  const services = new FabricCAServices(ca.url, { trustedRoots: [ca.tlsCaCertificate], verify: true }, ca.caName);
  oneConnectionPerRequest(services);
  return services;
}

async function registrarUser(ca: FabricCaConnection, registrar: Registrar) {
  const identity: X509Identity = {
    type: 'X.509',
    mspId: ca.mspId,
    credentials: { certificate: registrar.certificate, privateKey: registrar.privateKey },
  };
  // The SDK's X.509 provider turns an identity into the User a CA request is signed by; a wallet
  // is the public way to reach one.
  const provider = (await Wallets.newInMemoryWallet()).getProviderRegistry().getProvider('X.509');
  return provider.getUserContext(identity, registrar.enrollmentId);
}

/** True when `certificate` was issued by the CA whose certificate is `caCertificate`. */
export function issuedBy(certificate: string, caCertificate: string): boolean {
  try {
    const cert = new X509Certificate(certificate);
    const ca = new X509Certificate(caCertificate);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

function alreadyRegistered(error: unknown): boolean {
  return /already registered|code: 74/i.test(error instanceof Error ? error.message : String(error));
}

/**
 * Registers (or, when registered before, updates) the identity with a fresh one-time secret and
 * its attributes, enrolls it, and stores it in the wallet. Returns the wallet label. An identity the
 * wallet already holds from this CA is kept as it is, unless `refresh` asks for a new enrollment.
 */
export async function enrollWithFabricCa(
  wallet: IdentityWallet,
  ca: FabricCaConnection,
  registrar: Registrar,
  enrollment: FabricEnrollment,
  options: { caCertificate: string; refresh?: boolean },
): Promise<string> {
  const label = identityLabel(enrollment.enrollmentId, ca.mspId);
  const existing = await wallet.get(label);
  if (!options.refresh && existing?.mspId === ca.mspId && issuedBy(existing.certificate, options.caCertificate)) return label;

  const client = caClient(ca);
  const user = await registrarUser(ca, registrar);
  const secret = randomBytes(18).toString('base64url');
  const attrs = Object.entries(enrollment.attributes).map(([name, value]) => ({ name, value, ecert: true }));
  const type = enrollment.type ?? 'client';
  try {
    // maxEnrollments -1: the Node SDK's default is 1, which would make the identity unusable the
    // next time network:up refreshes it.
    await client.register({ enrollmentID: enrollment.enrollmentId, enrollmentSecret: secret, role: type, affiliation: '', maxEnrollments: -1, attrs }, user);
  } catch (error) {
    if (!alreadyRegistered(error)) throw error;
    const update = await client
      .newIdentityService()
      .update(
        enrollment.enrollmentId,
        { enrollmentID: enrollment.enrollmentId, affiliation: '', type, enrollmentSecret: secret, maxEnrollments: -1, attrs },
        user,
      );
    if (!update.success) throw new Error(`could not update ${enrollment.enrollmentId} at ${ca.caName}: ${JSON.stringify(update.errors)}`, { cause: error });
  }
  const enrolled = await client.enroll({ enrollmentID: enrollment.enrollmentId, enrollmentSecret: secret });
  await wallet.put(label, { mspId: ca.mspId, certificate: enrolled.certificate, privateKey: enrolled.key.toBytes() });
  return label;
}
