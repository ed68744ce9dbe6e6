/**
 * The wallet's side of OpenID4VP 1.0 (cross-device, DCQL, response_mode direct_post), one function
 * per protocol step, over @openid4vc/openid4vp:
 *   parseAuthorizationRequest  the openid4vp:// URI scanned from the counter's screen
 *   fetchRequestObject         GET request_uri, verify the request object's signature (did:jwk
 *                              client identifier: the key is the identifier) and its contents
 *   matchDcqlQuery             which held credential answers the DCQL query, with which claims
 *   createVpToken              the presentation: asked disclosures only + KB-JWT (nonce, aud = client_id)
 *   submitDirectPost           POST vp_token and state to response_uri
 *   answerRequest              all of the above, after the holder approved what will be disclosed
 * The presentation itself is the Wallet's (`createPresentation`: its key for that credential, its
 * log); these steps take the wallet as a narrow interface so that wallet.ts can offer them as
 * methods without an import cycle. Isomorphic: fetch and WebCrypto only (jose for signatures).
 */
import {
  parseOpenid4vpAuthorizationRequest,
  resolveOpenid4vpAuthorizationRequest,
  submitOpenid4vpAuthorizationResponse,
  type Openid4vpAuthorizationRequest,
} from '@openid4vc/openid4vp';
import { base64url, compactVerify, importJWK } from 'jose';
import { WalletError } from './errors';
import { issuerSignedPayload, requireSecureUrl } from './oid4vci';
import { presentablePaths, samePath, type ClaimPath } from './sd-jwt';

export interface VerifierRequest {
  clientId: string;
  /** The verifier as its request states it (client_metadata). */
  verifier: { name: string | null; province: string | null; counterId: string | null };
  nonce: string;
  state: string | null;
  responseUri: string;
  dcqlQuery: DcqlQuery;
  /** The validated request, for submitOpenid4vpAuthorizationResponse. */
  payload: Openid4vpAuthorizationRequest;
}

interface DcqlClaimQuery {
  path: Array<string | number | null>;
}

interface DcqlCredentialQuery {
  id: string;
  format: string;
  meta?: { vct_values?: string[] };
  claims?: DcqlClaimQuery[];
}

export interface DcqlQuery {
  credentials: DcqlCredentialQuery[];
}

export interface DcqlMatch {
  queryId: string;
  credentialId: string;
  /** Claim paths to disclose, e.g. [['name'], ['age_equal_or_over', '18']]. */
  claims: ClaimPath[];
}

/** What these steps need of the Wallet: its credentials, and a presentation it signs and logs. */
export interface PresentingWallet {
  heldCredentials(): Promise<Array<{ id: string; compact: string }>>;
  createPresentation(input: {
    credentialId: string;
    disclose: ClaimPath[];
    nonce: string;
    aud: string;
    verifier?: { name: string | null; province: string | null };
  }): Promise<string>;
}

export interface AnswerOptions {
  /** Shown what will be disclosed to whom; disclose only when it returns true. */
  approve(request: VerifierRequest, match: DcqlMatch): boolean | Promise<boolean>;
}

export type AnswerOutcome = { answered: true; match: DcqlMatch; status: number } | { answered: false; reason: 'declined' | 'no-matching-credential' };

function didJwkKey(didUrl: string): Record<string, unknown> {
  const did = didUrl.split('#')[0] ?? '';
  if (!did.startsWith('did:jwk:')) throw new WalletError('REQUEST_INVALID', `only did:jwk verifiers are resolved offline, not ${did}`);
  return JSON.parse(new TextDecoder().decode(base64url.decode(did.slice('did:jwk:'.length)))) as Record<string, unknown>;
}

function callbacksWith(fetcher: typeof fetch) {
  return {
    fetch: fetcher,
    hash: async (data: Uint8Array, alg: string) => {
      if (alg !== 'sha-256') throw new WalletError('REQUEST_INVALID', `hash ${alg} is not supported`);
      return new Uint8Array(await crypto.subtle.digest('SHA-256', data.slice()));
    },
    verifyJwt: async (signer: { method: string; didUrl?: string }, jwt: { compact: string }) => {
      if (signer.method !== 'did' || !signer.didUrl) return { verified: false as const };
      const jwk = didJwkKey(signer.didUrl);
      try {
        await compactVerify(jwt.compact, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'] });
        return { verified: true as const, signerJwk: jwk as { kty: string } };
      } catch {
        return { verified: false as const, signerJwk: jwk as { kty: string } };
      }
    },
    decryptJwe: () => {
      throw new WalletError('REQUEST_INVALID', 'encrypted requests are not supported');
    },
    getX509CertificateMetadata: () => {
      throw new WalletError('REQUEST_INVALID', 'x509 client identifiers are not supported');
    },
  };
}

/** The openid4vp:// URI → its client_id and request_uri (nothing fetched yet). */
export function parseAuthorizationRequest(uri: string): { clientId: string; requestUri: string } {
  let parsed: ReturnType<typeof parseOpenid4vpAuthorizationRequest>;
  try {
    // The library checks request_uri while parsing: a loopback registry over http must be allowed first.
    // (In the Node tests the server, in the same process, had already allowed it; a browser had not.)
    const requestUri = new URL(uri.trim()).searchParams.get('request_uri');
    if (requestUri) requireSecureUrl(requestUri, 'REQUEST_INVALID', 'request_uri');
    parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: uri.trim() });
  } catch (error) {
    if (error instanceof WalletError) throw error;
    throw new WalletError('REQUEST_INVALID', 'the code is not an OpenID4VP request');
  }
  if (parsed.type !== 'jar' || !parsed.params.request_uri || !parsed.params.client_id) throw new WalletError('REQUEST_INVALID', 'the code is not an OpenID4VP request by reference');
  return { clientId: parsed.params.client_id, requestUri: parsed.params.request_uri };
}

