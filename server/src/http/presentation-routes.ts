/**
 * Routes of the presentation flows: a counter's OpenID4VP requests (create, read, the request
 * object at request_uri, the wallet's direct_post at response_uri), the counter's services, and the
 * holder's receipts and ratings. Server-Sent Events for a waiting counter page live in
 * presentation-events.ts (a stream, not a reply).
 */
import type { Request } from 'express';
import { z } from 'zod';
import { RegistryError } from '../../../core/errors';
import type { Principal } from '../services/principals';
import type { RouteContext, RouteSpec } from './route-spec';

const CLAIM = z.string().regex(/^[a-z_][a-z0-9_]{0,63}(\/[A-Za-z0-9_]{1,64}){0,3}$/, 'a claim path such as name or age_equal_or_over/18');
const requestBody = z.union([
  z.object({ licenseType: z.string().min(1).max(64), claims: z.array(CLAIM).min(1).max(16) }).strict(),
  z.object({ service: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) }).strict(),
]);
const PROOF = z.string().min(20).max(4096);
const receiptsBody = z.object({ proof: PROOF }).strict();
const ratingBody = z
  .object({ proof: PROOF, receipt: z.string().max(80), score: z.number().int().min(1).max(5), comment: z.string().max(200).optional() })
  .strict();

/** The public base of this node's URLs (PUBLIC_URL, else http://127.0.0.1:<port>). */
function baseUrlOf(ctx: RouteContext): string {
  return ctx.services.publicBase.get();
}

function counterOf(ctx: RouteContext): Extract<Principal, { kind: 'counter' }>['counter'] {
  if (!ctx.principal) throw new RegistryError('UNAUTHENTICATED', 'this endpoint needs a counter API key (Authorization: Bearer …)');
  if (ctx.principal.kind !== 'counter') throw new RegistryError('FORBIDDEN', 'this endpoint needs a counter API key');
  return ctx.principal.counter;
}

function requestId(ctx: RouteContext): string {
  const id = ctx.params.id ?? '';
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw new RegistryError('NOT_FOUND', 'no such presentation request');
  return id;
}

/** direct_post sends application/x-www-form-urlencoded (OpenID4VP 1.0 §8.2); JSON is taken too. */
function responseBodyOf(req: Request): unknown {
  return req.body as unknown;
}

const directPostBody = z.object({
  vp_token: z.string().describe('JSON: { <DCQL credential query id>: [<SD-JWT+KB presentation>] }'),
  state: z.string().optional(),
});

