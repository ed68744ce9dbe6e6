/**
 * The holder's side of OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow,
 * one function per step of the spec, on the OpenWallet Foundation's `@openid4vc/openid4vci`
 * client (it validates every message against the spec's schemas):
 *
 *   §4.1   parseCredentialOffer     the offer URI (by value or by reference)
 *   §4.1.3 resolveCredentialOffer   GET credential_offer_uri
 *   §12.2  fetchIssuerMetadata      Credential Issuer + Authorization Server metadata
 *   §6     requestAccessToken       pre-authorized_code + tx_code at the token endpoint
 *   §7     requestNonce             c_nonce from the nonce endpoint
 *   §F.1   createProofJwt           openid4vci-proof+jwt signed by the holder key
 *   §8     requestCredential        the credential, bound to that key
 */
import { clientAuthenticationAnonymous, Oauth2ClientErrorResponseError, type CallbackContext, type Jwk } from '@openid4vc/oauth2';
import { Openid4vciClient, Openid4vciRetrieveCredentialsError, type CredentialOfferObject, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { getGlobalConfig, setGlobalConfig } from '@openid4vc/utils';
import { isLoopbackHttpUrl } from '../../core/loopback-url';
import { bytesToBase64Url, decodeJwtPart, textToBase64Url } from './encoding';
import { WalletError, type WalletErrorCode } from './errors';
import { signEs256, sha256, type HolderKey } from './holder-key';

export const PRE_AUTHORIZED_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

export interface ProtocolContext {
  fetch: typeof fetch;
  now: () => Date;
}

export type ParsedCredentialOffer = { credentialOfferUri: string } | { credentialOffer: Record<string, unknown> };

/**
 * Each URL the wallet is handed (offer, issuer, its endpoints, request_uri, response_uri) must be
 * https, or http on this machine (a registry without PUBLIC_URL, the tests). The library's own check
 * (`zHttpsUrl` in @openid4vc/utils) reads one process-wide flag, `allowInsecureUrls`, with no
 * per-call option: once raised for a loopback registry it would let any http URL through, for every
 * later flow. So the flag is raised only for a loopback URL, and the wallet refuses any other http
 * URL here itself, whatever the flag says.
 */
export function requireSecureUrl(url: string, code: WalletErrorCode, what: string): void {
  if (isLoopbackHttpUrl(url)) {
    if (!getGlobalConfig().allowInsecureUrls) setGlobalConfig({ ...getGlobalConfig(), allowInsecureUrls: true });
    return;
  }
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new WalletError(code, `${what} is not a URL`);
  }
  if (protocol !== 'https:') throw new WalletError(code, `${what} ${url} is not https (plain http only on this machine)`);
}

/**
 * `fetcher` refusing any URL requireSecureUrl refuses, before a byte is sent: every request of the
 * wallet and of the protocol libraries it hands this to (metadata the library discovers on its
 * own, such as an authorization server's, included) passes the one test.
 */
export function secureFetch(fetcher: typeof fetch): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    requireSecureUrl(url, 'INSECURE_URL', 'the URL');
    return fetcher(input, init);
  };
}

/** §4.1: `openid-credential-offer://?credential_offer_uri=…` or `…?credential_offer=<JSON>`. */
export function parseCredentialOffer(uri: string): ParsedCredentialOffer {
  let url: URL;
  try {
    url = new URL(uri.trim());
  } catch {
    throw new WalletError('OFFER_INVALID', 'the offer is not a URI');
  }
  const byReference = url.searchParams.get('credential_offer_uri');
  const byValue = url.searchParams.get('credential_offer');
  if ((byReference === null) === (byValue === null)) throw new WalletError('OFFER_INVALID', 'the offer carries neither or both of credential_offer and credential_offer_uri');
  if (byReference !== null) {
    if (!/^https?:\/\//.test(byReference)) throw new WalletError('OFFER_INVALID', 'credential_offer_uri is not an http(s) URL');
    return { credentialOfferUri: byReference };
  }
  try {
    const offer: unknown = JSON.parse(byValue ?? '');
    if (typeof offer !== 'object' || offer === null || Array.isArray(offer)) throw new Error('not an object');
    return { credentialOffer: offer as Record<string, unknown> };
  } catch {
    throw new WalletError('OFFER_INVALID', 'credential_offer is not a JSON object');
  }
}

function callbacks(ctx: ProtocolContext, key?: HolderKey): Omit<CallbackContext, 'verifyJwt' | 'decryptJwe' | 'encryptJwe'> {
  return {
    fetch: ctx.fetch,
    hash: (data) => sha256(data),
    generateRandom: (length) => crypto.getRandomValues(new Uint8Array(length)),
    // §6.1: a pre-authorized code is redeemed anonymously when the server says it may be.
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, jwt) => {
      if (!key || signer.method !== 'jwk') throw new Error('the wallet signs only with a holder key given as a jwk');
      const input = `${textToBase64Url(JSON.stringify(jwt.header))}.${textToBase64Url(JSON.stringify(jwt.payload))}`;
      return { jwt: `${input}.${await signEs256(key.privateKey, input)}`, signerJwk: signer.publicJwk };
    },
  };
}

