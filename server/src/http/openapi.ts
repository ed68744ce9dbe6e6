/**
 * The OpenAPI 3.1 document, generated from the route table (routes.ts) and the same zod schemas
 * that validate requests, so it always matches what the server does.
 */
import { z } from 'zod';
import type { RouteSpec } from './routes';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable error code (e.g. LICENSE_REVOKED, INVALID_FIELD)' },
        message: { type: 'string' },
        field: { type: 'string', description: 'The offending field, for INVALID_FIELD' },
      },
    },
  },
};

/** Express `/licenses/:id/qr.png` → OpenAPI `/licenses/{id}/qr.png`; a wildcard `*rest` → `{rest}`. */
export function openApiPath(path: string): string {
  return path.replace(/[:*]([A-Za-z_]+)/g, '{$1}');
}

/** A key is required (agency, admin), optional (verifier: the public is rate-limited), or none. */
function securityOf(access: RouteSpec['access']): Array<Record<string, string[]>> {
  if (access === 'agency' || access === 'admin') return [{ apiKey: [] }];
  return access === 'verifier' ? [{ apiKey: [] }, {}] : [];
}

/** The request body in each media type the route consumes (JSON unless it says otherwise), or none. */
function requestBodyOf(route: RouteSpec): Record<string, unknown> | null {
  const schema = route.body ? z.toJSONSchema(route.body) : route.bodySchema?.();
  if (!schema) return null;
  return { required: true, content: Object.fromEntries((route.consumes ?? ['application/json']).map((type) => [type, { schema }])) };
}

export function openApiDocument(routes: RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const params = [...route.path.matchAll(/[:*]([A-Za-z_]+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (route.idempotent) {
      params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } });
    }
    const requestBody = requestBodyOf(route);
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(route.responses)) {
      const ok = Number(status) < 400;
      const type = ok ? (route.produces ?? 'application/json') : 'application/json';
      responses[status] = {
        description,
        content: { [type]: ok ? (type === 'application/json' ? { schema: { type: 'object' } } : {}) : { schema: errorSchema } },
      };
    }
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      security: securityOf(route.access),
      'x-access': route.access,
    };
    paths[openApiPath(route.path)] = { ...(paths[openApiPath(route.path)] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'elicense registry API', version, description: 'Blockchain-anchored electronic licenses: issue, show as QR, verify against the ledger.' },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An agency or service-counter API key (elk_…)' } } },
    paths,
  };
}
