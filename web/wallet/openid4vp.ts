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
 * Isomorphic: fetch and WebCrypto only (jose for signatures).
 */
import {
  parseOpenid4vpAuthorizationRequest,
  resolveOpenid4vpAuthorizationRequest,
  submitOpenid4vpAuthorizationResponse,
  type Openid4vpAuthorizationRequest,
} from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { base64url, compactVerify, importJWK } from 'jose';
import { disclosablePaths, presentWithKeyBinding, readHeldCredential, type HeldCredential, type HolderKey } from './sd-jwt-presentation';

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

export interface WalletCredential {
  id: string;
  /** The held SD-JWT VC, every disclosure, ending in ~. */
  compact: string;
}

export interface DcqlMatch {
  queryId: string;
  credentialId: string;
  /** Claim paths to disclose, `/` between levels. */
  claims: string[];
}

export interface AnswerOptions {
  credentials: WalletCredential[];
  holderKey: HolderKey;
  /** Shown what will be disclosed to whom; disclose only when it returns true. */
  approve(request: VerifierRequest, match: DcqlMatch): boolean | Promise<boolean>;
  /** Plain http request/response URIs, for a local registry only. */
  allowInsecureUrls?: boolean;
}

export type AnswerOutcome = { answered: true; match: DcqlMatch; status: number } | { answered: false; reason: 'declined' | 'no-matching-credential' };

function didJwkKey(didUrl: string): Record<string, unknown> {
  const did = didUrl.split('#')[0] ?? '';
  if (!did.startsWith('did:jwk:')) throw new Error(`only did:jwk verifiers are resolved offline, not ${did}`);
  return JSON.parse(new TextDecoder().decode(base64url.decode(did.slice('did:jwk:'.length)))) as Record<string, unknown>;
}

const callbacks = {
  fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, init),
  hash: async (data: Uint8Array, alg: string) => {
    if (alg !== 'sha-256') throw new Error(`hash ${alg} is not supported`);
    return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
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
    throw new Error('encrypted requests are not supported');
  },
  getX509CertificateMetadata: () => {
    throw new Error('x509 client identifiers are not supported');
  },
};

/** The openid4vp:// URI → its client_id and request_uri (nothing fetched yet). */
export function parseAuthorizationRequest(uri: string, options: { allowInsecureUrls?: boolean } = {}): { clientId: string; requestUri: string } {
  if (options.allowInsecureUrls) setGlobalConfig({ allowInsecureUrls: true });
  const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: uri });
  if (parsed.type !== 'jar' || !parsed.params.request_uri || !parsed.params.client_id) throw new Error('the QR code is not an OpenID4VP request by reference');
  return { clientId: parsed.params.client_id, requestUri: parsed.params.request_uri };
}

/** Fetches request_uri and verifies the signed request object against the client identifier. */
export async function fetchRequestObject(uri: string, options: { allowInsecureUrls?: boolean } = {}): Promise<VerifierRequest> {
  const { clientId, requestUri } = parseAuthorizationRequest(uri, options);
  const resolved = await resolveOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: { client_id: clientId, request_uri: requestUri },
    callbacks,
  });
  const payload = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
  if (payload.response_mode !== 'direct_post' || !payload.response_uri) throw new Error('only response_mode direct_post is supported');
  if (!resolved.dcql) throw new Error('the request carries no DCQL query');
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

/** The first held credential whose vct is asked and which can disclose every asked claim. */
export async function matchDcqlQuery(query: DcqlQuery, credentials: readonly WalletCredential[]): Promise<DcqlMatch | null> {
  for (const credentialQuery of query.credentials) {
    if (credentialQuery.format !== 'dc+sd-jwt') continue;
    const asked = (credentialQuery.claims ?? []).map((claim) => claim.path.map(String).join('/'));
    for (const credential of credentials) {
      const held = await readHeldCredential(credential.compact);
      const vcts = credentialQuery.meta?.vct_values;
      if (vcts && !vcts.includes(String(held.payload.vct))) continue;
      const available = new Set(disclosablePaths(held));
      if (asked.every((path) => available.has(path))) return { queryId: credentialQuery.id, credentialId: credential.id, claims: asked };
    }
  }
  return null;
}

/** The vp_token's one presentation: the matched claims only, bound to this request. */
export async function createVpToken(held: HeldCredential, match: DcqlMatch, request: VerifierRequest, holderKey: HolderKey): Promise<Record<string, string[]>> {
  const presentation = await presentWithKeyBinding(held, match.claims, { nonce: request.nonce, aud: request.clientId, holderKey });
  return { [match.queryId]: [presentation] };
}

/** POSTs vp_token (and state) to response_uri, form-encoded; returns the HTTP status. */
export async function submitDirectPost(request: VerifierRequest, vpToken: Record<string, string[]>): Promise<number> {
  const { response } = await submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: { response_uri: request.responseUri },
    authorizationResponsePayload: { vp_token: vpToken, ...(request.state ? { state: request.state } : {}) },
    callbacks: { fetch: callbacks.fetch },
  });
  return response.status;
}

/** Scanned URI → request fetched and checked → the holder approves → presentation posted. */
export async function answerRequest(uri: string, options: AnswerOptions): Promise<AnswerOutcome> {
  const request = await fetchRequestObject(uri, { allowInsecureUrls: options.allowInsecureUrls ?? false });
  const match = await matchDcqlQuery(request.dcqlQuery, options.credentials);
  if (!match) return { answered: false, reason: 'no-matching-credential' };
  if (!(await options.approve(request, match))) return { answered: false, reason: 'declined' };
  const credential = options.credentials.find((candidate) => candidate.id === match.credentialId);
  if (!credential) return { answered: false, reason: 'no-matching-credential' };
  const vpToken = await createVpToken(await readHeldCredential(credential.compact), match, request, options.holderKey);
  return { answered: true, match, status: await submitDirectPost(request, vpToken) };
}