function client(ctx: ProtocolContext, key?: HolderKey): Openid4vciClient {
  return new Openid4vciClient({ callbacks: callbacks(ctx, key) });
}

/** §4.1.3: the Credential Offer object, fetched when the offer came by reference. */
export async function resolveCredentialOffer(uri: string, ctx: ProtocolContext): Promise<CredentialOfferObject> {
  const parsed = parseCredentialOffer(uri);
  if ('credentialOfferUri' in parsed) requireSecureUrl(parsed.credentialOfferUri, 'OFFER_INVALID', 'credential_offer_uri');
  let offer: CredentialOfferObject;
  try {
    offer = await client(ctx).resolveCredentialOffer(uri.trim());
  } catch (error) {
    throw new WalletError('OFFER_INVALID', `the credential offer could not be resolved: ${(error as Error).message}`);
  }
  requireSecureUrl(offer.credential_issuer, 'OFFER_INVALID', 'credential_issuer');
  return offer;
}

/** §12.2.2 and RFC 8414: the issuer's metadata and its authorization server's. */
export async function fetchIssuerMetadata(credentialIssuer: string, ctx: ProtocolContext): Promise<IssuerMetadataResult> {
  requireSecureUrl(credentialIssuer, 'ISSUER_METADATA_INVALID', 'credential_issuer');
  let metadata: IssuerMetadataResult;
  try {
    metadata = await client(ctx).resolveIssuerMetadata(credentialIssuer);
  } catch (error) {
    throw new WalletError('ISSUER_METADATA_INVALID', `the metadata of ${credentialIssuer} could not be read: ${(error as Error).message}`);
  }
  // The endpoints the library will call next: the same rule as the issuer's own URL.
  const { credential_endpoint: credentialEndpoint, nonce_endpoint: nonceEndpoint } = metadata.credentialIssuer;
  requireSecureUrl(credentialEndpoint, 'ISSUER_METADATA_INVALID', 'credential_endpoint');
  if (nonceEndpoint) requireSecureUrl(nonceEndpoint, 'ISSUER_METADATA_INVALID', 'nonce_endpoint');
  for (const server of metadata.authorizationServers) {
    if (server.token_endpoint) requireSecureUrl(server.token_endpoint, 'ISSUER_METADATA_INVALID', 'token_endpoint');
  }
  return metadata;
}

/** §6.1: pre-authorized_code and the PIN (tx_code) at the token endpoint, no client authentication. */
export async function requestAccessToken(
  input: { offer: CredentialOfferObject; metadata: IssuerMetadataResult; txCode?: string },
  ctx: ProtocolContext,
): Promise<{ accessToken: string; tokenType: string; expiresIn: number | undefined }> {
  const grant = input.offer.grants?.[PRE_AUTHORIZED_CODE_GRANT];
  if (!grant) throw new WalletError('OFFER_INVALID', 'the offer has no pre-authorized code');
  if (grant.tx_code && !input.txCode) throw new WalletError('TX_CODE_REQUIRED', 'this offer needs the PIN the agency gave you');
  try {
    const { accessTokenResponse } = await client(ctx).retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: input.offer,
      issuerMetadata: input.metadata,
      ...(input.txCode !== undefined ? { txCode: input.txCode } : {}),
    });
    return { accessToken: accessTokenResponse.access_token, tokenType: accessTokenResponse.token_type, expiresIn: accessTokenResponse.expires_in };
  } catch (error) {
    if (error instanceof Oauth2ClientErrorResponseError) {
      const { error: code, error_description: description } = error.errorResponse;
      throw new WalletError('TOKEN_REFUSED', `the issuer refused the code: ${description ?? code}`, code);
    }
    throw new WalletError('TOKEN_REFUSED', `the token request failed: ${(error as Error).message}`);
  }
}

