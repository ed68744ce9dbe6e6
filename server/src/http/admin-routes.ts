/**
 * The province administration's routes (an admin API key): agencies and the types they may issue,
 * signing keys, counters and their services, API keys. Each ledger change answers with its
 * transaction id. Plus the two small routes every page starts with: what this node is, who I am.
 */
import { z } from 'zod';
import { RegistryError } from '../../../core/errors';
import { listLicenseTypes } from '../../../core/license-types';
import type { AdminActor, LedgerChange } from '../services/admin';
import type { Principal } from '../services/principals';
import type { RouteContext, RouteSpec } from './route-spec';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
// As the presentation requests name a service.
const SERVICE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const knownType = z.string().refine((type) => listLicenseTypes().some((known) => known.id === type), { error: 'is not a known license type' });

const agencyBody = z.strictObject({
  id: z.string().regex(ID, 'must be 3-64 characters of A-Z a-z 0-9 _ - (starting with a letter or digit)'),
  name: z.string().trim().min(1).max(128),
  licenseTypes: z.array(knownType).min(1).max(64),
});
const agencyChangesBody = z
  .strictObject({
    name: z.string().trim().min(1).max(128).optional(),
    licenseTypes: z.array(knownType).min(1).max(64).optional(),
    status: z.enum(['active', 'suspended']).optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, { error: 'name, licenseTypes or status is required' });
const serviceBody = z.strictObject({
  id: z.string().regex(SERVICE_ID, 'lower-case letters, digits and -'),
  names: z.strictObject({ zh: z.string().trim().min(1).max(64), en: z.string().trim().min(1).max(64) }),
  licenseType: knownType,
  // Claim paths as the Type Metadata names them, `/` between levels: name, age_equal_or_over/18.
  claims: z
    .array(z.string().regex(/^[a-z_][a-z0-9_]{0,63}(\/[A-Za-z0-9_]{1,64}){0,3}$/, 'a claim path such as name or age_equal_or_over/18'))
    .min(1)
    .max(32),
  acceptsUnbound: z.boolean(),
});
const counterBody = z.strictObject({
  id: z.string().regex(ID, 'must be 3-64 characters of A-Z a-z 0-9 _ - (starting with a letter or digit)'),
  name: z.string().trim().min(1).max(128),
  services: z.array(serviceBody).max(32).default([]),
});
const apiKeyBody = z.strictObject({ kind: z.enum(['agency', 'counter', 'admin']), principalId: z.string().min(1).max(64) });

function actorOf(ctx: RouteContext): AdminActor {
  if (ctx.principal?.kind !== 'admin') throw new RegistryError('FORBIDDEN', 'this endpoint needs a province admin API key');
  return { province: ctx.principal.province };
}

function pathId(ctx: RouteContext, pattern: RegExp = ID, name = 'id'): string {
  const id = ctx.params[name] ?? '';
  if (!pattern.test(id)) throw new RegistryError('INVALID_ARGUMENT', `the ${name} in the path is malformed`);
  return id;
}

function ledgerReply<T>(status: number, change: LedgerChange<T>): { status: number; json: unknown } {
  return { status, json: { txId: change.txId, blockNumber: change.blockNumber, ...change.result } };
}

function whoAmI(principal: Principal | null): Record<string, unknown> {
  if (!principal) return { kind: 'public' };
  if (principal.kind === 'admin') return { kind: 'admin', province: principal.province };
  if (principal.kind === 'agency') {
    const { id, name, province, licenseTypes } = principal.agency;
    return { kind: 'agency', id, name, province, licenseTypes };
  }
  const { id, name, province } = principal.counter;
  return { kind: 'counter', id, name, province };
}

const ADMIN_REFUSALS = { 401: 'No valid API key', 403: 'Not a province admin key, or another province' } as const;

export const ADMIN_ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/node',
    operationId: 'getNode',
    summary: 'What this node is: the provinces it serves, its ledger and store',
    access: 'open',
    responses: { 200: 'The node' },
    handle(ctx) {
      return { status: 200, json: ctx.services.info.node() };
    },
  },
  {
    method: 'get',
    path: '/api/v1/me',
    operationId: 'whoAmI',
    summary: 'Who the presented API key speaks for (agency, counter or province admin)',
    access: 'open',
    responses: { 200: 'The principal', 401: 'The API key is not valid' },
    handle(ctx) {
      return { status: 200, json: whoAmI(ctx.principal) };
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/agencies',
    operationId: 'adminListAgencies',
    summary: "The province's agencies as the ledger's trust registry holds them",
    access: 'admin',
    responses: { 200: 'The agencies', ...ADMIN_REFUSALS },
    async handle(ctx) {
      return { status: 200, json: { agencies: await ctx.services.admin.listAgencies(actorOf(ctx)) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/agencies',
    operationId: 'adminCreateAgency',
    summary: 'Register an agency on the ledger with the license types it may issue and a first signing key',
    access: 'admin',
    body: agencyBody,
    responses: { 201: 'Registered (txId)', 400: 'A field is invalid', ...ADMIN_REFUSALS, 409: 'The agency id is taken' },
    async handle(ctx) {
      return ledgerReply(201, await ctx.services.admin.createAgency(actorOf(ctx), ctx.body as z.infer<typeof agencyBody>));
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/agencies/:id',
    operationId: 'adminUpdateAgency',
    summary: 'Suspend or reinstate an agency (status), rename it, or change the license types it may issue',
    access: 'admin',
    body: agencyChangesBody,
    responses: { 200: 'Changed (txId)', 400: 'A field is invalid', ...ADMIN_REFUSALS, 404: 'Unknown agency' },
    async handle(ctx) {
      return ledgerReply(200, await ctx.services.admin.updateAgency(actorOf(ctx), pathId(ctx), ctx.body as z.infer<typeof agencyChangesBody>));
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/agencies/:id/rotate-key',
    operationId: 'adminRotateAgencyKey',
    summary: "Rotate an agency's signing key; the old key stays resolvable (retired) so earlier credentials verify",
    access: 'admin',
    responses: { 200: 'Rotated (txId)', ...ADMIN_REFUSALS, 404: 'Unknown agency' },
    async handle(ctx) {
      return ledgerReply(200, await ctx.services.admin.rotateAgencyKey(actorOf(ctx), pathId(ctx)));
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/counters',
    operationId: 'adminListCounters',
    summary: "The province's service counters and their services",
    access: 'admin',
    responses: { 200: 'The counters', ...ADMIN_REFUSALS },
    async handle(ctx) {
      return { status: 200, json: { counters: await ctx.services.admin.listCounters(actorOf(ctx)) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/counters',
    operationId: 'adminSaveCounter',
    summary:
      'Create or rename a service counter, adding or replacing services by id: { id, name, services: [{ id, names: {zh, en}, licenseType, claims, acceptsUnbound }] }',
    access: 'admin',
    body: counterBody,
    responses: { 200: 'Saved', 400: 'A field is invalid', ...ADMIN_REFUSALS },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.admin.saveCounter(actorOf(ctx), ctx.body as z.infer<typeof counterBody>) };
    },
  },
  {
    method: 'delete',
    path: '/api/v1/admin/counters/:id/services/:serviceId',
    operationId: 'adminDeleteCounterService',
    summary: 'Remove one service of a counter: no longer offered, new requests naming it are refused; requests already shown may still be answered',
    access: 'admin',
    responses: { 200: 'Removed: the counter as it now is', 400: 'An id in the path is malformed', ...ADMIN_REFUSALS, 404: 'Unknown counter or service' },
    async handle(ctx) {
      const counter = await ctx.services.admin.deleteCounterService(actorOf(ctx), pathId(ctx), pathId(ctx, SERVICE_ID, 'serviceId'));
      return { status: 200, json: counter };
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/api-keys',
    operationId: 'adminListApiKeys',
    summary: "The province's API keys (never their secrets)",
    access: 'admin',
    responses: { 200: 'The keys', ...ADMIN_REFUSALS },
    async handle(ctx) {
      return { status: 200, json: { apiKeys: await ctx.services.admin.listApiKeys(actorOf(ctx)) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/api-keys',
    operationId: 'adminIssueApiKey',
    summary: 'Issue an API key for an agency, a counter or this province administration; the token is shown once',
    access: 'admin',
    body: apiKeyBody,
    responses: { 201: 'Issued: { id, token, … }', 400: 'A field is invalid', ...ADMIN_REFUSALS, 404: 'Unknown agency or counter' },
    async handle(ctx) {
      const { kind, principalId } = ctx.body as z.infer<typeof apiKeyBody>;
      return { status: 201, json: await ctx.services.admin.issueApiKey(actorOf(ctx), kind, principalId), headers: { 'Cache-Control': 'no-store' } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/api-keys/:id/revoke',
    operationId: 'adminRevokeApiKey',
    summary: 'Revoke an API key; refused from the next request on',
    access: 'admin',
    responses: { 200: 'Revoked', ...ADMIN_REFUSALS, 404: 'Unknown key' },
    async handle(ctx) {
      return { status: 200, json: await ctx.services.admin.revokeApiKey(actorOf(ctx), pathId(ctx, KEY_ID)) };
    },
  },
];
