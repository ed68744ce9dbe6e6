/**
 * Token Status List routes. Open to anyone, unthrottled: a list is one cached token whatever the
 * caller, and a verifier that cannot fetch it cannot accept any credential that points at it.
 * The signing province's issuer metadata is served by the issuer-metadata route (`provinces/<code>`).
 */
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
      const token = await ctx.services.statusLists.token(ctx.params.agencyId ?? '', ctx.params.listId ?? '');
      return { status: 200, contentType: STATUS_LIST_MEDIA_TYPE, payload: token, headers: { 'Cache-Control': 'public, max-age=1' } };
    },
  },
];
