/**
 * OpenID4VCI 1.0 routes (pre-authorized code flow): the metadata documents under `/.well-known/`,
 * the offer, token, nonce and credential endpoints under each agency's issuer URL
 * (`<base>/issuers/<agencyId>`), and the agency's re-offer. Protocol endpoints answer refusals in
 * OAuth's shape (`{ error, error_description }`), which standard wallets read.
 */
import { z } from 'zod';
import { RegistryError } from '../../../core/errors';
import { OAuthError } from '../services/oid4vci-errors';
import type { Reply, RouteContext, RouteSpec } from './route-spec';

const AGENCY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
const LICENSE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
const PRE_AUTHORIZED_CODE = /^[A-Za-z0-9_-]{43}$/;
/**
 * RFC 6749 §4.1.3 and OpenID4VCI §6.1: the token request as a form. Documented here, checked by the
 * token service, because its refusals must be OAuth's (`invalid_request`, `unsupported_grant_type`).
 */
const tokenRequestForm = z.object({
  grant_type: z.literal('urn:ietf:params:oauth:grant-type:pre-authorized_code'),
  'pre-authorized_code': z.string().regex(PRE_AUTHORIZED_CODE),
  tx_code: z.string().optional().describe('The PIN the agency handed over separately, when the offer asks for one'),
});

/** OpenID4VCI §8.2: the credential request (JSON), documented here and checked by the issuer service for the same reason. */
const credentialRequestBody = z.object({
  credential_configuration_id: z.string(),
  proofs: z.object({ jwt: z.array(z.string()).min(1).describe('openid4vci-proof+jwt: the holder key in the header, aud = the issuer, the c_nonce') }),
});

/** RFC 6749 §5.1: token responses (and so every answer carrying a secret) must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store' };

function agencyIdOf(ctx: RouteContext): string {
  const id = ctx.params.agencyId ?? '';
  if (!AGENCY_ID.test(id)) throw new RegistryError('AGENCY_NOT_FOUND', 'no such issuer');
  return id;
}

/** What the protocol library reads of a request: method, URL and headers. */
function requestOf(ctx: RouteContext): { method: 'GET' | 'POST'; url: string; headers: Record<string, string | undefined> } {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: ctx.req.method === 'GET' ? 'GET' : 'POST',
    url: `${ctx.req.protocol}://${ctx.req.get('host') ?? 'localhost'}${ctx.req.originalUrl}`,
    headers,
  };
}

/** The pre-authorized code in an offer's address; anything else cannot be an open offer. */
function offerCodeOf(ctx: RouteContext): string {
  const code = ctx.params.code ?? '';
  if (!PRE_AUTHORIZED_CODE.test(code)) throw new RegistryError('NOT_FOUND', 'no open credential offer at this address');
  return code;
}