/** §7: a fresh c_nonce for the key proof. */
export async function requestNonce(metadata: IssuerMetadataResult, ctx: ProtocolContext): Promise<string> {
  try {
    const { c_nonce: nonce } = await client(ctx).requestNonce({ issuerMetadata: metadata });
    return nonce;
  } catch (error) {
    throw new WalletError('CREDENTIAL_REFUSED', `the nonce endpoint failed: ${(error as Error).message}`);
  }
}

/** Appendix F.1: `typ: openid4vci-proof+jwt`, the public key in `jwk`, `aud` = the issuer, the c_nonce. */
export async function createProofJwt(
  input: { key: HolderKey; metadata: IssuerMetadataResult; credentialConfigurationId: string; nonce: string },
  ctx: ProtocolContext,
): Promise<string> {
  const { jwt } = await client(ctx, input.key).createCredentialRequestJwtProof({
    issuerMetadata: input.metadata,
    credentialConfigurationId: input.credentialConfigurationId,
    nonce: input.nonce,
    issuedAt: ctx.now(),
    signer: { method: 'jwk', alg: 'ES256', publicJwk: input.key.publicJwk as Jwk },
  });
  return jwt;
}

/** §8: the credential for one configuration, bound to the key the proof was signed with. */
export async function requestCredential(
  input: { metadata: IssuerMetadataResult; credentialConfigurationId: string; accessToken: string; proofJwt: string },
  ctx: ProtocolContext,
): Promise<string> {
  try {
    const { credentialResponse } = await client(ctx).retrieveCredentials({
      issuerMetadata: input.metadata,
      credentialConfigurationId: input.credentialConfigurationId,
      accessToken: input.accessToken,
      proofs: { jwt: [input.proofJwt] },
    });
    return firstCredential(credentialResponse);
  } catch (error) {
    if (error instanceof WalletError) throw error;
    if (error instanceof Openid4vciRetrieveCredentialsError) {
      const body = error.response.credentialErrorResponseResult?.data;
      throw new WalletError('CREDENTIAL_REFUSED', `the issuer refused the credential request: ${body?.error_description ?? body?.error ?? error.message}`, body?.error);
    }
    throw new WalletError('CREDENTIAL_REFUSED', `the credential request failed: ${(error as Error).message}`);
  }
}

/** §8.3: `credentials: [{ credential }]` (1.0); an SD-JWT VC is a string. */
function firstCredential(response: { credentials?: unknown[]; credential?: unknown }): string {
  const first: unknown = response.credentials?.[0] ?? response.credential;
  const credential: unknown = typeof first === 'object' && first !== null && Object.hasOwn(first, 'credential') ? (first as { credential: unknown }).credential : first;
  if (typeof credential !== 'string') throw new WalletError('CREDENTIAL_INVALID', 'the issuer answered without an SD-JWT credential');
  return credential;
}

/** The wallet's id of a credential: SHA-256 of its issuer-signed JWT, base64url. */
export async function credentialIdOf(credential: string): Promise<string> {
  return bytesToBase64Url(await sha256(credential.split('~')[0] ?? ''));
}

/** The issuer-signed payload, unverified: the wallet trusts its issuer's TLS; verifiers check signatures. */
export function issuerSignedPayload(credential: string): Record<string, unknown> {
  try {
    return decodeJwtPart((credential.split('~')[0] ?? '').split('.')[1]);
  } catch {
    throw new WalletError('CREDENTIAL_INVALID', 'the credential is not an SD-JWT');
  }
}
