/**
 * The shape of a route in the table (routes.ts): who may call it, its body schema, its handler.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import type { Services } from '../services/index';
import type { Principal } from '../services/principals';

export type Access = 'agency' | 'admin' | 'verifier' | 'public' | 'open';

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
}

export interface RouteSpec {
  method: 'get' | 'post';
  path: string;
  operationId: string;
  summary: string;
  /** agency: an agency API key. verifier: a counter or agency key, or the public (rate-limited). public: anyone (rate-limited). open: anyone. */
  access: Access;
  /** Validates the JSON body at the edge; its JSON Schema goes into the OpenAPI document. */
  body?: z.ZodType;
  /** A JSON Schema for the body when it is validated by the domain instead (license requests). */
  bodySchema?: () => Record<string, unknown>;
  idempotent?: boolean;
  produces?: 'application/json' | 'image/png' | 'image/svg+xml' | 'application/jwt' | 'application/oauth-authz-req+jwt' | 'application/statuslist+jwt';
  responses: Record<number, string>;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}
