/**
 * The shape of one route of the HTTP table (routes.ts and the per-area route files): its own
 * module so that area files and the table import it without importing each other.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import type { Logger } from '../logger';
import type { Services } from '../services/index';
import type { Principal } from '../services/principals';

export type RequestMediaType = 'application/json' | 'application/x-www-form-urlencoded';

/** admin: a province administrator's API key; the other kinds as below. */
export type Access = 'agency' | 'admin' | 'verifier' | 'public' | 'open' | 'oauth';

export interface Reply {
  status: number;
  json?: unknown;
  contentType?: string;
  payload?: Buffer | string;
  headers?: Record<string, string>;
}

export interface RouteContext {
  req: Request;
  services: Services;
  principal: Principal | null;
  params: Record<string, string>;
  body: unknown;
  /** The request's own logger (its lines carry the request id). */
  log: Logger;
}

export interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  /**
   * agency: an agency API key. admin: a province admin key. verifier: a counter or agency key, or the public (rate-limited).
   * public: anyone (rate-limited). open: anyone. oauth: anyone (rate-limited); Authorization, if
   * any, is an OAuth access token the handler checks, not an API key.
   */
  access: Access;
  /** Validates the JSON body at the edge; its JSON Schema goes into the OpenAPI document. */
  body?: z.ZodType;
  /** A JSON Schema for the body when it is validated by the domain instead (license requests, OAuth forms). */
  bodySchema?: () => Record<string, unknown>;
  /**
   * How the body may be encoded, as the OpenAPI document lists it; JSON unless said (OAuth's token
   * request and OpenID4VP's direct_post are forms). Enforced: another type is 415, and only a route
   * declaring a form has form bodies parsed.
   */
  consumes?: readonly RequestMediaType[];
  /** A JSON body limit above the 64 KB every other route has (express/body-parser syntax, e.g. '1mb'): for batches. */
  maxBody?: string;
  idempotent?: boolean;
  produces?: 'application/json' | 'image/png' | 'image/svg+xml' | 'application/jwt' | 'application/oauth-authz-req+jwt' | 'application/statuslist+jwt';
  responses: Record<number, string>;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}