/** Fetches request_uri and verifies the signed request object against the client identifier. */
export async function fetchRequestObject(uri: string, fetcher: typeof fetch = (input, init) => globalThis.fetch(input, init)): Promise<VerifierRequest> {
  const { clientId, requestUri } = parseAuthorizationRequest(uri);
  requireSecureUrl(requestUri, 'REQUEST_INVALID', 'request_uri');
  const resolved = await resolveOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: { client_id: clientId, request_uri: requestUri },
    callbacks: callbacksWith(fetcher),
  });
  const payload = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
  if (payload.response_mode !== 'direct_post' || !payload.response_uri) throw new WalletError('REQUEST_INVALID', 'only response_mode direct_post is supported');
  if (!resolved.dcql) throw new WalletError('REQUEST_INVALID', 'the request carries no DCQL query');
  requireSecureUrl(payload.response_uri, 'REQUEST_INVALID', 'response_uri');
  const metadata = (payload.client_metadata ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    clientId: payload.client_id,
    verifier: { name: text(metadata.client_name), province: text(metadata.province), counterId: text(metadata.counter_id) },
    nonce: payload.nonce,
    state: payload.state ?? null,
    responseUri: payload.response_uri,
    dcqlQuery: resolved.dcql.query as DcqlQuery,
    payload,
  };
}

async function answers(query: DcqlCredentialQuery, compact: string, asked: readonly ClaimPath[]): Promise<boolean> {
  const vcts = query.meta?.vct_values;
  if (vcts && !vcts.includes(String(issuerSignedPayload(compact).vct))) return false;
  const available = await presentablePaths(compact);
  return asked.every((path) => available.some((candidate) => samePath(candidate, path)));
}

/** The first held credential whose vct is asked and which can disclose every asked claim. */
export async function matchDcqlQuery(query: DcqlQuery, credentials: ReadonlyArray<{ id: string; compact: string }>): Promise<DcqlMatch | null> {
  for (const credentialQuery of query.credentials) {
    if (credentialQuery.format !== 'dc+sd-jwt') continue;
    const asked = (credentialQuery.claims ?? []).map((claim) => claim.path.filter((part): part is string | number => part !== null));
    for (const credential of credentials) {
      if (await answers(credentialQuery, credential.compact, asked)) return { queryId: credentialQuery.id, credentialId: credential.id, claims: asked };
    }
  }
  return null;
}

/** The vp_token's one presentation: the matched claims only, bound to this request, made and logged by the wallet. */
export async function createVpToken(wallet: PresentingWallet, match: DcqlMatch, request: VerifierRequest): Promise<Record<string, string[]>> {
  const presentation = await wallet.createPresentation({
    credentialId: match.credentialId,
    disclose: match.claims,
    nonce: request.nonce,
    aud: request.clientId,
    verifier: { name: request.verifier.name, province: request.verifier.province },
  });
  return { [match.queryId]: [presentation] };
}

/** POSTs vp_token (and state) to response_uri, form-encoded; returns the HTTP status. */
export async function submitDirectPost(
  request: VerifierRequest,
  vpToken: Record<string, string[]>,
  fetcher: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<number> {
  const { response } = await submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: { response_uri: request.responseUri },
    authorizationResponsePayload: { vp_token: vpToken, ...(request.state ? { state: request.state } : {}) },
    callbacks: { fetch: fetcher },
  });
  return response.status;
}

/** Scanned URI → request fetched and checked → the holder approves → presentation posted. */
export async function answerRequest(
  wallet: PresentingWallet,
  uri: string,
  options: AnswerOptions,
  fetcher: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<AnswerOutcome> {
  const request = await fetchRequestObject(uri, fetcher);
  const match = await matchDcqlQuery(request.dcqlQuery, await wallet.heldCredentials());
  if (!match) return { answered: false, reason: 'no-matching-credential' };
  if (!(await options.approve(request, match))) return { answered: false, reason: 'declined' };
  const vpToken = await createVpToken(wallet, match, request);
  return { answered: true, match, status: await submitDirectPost(request, vpToken, fetcher) };
}
