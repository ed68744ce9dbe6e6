/**
 * The HTTP API as a table: each route's method, path, who may call it, its request schema and
 * its handler. Express routes and the OpenAPI document are both generated from this table, so every
 * route the server serves is in the document with the request schema it validates against (the
 * responses are described, not schema-checked). Handlers stay a few lines: parse, call one service,
 * shape the reply.
 */
import { z } from 'zod';
import { REASON_CODES, RENEW_REASONS } from '../../../core/anchor';
import { RegistryError } from '../../../core/errors';
import { REGISTRY_ID } from '../../../core/registry-id';
import { licenseTypeJsonSchema, listLicenseTypes } from '../../../core/license-types';
import type { Request } from 'express';
import type { IssueResponse, Outcome } from '../services/issuance';
import { licenseSummary } from '../services/lifecycle';
import type { StatusReader } from '../services/registry-info';
import { ADMIN_ROUTES } from './admin-routes';
import { errorReply } from './middleware';
import { OID4VCI_ROUTES } from './oid4vci-routes';

// The table's types live in route-spec.ts so that each area's route file (admin-routes.ts) needs no import of this one.
export type { Access, Reply, RouteContext, RouteSpec } from './route-spec';
import type { Reply, RouteContext, RouteSpec } from './route-spec';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const reasonBody = z.object({ reason: z.enum(REASON_CODES) }).strict();
const renewBody = z
  .object({
    reason: z.enum(RENEW_REASONS).optional(),
    holder: z.record(z.string(), z.unknown()).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    validFrom: z.string().optional(),
    validUntil: z.string().nullable().optional(),
  })
  .strict();
const verifyBody = z.object({ credential: z.string() }).strict();
/**
 * Up to 200 licenses per request: a bulk upload's chunks (web/src/bulk.ts sends 100) ride one
 * group-committed ledger transaction instead of one commit wait per row. Each request is checked
 * by the issuance service exactly as POST /licenses checks it, so its answer is that route's.
 */
export const MAX_BATCH_ITEMS = 200;
const batchBody = z
  .object({
    items: z
      .array(z.object({ idempotencyKey: z.string().regex(IDEMPOTENCY_KEY, 'must be 1 to 200 printable ASCII characters'), request: z.unknown() }).strict())
      .min(1)
      .max(MAX_BATCH_ITEMS),
  })
  .strict();
const searchBody = z.object({ idNumber: z.string().max(32).optional(), creditCode: z.string().max(32).optional() }).strict();

function licenseId(ctx: RouteContext): string {
  const id = ctx.params.id ?? '';
  if (!REGISTRY_ID.test(id)) throw new RegistryError('INVALID_ARGUMENT', 'the license id in the path is malformed');
  return id;
}

function agencyOf(ctx: RouteContext) {
  if (ctx.principal?.kind !== 'agency') throw new RegistryError('FORBIDDEN', 'this endpoint needs an agency API key');
  return ctx.principal.agency;
}

function idempotencyKey(req: Request): string | null {
  const key = req.get('idempotency-key');
  if (key === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(key)) throw new RegistryError('INVALID_ARGUMENT', 'Idempotency-Key must be 1 to 200 printable ASCII characters');
  return key;
}

/** A stored answer to an earlier request with the same Idempotency-Key says so in a header. */
function issued(outcome: Outcome<unknown>): Reply {
  const headers: Record<string, string> = outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {};
  return { status: outcome.status, json: outcome.body, headers };
}

/** One batch item's answer: the status and body POST /licenses would have sent for it. */
function itemReply(settled: PromiseSettledResult<Outcome<IssueResponse>>, ctx: RouteContext): { status: number; body: unknown; replayed?: true } {
  if (settled.status === 'rejected') return errorReply(settled.reason, ctx.log);
  const { status, body, replayed } = settled.value;
  return { status, body, ...(replayed ? { replayed } : {}) };
}

/** Wallets and other provinces' verifiers fetch metadata from pages of their own origin. */
const METADATA_HEADERS = { 'Access-Control-Allow-Origin': '*' };

function readerOf(ctx: RouteContext): string {
  return ctx.services.readers.readerFor(ctx.principal);
}

function statusReader(ctx: RouteContext): StatusReader {
  if (ctx.principal?.kind === 'counter') return { kind: 'counter' };
  if (ctx.principal?.kind === 'agency') return { kind: 'agency', agencyId: ctx.principal.agency.id };
  return { kind: 'public' };
}

