/**
 * A holder-bound credential for the presentation tests, until the wallet's OpenID4VCI redemption
 * lands: the license is issued over HTTP (anchored on the ledger), then its claims are signed again
 * by the registry's own agency key as an SD-JWT VC with every display claim selectively disclosable
 * and `cnf.jwk` = the holder key — the shape the standards issue specifies.
 */
import { CompactSign, importJWK } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import type { TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';

export interface Issued {
  licenseId: string;
  /** The printed form, as POST /api/v1/licenses answers. */
  printed: string;
  name: string;
}

export async function issueIdCard(server: TestServer, agencyKey: string): Promise<Issued> {
  const body = idCardBody();
  const response = await server.api('POST', '/api/v1/licenses', { key: agencyKey, body });
  if (response.status !== 201) throw new Error(`issue failed: ${JSON.stringify(response.body)}`);
  return { licenseId: response.body.licenseId as string, printed: response.body.credential as string, name: (body.holder as { name: string }).name };
}

const DISCLOSABLE = ['name', 'birthdate'];

export async function boundCredential(server: TestServer, issued: Issued, holderJwk: object): Promise<string> {
  const [, payloadPart = ''] = issued.printed.split('~')[0]?.split('.') ?? [];
  const claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Record<string, unknown>;
  const disclosures: string[] = [];
  const payload: Record<string, unknown> = { _sd_alg: 'sha-256', cnf: { jwk: holderJwk } };
  for (const [name, value] of Object.entries(claims)) {
    if (!DISCLOSABLE.includes(name)) {
      payload[name] = value;
      continue;
    }
    disclosures.push(Buffer.from(JSON.stringify([randomBytes(16).toString('base64url'), name, value])).toString('base64url'));
  }
  payload._sd = disclosures.map((disclosure) => createHash('sha256').update(disclosure).digest('base64url')).sort();
  const key = await server.running.registry.signingKeys.active('zj-psb');
  const jws = await new CompactSign(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', typ: 'dc+sd-jwt', kid: key.kid })
    .sign(await importJWK({ ...key.privateJwk }, 'ES256'));
  return `${[jws, ...disclosures].join('~')}~`;
}
