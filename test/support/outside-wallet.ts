/**
 * Another vendor's wallet, written from the OpenID4VCI 1.0 text with plain fetch and jose (none of
 * our wallet module or the protocol library): discovery through the two well-known documents, the
 * token request as a form, the nonce, a proof JWT, the credential. The OpenID4VCI tests take it
 * step by step to get each step wrong; the presentation tests' outside wallet redeems with it.
 */
import { expect } from 'chai';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

export interface Discovered {
  issuer: string;
  code: string;
  configurationId: string;
  tokenEndpoint: string;
  nonceEndpoint: string;
  credentialEndpoint: string;
}

export async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

/** §4.1, §12.2.2, RFC 8414 §3: well-known URIs are the origin, the well-known segment, then the issuer's path. */
export async function discover(offerUri: string): Promise<Discovered> {
  const reference = new URL(offerUri).searchParams.get('credential_offer_uri');
  if (!reference) throw new Error('no credential_offer_uri');
  const offer = await json(await fetch(reference));
  const issuer = offer.credential_issuer as string;
  const { origin, pathname } = new URL(issuer);
  const issuerMetadata = await json(await fetch(`${origin}/.well-known/openid-credential-issuer${pathname}`));
  expect(issuerMetadata.credential_issuer).to.equal(issuer);
  const asMetadata = await json(await fetch(`${origin}/.well-known/oauth-authorization-server${pathname}`));
  expect(asMetadata.issuer).to.equal(issuer);
  expect(asMetadata['pre-authorized_grant_anonymous_access_supported']).to.equal(true);
  const grant = (offer.grants as Record<string, Record<string, unknown>>)[PRE_AUTH];
  const configurationId = (offer.credential_configuration_ids as string[])[0] ?? '';
  const configuration = (issuerMetadata.credential_configurations_supported as Record<string, Record<string, unknown>>)[configurationId];
  expect(configuration).to.deep.include({ format: 'dc+sd-jwt', vct: 'urn:cn:elicense:vct:id-card', cryptographic_binding_methods_supported: ['jwk'] });
  return {
    issuer,
    code: grant?.['pre-authorized_code'] as string,
    configurationId,
    tokenEndpoint: asMetadata.token_endpoint as string,
    nonceEndpoint: issuerMetadata.nonce_endpoint as string,
    credentialEndpoint: issuerMetadata.credential_endpoint as string,
  };
}

export async function token(found: Discovered, pin: string): Promise<Response> {
  return fetch(found.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: PRE_AUTH, 'pre-authorized_code': found.code, tx_code: pin }).toString(),
  });
}

export async function nonce(found: Discovered): Promise<string> {
  return (await json(await fetch(found.nonceEndpoint, { method: 'POST' }))).c_nonce as string;
}

export interface Holder {
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function holder(): Promise<Holder> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } };
}

/** Appendix F.1: typ openid4vci-proof+jwt, the key in the header, aud = the issuer, the c_nonce, iat. */
export async function proof(signer: Holder, claims: { aud: string; nonce: string }, headerJwk: JWK = signer.jwk): Promise<string> {
  return new SignJWT({ nonce: claims.nonce })
    .setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: headerJwk })
    .setAudience(claims.aud)
    .setIssuedAt()
    .sign(signer.privateKey);
}

export async function credential(found: Discovered, accessToken: string, proofJwt: string): Promise<Response> {
  return fetch(found.credentialEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ credential_configuration_id: found.configurationId, proofs: { jwt: [proofJwt] } }),
  });
}

/** The whole flow: offer → token with the PIN → nonce → proof of `key` → the credential bound to it. */
export async function redeemOffer(offerUri: string, pin: string, key: Holder): Promise<string> {
  const found = await discover(offerUri);
  const tokenResponse = await json(await token(found, pin));
  const proofJwt = await proof(key, { aud: found.issuer, nonce: await nonce(found) });
  const body = await json(await credential(found, tokenResponse.access_token as string, proofJwt));
  const issued = (body.credentials as Array<{ credential: string }> | undefined)?.[0]?.credential;
  if (!issued) throw new Error(`no credential: ${JSON.stringify(body)}`);
  return issued;
}