export const ROUTES: RouteSpec[] = [
  {
    method: 'post',
    path: '/api/v1/licenses',
    operationId: 'issueLicense',
    summary: 'Issue a license: anchor it on the ledger and return its signed credential',
    access: 'agency',
    bodySchema: () => ({ oneOf: listLicenseTypes().map((type) => licenseTypeJsonSchema(type.id)) }),
    idempotent: true,
    responses: {
      201: 'Issued and anchored',
      400: 'A field is invalid (error.field names it)',
      401: 'No valid API key',
      403: 'Not an agency, or the type is not allowed',
      409: 'Idempotency-Key reused for another request',
      503: 'Ledger unreachable: retry with the same Idempotency-Key',
    },
    async handle(ctx) {
      return issued(await ctx.services.issuance.issue(agencyOf(ctx), ctx.body, idempotencyKey(ctx.req)));
    },
  },
  {
    method: 'post',
    path: '/api/v1/licenses/batch',
    operationId: 'issueLicenses',
    summary: `Issue up to ${MAX_BATCH_ITEMS} licenses at once, each with its own Idempotency-Key: per item, in order, the status and body POST /api/v1/licenses would answer`,
    access: 'agency',
    body: batchBody,
    maxBody: '1mb',
    responses: {
      200: '{ results: [{ status, body, replayed? }] }: 201 with the license, or the 4xx/5xx error ({ error: { code, field } }) of that item',
      400: 'Not { items: [{ idempotencyKey, request }] } with 1 to 200 items (error.field names the part)',
      401: 'No valid API key',
      403: 'Not an agency',
      413: 'The body is larger than 1 MB',
    },
    async handle(ctx) {
      const { items } = ctx.body as z.infer<typeof batchBody>;
      const settled = await ctx.services.issuance.issueBatch(agencyOf(ctx), items);
      return { status: 200, json: { results: settled.map((one) => itemReply(one, ctx)) } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/licenses',
    operationId: 'listOwnLicenses',
    summary: "The agency's own licenses, newest first (?limit=1..200, ?before=<createdAt> for the next page)",
    access: 'agency',
    responses: { 200: 'The licenses', 400: 'A bad limit or before' },
    async handle(ctx) {
      const limit = ctx.req.query.limit === undefined ? 50 : Number(ctx.req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new RegistryError('INVALID_ARGUMENT', 'limit must be an integer from 1 to 200');
      const before = typeof ctx.req.query.before === 'string' ? ctx.req.query.before : undefined;
      if (before !== undefined && Number.isNaN(Date.parse(before)))
        throw new RegistryError('INVALID_ARGUMENT', 'before must be an instant (createdAt of the last row)');
      return { status: 200, json: { licenses: await ctx.services.lifecycle.listOwn(agencyOf(ctx), limit, before) }, headers: { 'Cache-Control': 'no-store' } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/licenses/search',
    operationId: 'findLicensesByHolder',
    summary: "The agency's licenses of one holder, by ID number or credit code (matched through the keyed holderRef)",
    access: 'agency',
    body: searchBody,
    responses: { 200: 'The licenses, oldest first', 400: 'Not exactly one valid identifier' },
    async handle(ctx) {
      const rows = await ctx.services.issuance.findByHolder(agencyOf(ctx), ctx.body as z.infer<typeof searchBody>);
      return { status: 200, json: { licenses: rows.map(licenseSummary) } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/licenses/:id',
    operationId: 'getLicense',
    summary: 'The full record of a license, for the agency that issued it',
    access: 'agency',
    responses: { 200: 'The record', 403: 'Another agency issued it', 404: 'Unknown license' },
    async handle(ctx) {
      const agency = agencyOf(ctx);
      const row = await ctx.services.issuance.ownLicense(agency, licenseId(ctx));
      const ledgerStatus = row.state === 'anchored' ? await ctx.services.info.status(agency.identityLabel, row.id).catch(() => null) : null;
      return {
        status: 200,
        json: {
          licenseId: row.id,
          type: row.type,
          state: row.state,
          status: ledgerStatus?.status ?? row.status,
          record: row.record,
          docHash: row.docHash,
          supersedes: row.supersedes,
          anchor: row.txId ? { txId: row.txId, blockNumber: row.blockNumber } : null,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
        },
      };
    },
  },
  {
    method: 'get',
    path: '/api/v1/licenses/:id/credential',
    operationId: 'getCredential',
    summary: 'The compact signed credential (the exact text the QR code carries)',
    access: 'agency',
    responses: { 200: 'The credential', 403: 'Another agency issued it', 404: 'Unknown license', 409: 'Not anchored yet' },
    async handle(ctx) {
      const id = licenseId(ctx);
      return { status: 200, json: { licenseId: id, credential: await ctx.services.issuance.credentialOf(agencyOf(ctx), id) } };
    },
  },
  ...(
    [
      ['png', 'image/png', 'PNG'],
      ['svg', 'image/svg+xml', 'SVG'],
    ] as const
  ).map(([format, type, name]): RouteSpec => ({
    method: 'get',
    path: `/api/v1/licenses/:id/qr.${format}`,
    operationId: `getQr${name.charAt(0)}${name.slice(1).toLowerCase()}`,
    summary: `The credential as a QR code (${name}, error correction M)`,
    access: 'agency',
    produces: type,
    responses: { 200: `${name} image`, 403: 'Another agency issued it', 404: 'Unknown license' },
    async handle(ctx) {
      return { status: 200, contentType: type, payload: await ctx.services.credentialQr[format](agencyOf(ctx), licenseId(ctx)) };
    },
  })),
  ...(['suspend', 'reinstate', 'revoke'] as const).map((action): RouteSpec => ({
    method: 'post',
    path: `/api/v1/licenses/:id/${action}`,
    operationId: `${action}License`,
    summary: `${action.charAt(0).toUpperCase()}${action.slice(1)} a license with a reason code${action === 'revoke' ? ' (terminal)' : ''}`,
    access: 'agency',
    body: reasonBody,
    responses: {
      200: 'Status changed on the ledger',
      400: 'Unknown reason code',
      403: 'Another agency issued it',
      404: 'Unknown license',
      409: 'The license is not in a state that allows this',
    },
    async handle(ctx) {
      const { reason } = ctx.body as z.infer<typeof reasonBody>;
      return { status: 200, json: await ctx.services.lifecycle.change(agencyOf(ctx), licenseId(ctx), action, reason) };
    },
  })),
  {
    method: 'post',
    path: '/api/v1/licenses/:id/renew',
    operationId: 'renewLicense',
    summary: 'Renew or replace a license: a new license (new id) supersedes it',
    access: 'agency',
    body: renewBody,
    idempotent: true,
    responses: {
      201: 'The successor, issued and anchored',
      400: 'A field is invalid',
      403: 'Another agency issued it',
      404: 'Unknown license',
      409: 'The license is revoked or already superseded',
    },
    async handle(ctx) {
      return issued(await ctx.services.issuance.renew(agencyOf(ctx), licenseId(ctx), ctx.body as Record<string, unknown>, idempotencyKey(ctx.req)));
    },
  },
  {
    method: 'get',
    path: '/api/v1/licenses/:id/status',
    operationId: 'getLicenseStatus',
    summary: "A license's status as the ledger holds it (any province's license): the public learns only whether it is active",
    access: 'public',
    responses: {
      200: '{ id, active } for the public; the full status with reason for counters and the issuing agency',
      404: 'Not anchored',
      429: 'Rate limited',
    },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.info.statusFor(readerOf(ctx), licenseId(ctx), statusReader(ctx)) };
    },
  },
  {
    method: 'get',
    path: '/api/v1/licenses/:id/history',
    operationId: 'getLicenseHistory',
    summary: 'Every change of a license on the ledger, oldest first, with tx id and time: for counters and the issuing agency',
    access: 'verifier',
    responses: { 200: 'The history', 401: 'No key', 403: 'Another agency issued it', 404: 'Not anchored' },
    async handle(ctx) {
      const id = licenseId(ctx);
      return { status: 200, json: { licenseId: id, history: await ctx.services.info.history(readerOf(ctx), id, statusReader(ctx)) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/verify',
    operationId: 'verifyCredential',
    summary: 'Verify a scanned credential against the ledger: a verdict with every check',
    access: 'verifier',
    body: verifyBody,
    responses: { 200: 'The verdict (valid, invalid or indeterminate)', 400: 'The body is not { credential: string }', 429: 'Rate limited (public)' },
    async handle(ctx) {
      const { credential } = ctx.body as z.infer<typeof verifyBody>;
      return { status: 200, json: await ctx.services.presentations.verifyShown(credential, ctx.services.readers.verifierOf(ctx.principal)) };
    },
  },
  {
    method: 'get',
    path: '/api/v1/verifications',
    operationId: 'listVerifications',
    summary: "The audit trail of verifications of one of the agency's licenses",
    access: 'agency',
    responses: { 200: 'Newest first', 403: 'Another agency issued it', 404: 'Unknown license' },
    async handle(ctx) {
      const { licenseId: query } = ctx.req.query;
      const id = typeof query === 'string' ? query : '';
      if (!REGISTRY_ID.test(id)) throw new RegistryError('INVALID_ARGUMENT', 'query parameter licenseId is required');
      return { status: 200, json: { licenseId: id, verifications: await ctx.services.verificationLog.ofLicense(agencyOf(ctx), id) } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/trust/issuers',
    operationId: 'listIssuers',
    summary: 'The trust registry as the ledger holds it: agencies, provinces, license types and public keys',
    access: 'public',
    responses: { 200: 'The issuers', 429: 'Rate limited' },
    async handle(ctx) {
      return { status: 200, json: { issuers: await ctx.services.info.issuers(readerOf(ctx)) } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/trust/anchor',
    operationId: 'getTrustAnchor',
    summary:
      "The provinces' root CA certificates as the ledger's channel configuration holds them (elicense-trust-anchor/1): what an offline counter is provisioned with once",
    access: 'public',
    responses: { 200: 'The trust anchor', 429: 'Rate limited' },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.offline.trustAnchor(readerOf(ctx)) };
    },
  },
  {
    method: 'get',
    path: '/api/v1/offline-bundle',
    operationId: 'getOfflineBundle',
    summary:
      'The offline bundle: trust registry, Type Metadata and every status list token in one JWT signed by the bundle signer (x5c chains to the trust anchor)',
    access: 'public',
    produces: 'application/jwt',
    responses: {
      200: 'The signed bundle (compact JWS, typ elicense-offline-bundle+jwt)',
      429: 'Rate limited',
      503: 'No bundle signer, or the ledger is unreachable',
    },
    async handle(ctx) {
      const bundle = await ctx.services.offline.bundle();
      return { status: 200, contentType: 'application/jwt', payload: bundle.token, headers: { 'Cache-Control': 'public, max-age=5' } };
    },
  },
  {
    method: 'get',
    path: '/api/v1/license-types',
    operationId: 'listLicenseTypes',
    summary: 'License types with display names, vct, Type Metadata location, field schema (JSON Schema) and a valid example request',
    access: 'open',
    responses: { 200: 'The types' },
    handle(ctx) {
      const base = ctx.services.publicBase.get();
      return {
        status: 200,
        json: {
          licenseTypes: ctx.services.info.licenseTypes().map((type) => ({ ...type, typeMetadataUri: `${base}/api/v1/license-types/${type.id}/type-metadata` })),
        },
      };
    },
  },
  {
    method: 'get',
    path: '/api/v1/license-types/:typeId/type-metadata',
    operationId: 'getTypeMetadata',
    summary: "A license type's SD-JWT VC Type Metadata: vct, names and claim labels (zh-CN, en), which claims are selectively disclosable",
    access: 'open',
    responses: { 200: 'The Type Metadata document', 404: 'Unknown license type' },
    handle(ctx) {
      return { status: 200, json: ctx.services.info.typeMetadata(ctx.params.typeId ?? ''), headers: METADATA_HEADERS };
    },
  },
  {
    method: 'get',
    path: '/.well-known/jwt-vc-issuer/*issuerPath',
    operationId: 'getIssuerMetadata',
    summary: 'SD-JWT VC issuer metadata of the issuer <base>/<issuerPath>: { issuer, jwks } from the ledger (retired keys listed with retired_at)',
    access: 'public',
    responses: { 200: 'The issuer metadata', 404: 'No such issuer', 429: 'Rate limited' },
    async handle(ctx) {
      const segments: unknown = ctx.req.params.issuerPath;
      const issuerPath = Array.isArray(segments) ? segments.join('/') : String(segments);
      return { status: 200, json: await ctx.services.issuerMetadata.metadata(issuerPath, readerOf(ctx)), headers: METADATA_HEADERS };
    },
  },
  ...OID4VCI_ROUTES,
  {
    method: 'get',
    path: '/status-lists/:agencyId/:listId',
    operationId: 'getStatusList',
    summary: "An agency's Token Status List (statuslist+jwt, 2 bits: VALID, INVALID, SUSPENDED), derived from the ledger and signed by this node's province",
    // Open and unthrottled: one cached token whatever the caller, and a verifier that cannot fetch it cannot accept any credential pointing at it.
    access: 'open',
    produces: 'application/statuslist+jwt',
    responses: { 200: 'The Status List Token', 404: 'No such agency or list' },
    async handle(ctx) {
      const token = await ctx.services.statusLists.token(ctx.params.agencyId ?? '', ctx.params.listId ?? '');
      return { status: 200, contentType: 'application/statuslist+jwt', payload: token, headers: { 'Cache-Control': 'public, max-age=1' } };
    },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness: 200 only when both the ledger and the store answer',
    access: 'open',
    responses: { 200: 'Healthy', 503: 'Ledger or store unavailable' },
    async handle(ctx) {
      const { healthy, ...report } = await ctx.services.health.check();
      return { status: healthy ? 200 : 503, json: { status: healthy ? 'ok' : 'unavailable', ...report } };
    },
  },
  ...ADMIN_ROUTES,
];