export const PRESENTATION_ROUTES: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/presentation-requests',
    operationId: 'createPresentationRequest',
    summary: 'A counter asks for claims (OpenID4VP, DCQL, direct_post): { licenseType, claims } or { service } → an openid4vp:// URI for a QR code',
    access: 'verifier',
    body: requestBody,
    responses: {
      201: '{ id, uri, qr: { png, svg }, expiresAt }',
      400: 'Unknown type, claim or service',
      401: 'No counter key',
      403: 'Not a counter',
      429: 'The counter holds COUNTER_MAX_OPEN_REQUESTS pending requests already (TOO_MANY_OPEN_REQUESTS)',
    },
    async handle(ctx) {
      const created = await ctx.services.presentations.createRequest(counterOf(ctx), ctx.body as z.infer<typeof requestBody>, baseUrlOf(ctx));
      return { status: 201, json: { id: created.id, uri: created.uri, qr: created.qr, expiresAt: created.expiresAt } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/presentation-requests/:id',
    operationId: 'getPresentationRequest',
    summary:
      'The state of a request: { status: pending | presented | expired, verdict, failedAttempts, lastFailedAttempt } (verdict shaped as /verify answers)',
    access: 'verifier',
    responses: { 200: 'The state', 403: "Another counter's request", 404: 'Unknown request' },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.presentations.state(requestId(ctx), counterOf(ctx).id) };
    },
  },
  {
    method: 'get',
    path: '/api/v1/presentation-requests/:id/request',
    operationId: 'getPresentationRequestObject',
    summary: "The signed request object at request_uri (JAR, typ oauth-authz-req+jwt, signed by the node's did:jwk key)",
    access: 'public',
    produces: 'application/oauth-authz-req+jwt',
    responses: { 200: 'The request object', 404: 'Unknown request', 409: 'Already answered', 410: 'Expired' },
    async handle(ctx) {
      return { status: 200, contentType: 'application/oauth-authz-req+jwt', payload: await ctx.services.presentations.requestObject(requestId(ctx)) };
    },
  },
  {
    method: 'post',
    path: '/api/v1/presentation-requests/:id/response',
    operationId: 'postPresentationResponse',
    summary: 'The response_uri: the wallet posts vp_token and state (direct_post); one presentation per request',
    access: 'public',
    // OpenID4VP §8.2: direct_post is a form; JSON is accepted too. Checked by the service, which names the refusal.
    consumes: ['application/x-www-form-urlencoded', 'application/json'],
    bodySchema: () => z.toJSONSchema(directPostBody),
    responses: {
      200: 'Received (the counter reads the verdict)',
      400: 'No vp_token, wrong state, not an issuer-signed credential (INVALID_PRESENTATION), or not bound to this request (HOLDER_BINDING_FAILED: no KB-JWT where one is needed, another nonce or aud, a replay; counted, the 5th closes the request); the request stays pending',
      404: 'Unknown request',
      409: 'Already answered (REQUEST_ANSWERED)',
      429: 'Five answers not bound to this request were already refused (TOO_MANY_ATTEMPTS); the request stays open',
      410: 'Expired',
    },
    async handle(ctx) {
      await ctx.services.presentations.receiveResponse(requestId(ctx), responseBodyOf(ctx.req));
      return { status: 200, json: {} };
    },
  },
  {
    method: 'get',
    path: '/api/v1/counter/services',
    operationId: 'listCounterServices',
    summary: "The calling counter's services: what each asks for and whether it accepts the printed form",
    access: 'verifier',
    responses: { 200: 'The services', 401: 'No counter key' },
    async handle(ctx) {
      return { status: 200, json: { services: await ctx.services.presentations.services(counterOf(ctx).id) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/receipts',
    operationId: 'listOwnReceipts',
    summary: "A holder's receipts (用证留痕): the proof is a JWT signed by the holder key (typ receipt-request+jwt, jwk in header, aud = this URL, iat, nonce)",
    access: 'public',
    body: receiptsBody,
    responses: { 200: '{ holder, receipts }', 401: 'The proof is refused' },
    async handle(ctx) {
      const { proof } = ctx.body as z.infer<typeof receiptsBody>;
      const { holder } = await ctx.services.receipts.proveHolder(proof, `${baseUrlOf(ctx)}/api/v1/receipts`);
      return { status: 200, json: { holder, receipts: await ctx.services.receipts.receiptsOf(holder) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/receipts/ratings',
    operationId: 'rateService',
    summary: 'Rate a service once (好差评: 1–5, comment ≤ 200 characters), proven by the holder key (aud = this URL)',
    access: 'public',
    body: ratingBody,
    responses: { 201: 'Rated', 401: 'The proof is refused', 404: 'No such receipt of this holder', 409: 'Already rated' },
    async handle(ctx) {
      const body = ctx.body as z.infer<typeof ratingBody>;
      const { holder } = await ctx.services.receipts.proveHolder(body.proof, `${baseUrlOf(ctx)}/api/v1/receipts/ratings`);
      await ctx.services.receipts.rate(holder, body.receipt, body.score, body.comment ?? null);
      return { status: 201, json: { receipt: body.receipt, score: body.score } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/ratings',
    operationId: 'countRatings',
    summary: "The calling counter's ratings, counted per service and score",
    access: 'verifier',
    responses: { 200: '{ counter, ratings: [{ service, score, count }] }', 401: 'No counter key' },
    async handle(ctx) {
      const counter = counterOf(ctx);
      return { status: 200, json: { counter: counter.id, ratings: await ctx.services.receipts.ratings(counter.id) } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/receipts/chain',
    operationId: 'verifyReceiptChain',
    summary: "Re-checks this node's receipt hash chain against the head anchored on the ledger (a deleted receipt is reported)",
    access: 'public',
    responses: { 200: '{ node, ok, receipts, anchored, problem }' },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.receipts.verifyReceiptChain() };
    },
  },
];
