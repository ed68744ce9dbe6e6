/**
 * A province's local certificate authority for the embedded ledger: ECDSA P-256 certificates in
 * the shape Fabric CA issues, including its attribute extension (OID 1.2.3.4.5.6.7.8.1 holding
 * `{"attrs":{...}}`), so the chaincode's `ctx.clientIdentity` reads `role` and `agency` exactly
 * as on a peer. node-forge builds the ASN.1; node:crypto makes keys and signatures.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { FABRIC_ATTRS_OID, parseFabricAttributes } from './fabric-attributes';

const { asn1 } = forge;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

export interface DistinguishedName {
  country?: string;
  state?: string;
  locality?: string;
  organization?: string;
  organizationalUnit?: string;
  commonName: string;
}

export interface CaMaterial {
  certificate: string;
  privateKey: string;
}

export interface EnrollmentRequest {
  enrollmentId: string;
  /** Written into the certificate as Fabric CA does with `ecert: true` attributes. */
  attributes: Record<string, string>;
  /** Fabric CA's identity type: client, peer, orderer, admin (the DN's OU). */
  type?: 'client' | 'admin' | 'peer' | 'orderer';
  validDays?: number;
}

export interface Enrollment {
  certificate: string;
  privateKey: string;
}

type Asn1 = forge.asn1.Asn1;

function der(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

function fromDer(bytes: Buffer): Asn1 {
  return asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
}

function oid(value: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
}

function octets(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
}

function sequence(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function name(dn: DistinguishedName): Asn1 {
  const parts: Array<[string, string | undefined]> = [
    [OID.country, dn.country],
    [OID.state, dn.state],
    [OID.locality, dn.locality],
    [OID.organization, dn.organization],
    [OID.organizationalUnit, dn.organizationalUnit],
    [OID.commonName, dn.commonName],
  ];
  return sequence(
    parts
      .filter((part): part is [string, string] => part[1] !== undefined)
      .map(([type, value]) =>
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
          sequence([oid(type), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(value))]),
        ]),
      ),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Asn1 {
  const items = [oid(id)];
  if (critical) items.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)));
  items.push(octets(value));
  return sequence(items);
}

function bitString(bytes: Buffer, unusedBits: number): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(unusedBits) + bytes.toString('binary'));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // The EC point is the last 65 bytes of a P-256 SubjectPublicKeyInfo (uncompressed form).
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

function time(date: Date): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
}

interface CertificateSpec {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  issuerPublicKey: KeyObject;
  isCa: boolean;
  validDays: number;
  attributes?: Record<string, string>;
}

/** node-forge types every tag as a universal Type; a context-specific tag ([0], [3]) is its bare number. */
function contextTag(tag: number): forge.asn1.Type {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- see above: the tag number is the value forge writes
  return tag;
}

/** The TBSCertificate's `[3] extensions` tag number (RFC 5280 §4.1). */
const EXTENSIONS_TAG = contextTag(3);

function issueCertificate(spec: CertificateSpec): string {
  const notBefore = new Date(Date.now() - 5 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + spec.validDays * 24 * 3600 * 1000);
  // Positive 159-bit serial: RFC 5280 allows up to 20 octets, and the top bit clear keeps it positive.
  const serial = randomBytes(20);
  serial.writeUInt8(serial.readUInt8(0) & 0x7f, 0);
  const keyUsage = spec.isCa
    ? bitString(Buffer.from([0x06]), 1) // keyCertSign | cRLSign
    : bitString(Buffer.from([0x80]), 7); // digitalSignature
  const extensions: Asn1[] = [
    extension(OID.keyUsage, true, der(keyUsage)),
    extension(
      OID.basicConstraints,
      true,
      der(sequence(spec.isCa ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff))] : [])),
    ),
    extension(
      OID.subjectKeyIdentifier,
      false,
      der(octets(keyIdentifier(spec.subjectKey.type === 'private' ? createPublicKey(spec.subjectKey) : spec.subjectKey))),
    ),
  ];
  if (!spec.isCa) {
    const aki = sequence([asn1.create(asn1.Class.CONTEXT_SPECIFIC, contextTag(0), false, keyIdentifier(spec.issuerPublicKey).toString('binary'))]);
    extensions.push(extension(OID.authorityKeyIdentifier, false, der(aki)));
  }
  if (spec.attributes) {
    // Fabric CA stores the JSON bytes directly as the extension value (no inner DER wrapping).
    extensions.push(extension(FABRIC_ATTRS_OID, false, Buffer.from(JSON.stringify({ attrs: spec.attributes }), 'utf8')));
  }
  const subjectPublicKey = spec.subjectKey.type === 'private' ? createPublicKey(spec.subjectKey) : spec.subjectKey;
  const algorithm = sequence([oid(OID.ecdsaWithSha256)]);
  const tbs = sequence([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, contextTag(0), true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, serial.toString('binary')),
    algorithm,
    name(spec.issuer),
    sequence([time(notBefore), time(notAfter)]),
    name(spec.subject),
    fromDer(subjectPublicKey.export({ type: 'spki', format: 'der' })),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, EXTENSIONS_TAG, true, [sequence(extensions)]),
  ]);
  const tbsDer = der(tbs);
  const signature = sign('sha256', tbsDer, spec.issuerKey);
  const certificate = sequence([fromDer(tbsDer), sequence([oid(OID.ecdsaWithSha256)]), bitString(signature, 0)]);
  const body = der(certificate)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

function newKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function pkcs8(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A province CA, like `fabric-ca-server init` makes for an org: a self-signed P-256 root. */
export function createCa(subject: DistinguishedName, validDays = 3650): CaMaterial {
  const { privateKey, publicKey } = newKeyPair();
  const certificate = issueCertificate({
    subject,
    issuer: subject,
    subjectKey: publicKey,
    issuerKey: privateKey,
    issuerPublicKey: publicKey,
    isCa: true,
    validDays,
  });
  return { certificate, privateKey: pkcs8(privateKey) };
}

/** Issues an enrollment certificate with Fabric CA's attribute extension, for a fresh key pair. */
export function enroll(ca: CaMaterial, request: EnrollmentRequest): Enrollment {
  const caCert = new X509Certificate(ca.certificate);
  const caKey = createPrivateKey(ca.privateKey);
  const { privateKey, publicKey } = newKeyPair();
  const type = request.type ?? 'client';
  const attributes = {
    'hf.Affiliation': '',
    'hf.EnrollmentID': request.enrollmentId,
    'hf.Type': type,
    ...request.attributes,
  };
  const issuer = parseSubject(caCert.subject);
  const certificate = issueCertificate({
    subject: { ...issuer, organizationalUnit: type, commonName: request.enrollmentId },
    issuer,
    subjectKey: publicKey,
    issuerKey: caKey,
    issuerPublicKey: caCert.publicKey,
    isCa: false,
    validDays: request.validDays ?? 365,
    attributes,
  });
  return { certificate, privateKey: pkcs8(privateKey) };
}

/** Node prints a subject as `C=CN\nO=...\nCN=...`; this reads it back for issuing. */
function parseSubject(text: string): DistinguishedName {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return {
    country: fields.get('C'),
    state: fields.get('ST'),
    locality: fields.get('L'),
    organization: fields.get('O'),
    organizationalUnit: fields.get('OU'),
    commonName: fields.get('CN') ?? 'ca',
  };
}

/**
 * The attributes Fabric CA wrote into a certificate (its `{"attrs":{…}}` extension), or an empty
 * object: what `ctx.clientIdentity.getAttributeValue` reads on a peer, read here for certificates
 * that sign documents outside a transaction (offline bundles).
 */
export function certificateAttributes(certificate: X509Certificate): Record<string, string> {
  for (const extension of extensionsOf(certificate)) {
    const items = Array.isArray(extension.value) ? extension.value : [];
    const id = items[0]?.value;
    const value = items[items.length - 1]?.value;
    if (items.length < 2 || typeof id !== 'string' || typeof value !== 'string') continue;
    if (asn1.derToOid(forge.util.createBuffer(id)) === FABRIC_ATTRS_OID) return parseFabricAttributes(Buffer.from(value, 'binary').toString('utf8'));
  }
  return {};
}

/** The TBSCertificate's extensions: the `[3]` context-specific element (RFC 5280 §4.1). */
function extensionsOf(certificate: X509Certificate): Asn1[] {
  const tbs = fromDer(certificate.raw).value;
  const fields = Array.isArray(tbs) && Array.isArray(tbs[0]?.value) ? tbs[0].value : [];
  const tagged = fields.find((part) => part.tagClass === asn1.Class.CONTEXT_SPECIFIC && part.type === EXTENSIONS_TAG);
  const list = Array.isArray(tagged?.value) ? tagged.value[0]?.value : undefined;
  return Array.isArray(list) ? list : [];
}