function bodyObject(ctx: RouteContext): Record<string, unknown> {
  const body = ctx.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

async function oauth(work: () => Promise<unknown>): Promise<Reply> {
  try {
    return { status: 200, json: await work(), headers: NO_STORE };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    // RFC 6750 §3: a refused Bearer token is named in WWW-Authenticate.
    const challenge: Record<string, string> = error.status === 401 ? { 'WWW-Authenticate': `Bearer error="${error.error}"` } : {};
    return { status: error.status, json: error.body(), headers: { ...NO_STORE, ...challenge } };
  }
}

export const OID4VCI_ROUTES: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/licenses/:id/offer',
    operationId: 'reofferLicense',
    summary: 'A new credential offer for a license (a lost phone): open offers are superseded; the next bound credential invalidates the old one',
    access: 'agency',
    responses: {
      201: '{ licenseId, offer: { uri, txCode, expiresAt, qr } }',
      403: 'Another agency issued it',
      404: 'Unknown license',
      409: 'The license is not active or not anchored yet',
    },
    async handle(ctx) {
      if (ctx.principal?.kind !== 'agency') throw new RegistryError('FORBIDDEN', 'this endpoint needs an agency API key');
      const id = ctx.params.id ?? '';
      if (!LICENSE_ID.test(id)) throw new RegistryError('INVALID_ARGUMENT', 'the license id in the path is malformed');
      const license = await ctx.services.issuance.ownLicense(ctx.principal.agency, id);
      return { status: 201, json: { licenseId: id, offer: await ctx.services.oid4vci.reoffer(ctx.principal.agency, license) } };
    },
  },
  {
    method: 'get',
    path: '/.well-known/openid-credential-issuer/issuers/:agencyId',
    operationId: 'getCredentialIssuerMetadata',
    summary: 'OpenID4VCI Credential Issuer metadata of an agency: one configuration (dc+sd-jwt) per license type it may issue',
    access: 'open',
    responses: { 200: 'The metadata', 404: 'No such issuer' },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.oid4vci.credentialIssuerMetadata(agencyIdOf(ctx)) };
    },
  },
  {
    method: 'get',
    path: '/.well-known/oauth-authorization-server/issuers/:agencyId',
    operationId: 'getAuthorizationServerMetadata',
    summary: "RFC 8414 metadata of an agency's authorization server: the pre-authorized code grant, anonymous access",
    access: 'open',
    responses: { 200: 'The metadata', 404: 'No such issuer' },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.oid4vci.authorizationServerMetadata(agencyIdOf(ctx)) };
    },
  },
  {
    method: 'get',
    path: '/issuers/:agencyId/credential-offers/:code',
    operationId: 'getCredentialOffer',
    summary: 'The credential offer object behind an offer URI (credential_offer_uri), while the offer is open',
    access: 'oauth',
    responses: { 200: 'The offer', 404: 'Used, expired, ended or replaced', 429: 'Rate limited' },
    async handle(ctx) {
      const code = offerCodeOf(ctx);
      return { status: 200, json: await ctx.services.oid4vci.credentialOffer(agencyIdOf(ctx), code), headers: NO_STORE };
    },
  },
  {
    method: 'get',
    path: '/issuers/:agencyId/credential-offers/:code/qr.png',
    operationId: 'getCredentialOfferQr',
    summary: 'The offer URI as a QR code (PNG, error correction M), while the offer is open',
    access: 'oauth',
    produces: 'image/png',
    responses: { 200: 'PNG image', 404: 'Used, expired, ended or replaced', 429: 'Rate limited' },
    async handle(ctx) {
      const code = offerCodeOf(ctx);
      return { status: 200, contentType: 'image/png', payload: await ctx.services.oid4vci.offerQrPng(agencyIdOf(ctx), code), headers: NO_STORE };
    },
  },
  {
    method: 'post',
    path: '/issuers/:agencyId/token',
    operationId: 'token',
    summary: 'OAuth token endpoint (form-encoded): grant_type pre-authorized_code with pre-authorized_code and tx_code → Bearer access token',
    access: 'oauth',
    consumes: ['application/x-www-form-urlencoded'],
    bodySchema: () => z.toJSONSchema(tokenRequestForm),
    responses: {
      200: '{ access_token, token_type: Bearer, expires_in }',
      400: 'invalid_request, invalid_grant (wrong PIN, used, expired, ended)',
      429: 'Rate limited',
    },
    async handle(ctx) {
      const agencyId = agencyIdOf(ctx);
      return oauth(() => ctx.services.oid4vci.token(agencyId, requestOf(ctx), bodyObject(ctx)));
    },
  },
  {
    method: 'post',
    path: '/issuers/:agencyId/nonce',
    operationId: 'nonce',
    summary: 'OpenID4VCI nonce endpoint: a single-use c_nonce for the key proof',
    access: 'oauth',
    responses: { 200: '{ c_nonce }', 429: 'Rate limited' },
    async handle(ctx) {
      agencyIdOf(ctx);
      return oauth(() => ctx.services.oid4vci.nonce());
    },
  },
  {
    method: 'post',
    path: '/issuers/:agencyId/credential',
    operationId: 'credential',
    summary: 'OpenID4VCI credential endpoint: Bearer access token and an openid4vci-proof+jwt → the license as an SD-JWT VC bound to that key',
    access: 'oauth',
    bodySchema: () => z.toJSONSchema(credentialRequestBody),
    responses: {
      200: '{ credentials: [{ credential }] }',
      400: 'invalid_credential_request, unknown_credential_configuration, invalid_proof, invalid_nonce, credential_request_denied',
      401: 'invalid_token',
      429: 'Rate limited',
    },
    async handle(ctx) {
      const agencyId = agencyIdOf(ctx);
      return oauth(() => ctx.services.oid4vci.credential(agencyId, requestOf(ctx), bodyObject(ctx)));
    },
  },
];
