/**
 * Token Status List routes: the lists themselves and the issuer metadata of the provinces that
 * sign them. Open to anyone, unthrottled: a list is one cached token whatever the caller, and a
 * verifier that cannot fetch it cannot accept any credential that points at it.
 */
import { isProvinceCode } from '../../../core/admin-divisions';
import { RegistryError } from '../../../core/errors';
import { STATUS_LIST_MEDIA_TYPE } from '../services/status-lists';
import type { RouteSpec } from './routes';

export const STATUS_LIST_ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/status-lists/:agencyId/:listId',
    operationId: 'getStatusList',
    summary: "An agency's Token Status List (statuslist+jwt, 2 bits: VALID, INVALID, SUSPENDED), derived from the ledger and signed by this node's province",
    access: 'open',
    produces: STATUS_LIST_MEDIA_TYPE,
    responses: { 200: 'The Status List Token', 404: 'No such agency or list' },
    async handle(ctx) {
      const token = await ctx.registry.statusLists.token(String(ctx.params.agencyId), String(ctx.params.listId));
      return { status: 200, contentType: STATUS_LIST_MEDIA_TYPE, payload: token, headers: { 'Cache-Control': 'public, max-age=1' } };
    },
  },
  {
    method: 'get',
    path: '/.well-known/jwt-vc-issuer/provinces/:code',
    operationId: 'getProvinceIssuerMetadata',
    summary: "JWT VC issuer metadata of a province (the `iss` of its status list tokens): its keys as the ledger's trust registry lists them",
    access: 'open',
    responses: { 200: '{ issuer, jwks }', 404: 'Not a province with a status-list key' },
    async handle(ctx) {
      const code = String(ctx.params.code);
      if (!isProvinceCode(code)) throw new RegistryError('NOT_FOUND', `${code} is not a province code`);
      const keys = (await ctx.registry.statusLists.provinceKeys(code)).filter((key) => key.purpose === 'status-list');
      if (keys.length === 0) throw new RegistryError('NOT_FOUND', `province ${code} has no status-list key on the ledger`);
      return {
        status: 200,
        json: {
          issuer: ctx.registry.statusLists.issuerOf(code),
          jwks: { keys: keys.map((key) => ({ ...key.jwk, kid: key.kid, alg: 'ES256', use: 'sig', ...(key.retiredAt ? { retired_at: key.retiredAt } : {}) })) },
        },
      };
    },
  },
];
