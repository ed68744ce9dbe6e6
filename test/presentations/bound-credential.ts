/**
 * A holder-bound credential for the presentation tests, until the wallet's OpenID4VCI redemption
 * lands: the license is issued over HTTP (anchored on the ledger), and its wallet form — the same
 * license, `cnf.jwk` = the holder key — comes from the running registry's one credential issuer,
 * exactly as the credential endpoint will call it.
 */
import { credentialSubject, validateIssueRequest } from '../../core/license-types';
import { chinaDate } from '../../core/dates';
import type { TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';

export interface Issued {
  licenseId: string;
  /** The printed form, as POST /api/v1/licenses answers. */
  printed: string;
  name: string;
  body: Record<string, unknown>;
}

export async function issueIdCard(server: TestServer, agencyKey: string): Promise<Issued> {
  const body = idCardBody();
  const response = await server.api('POST', '/api/v1/licenses', { key: agencyKey, body });
  if (response.status !== 201) throw new Error(`issue failed: ${JSON.stringify(response.body)}`);
  return { licenseId: response.body.licenseId as string, printed: response.body.credential as string, name: (body.holder as { name: string }).name, body };
}

export async function boundCredential(server: TestServer, issued: Issued, holderJwk: { kty: string; crv: string; x: string; y: string }): Promise<string> {
  const request = validateIssueRequest(issued.body);
  const { credential } = await server.running.registry.credentials.issue({
    license: { licenseId: issued.licenseId, agencyId: 'zj-psb', type: request.type, validFrom: request.validFrom, validUntil: request.validUntil },
    subject: credentialSubject(request, { issuedOn: chinaDate(new Date()), issuerProvince: '330000' }),
    holderJwk: { kty: 'EC', crv: 'P-256', x: holderJwk.x, y: holderJwk.y },
  });
  return credential;
}
