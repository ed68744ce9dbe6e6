/**
 * The edge: body limits, JSON shape, who is calling, how often, and the one mapping from errors to
 * `{ "error": { "code", "message" } }` with a 4xx/5xx status.
 */
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { requestIdOf, type Logger } from '../logger';
import { ERROR_CODES, RegistryError } from '../../../core/errors';
import type { Principal, PrincipalsService } from '../services/principals';

export const MAX_BODY = '64kb';
/** Deeper JSON than any request of ours needs; deep nesting is how parsers and walkers get hurt. */
export const MAX_DEPTH = 32;

/**
 * JSON bodies up to `limit` (64 KB unless a route says), parsed strictly; anything else is a clear
 * 4xx from `errorHandler`. Not inflated: a gzip body of 1 KB can unpack to the whole limit, and no
 * client of this API compresses what it sends (Content-Encoding then answers 415).
 */
export function jsonBody(limit: string = MAX_BODY): RequestHandler[] {
  const depthCheck: RequestHandler = (req, _res, next) => {
    if (req.body !== undefined && depthOf(req.body) > MAX_DEPTH) {
      next(new RegistryError('NESTING_TOO_DEEP', `the JSON body nests deeper than ${MAX_DEPTH} levels`, { field: 'body' }));
      return;
    }
    next();
  };
  return [express.json({ limit, strict: true, inflate: false, type: ['application/json', 'application/*+json'] }), depthCheck];
}

/** `application/x-www-form-urlencoded` bodies, flat, as small as JSON ones: only for routes whose table entry declares them (`consumes`). */
export function formBody(): RequestHandler {
  return express.urlencoded({ extended: false, inflate: false, limit: MAX_BODY, parameterLimit: 50 });
}

/** Depth of a parsed JSON value, iteratively (a recursive walk is what deep nesting would break). */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export interface Caller {
  principal: Principal | null;
  /** The client address, for rate limiting the public. */
  client: string;
}

export function callerOf(res: Response): Caller {
  return res.locals.caller as Caller;
}

/** For endpoints whose Authorization header is not an API key (OAuth access tokens): the caller is the public. */
export function anonymousCaller(): RequestHandler {
  return (req, res, next) => {
    const caller: Caller = { principal: null, client: req.ip ?? req.socket.remoteAddress ?? 'unknown' };
    res.locals.caller = caller;
    next();
  };
}

const MINUTE_MS = 60000;

/** The client address as the limiters count it: IPv6 by /56, so one host cannot rotate through its subnet. */
function clientKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/** A limiter whose refusal is our RATE_LIMITED error (with Retry-After), not the library's own body. */
function limiter(perMinute: number, message: (client: string) => string, skip?: (req: Request, res: Response) => boolean): RateLimitRequestHandler {
  return rateLimit({
    windowMs: MINUTE_MS,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: clientKey,
    ...(skip ? { skip } : {}),
    handler: (req, _res, next) => {
      next(new RegistryError('RATE_LIMITED', message(req.ip ?? 'this address')));
    },
  });
}

/**
 * Failed authentications per client address: past `perMinute` in a minute, every request that
 * carries a key gets 429 before any key is looked up, so guessing keys costs the guesser, not us.
 */
export class AuthFailureLimit {
  readonly #limiter: RateLimitRequestHandler;
  readonly #perMinute: number;

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
    this.#limiter = limiter(perMinute, (client) => `too many failed authentications from ${client}; slow down`);
  }

  /** Seconds until this address may try again, or null when it may now. */
  async blockedFor(req: Request): Promise<number | null> {
    const info = await this.#limiter.getKey(clientKey(req));
    if (info === undefined || info.totalHits < this.#perMinute) return null;
    const reset = info.resetTime?.getTime() ?? Date.now() + MINUTE_MS;
    return Math.max(1, Math.ceil((reset - Date.now()) / 1000));
  }

  /** Counts one failure; calls `next` with the failure, or with RATE_LIMITED once past the limit. */
  fail(req: Request, res: Response, next: NextFunction, failure: unknown): void {
    void this.#limiter(req, res, (error?: unknown) => {
      next(error ?? failure);
    });
  }
}

/** Reads `Authorization: Bearer …`; a key that is present but wrong is refused, never ignored. */
export function authenticate(principals: Pick<PrincipalsService, 'authenticate'>, failures: AuthFailureLimit): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    const caller: Caller = { principal: null, client: req.ip ?? req.socket.remoteAddress ?? 'unknown' };
    res.locals.caller = caller;
    if (header === undefined) {
      next();
      return;
    }
    const wait = await failures.blockedFor(req);
    if (wait !== null) {
      res.set('Retry-After', String(wait));
      next(new RegistryError('RATE_LIMITED', `too many failed authentications from ${caller.client}; try again in ${wait} s`));
      return;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      failures.fail(req, res, next, new RegistryError('UNAUTHENTICATED', 'Authorization must be "Bearer <API key>"'));
      return;
    }
    try {
      caller.principal = await principals.authenticate(match[1] ?? '');
      next();
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'UNAUTHENTICATED') failures.fail(req, res, next, error);
      else next(error);
    }
  };
}

/** Unauthenticated calls per client address per minute. Keyed callers (agencies, counters) are accountable and not limited here. */
export function publicRateLimit(perMinute: number): RequestHandler {
  return limiter(
    perMinute,
    (client) => `too many requests from ${client}; authenticate with an API key or slow down`,
    (_req, res) => callerOf(res).principal !== null,
  );
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** The request's own logger (its lines carry the request id), set by `requestLog`. */
export function logOf(res: Response, fallback: Logger): Logger {
  return (res.locals.log as Logger | undefined) ?? fallback;
}

/**
 * A request id on every request (the client's X-Request-Id when sane), echoed in the answer, and
 * one line per request when it ends: at `debug` when it succeeded, `info` for a refusal (4xx),
 * `error` for a failure. Headers go through the logger's redaction: `authorization` never shows.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req.get('x-request-id'));
    const log = logger.child({ reqId: id });
    res.locals.log = log;
    res.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug';
      if (!log.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const headers = { authorization: req.headers.authorization, 'user-agent': req.headers['user-agent'] };
      log[level]({ req: { method: req.method, url: req.originalUrl, headers }, res: { status: res.statusCode }, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

/** Body-parser and Express errors carry a `type` or a 4xx `status`: what each means for the client, or null. */
function edgeError(error: unknown): RegistryError | null {
  const http = (typeof error === 'object' ? error : null) as { type?: string; status?: number; message?: string; limit?: number } | null;
  switch (http?.type) {
    case 'entity.too.large':
      return new RegistryError('PAYLOAD_TOO_LARGE', `the body is larger than ${http.limit === undefined ? MAX_BODY : `${Math.round(http.limit / 1024)}kb`}`);
    case 'entity.parse.failed':
      return new RegistryError('MALFORMED_JSON', 'the body is not valid JSON (an object or an array)', { field: 'body' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new RegistryError('UNSUPPORTED_MEDIA_TYPE', http.message ?? 'unsupported encoding');
  }
  if (typeof http?.status === 'number' && http.status >= 400 && http.status < 500) return new RegistryError('BAD_REQUEST', http.message ?? 'bad request');
  return null;
}

/** Ours carry a code; the edge's become 4xx; everything else is a 500, logged. */
function toRegistryError(error: unknown, log: Logger): RegistryError {
  if (error instanceof RegistryError) return error;
  const edge = edgeError(error);
  if (edge) return edge;
  log.error({ err: error }, 'internal error');
  return new RegistryError('INTERNAL', 'an internal error occurred; it has been logged');
}

/** The status and `{ error }` body an error is answered with: the whole response's, or one batch item's. */
export function errorReply(error: unknown, log: Logger): { status: number; body: { error: Record<string, unknown> } } {
  const registryError = toRegistryError(error, log);
  if (registryError.status >= 500 && registryError.code !== 'INTERNAL') log.warn({ code: registryError.code }, registryError.message);
  const body = errorBody(registryError.code, registryError.message) as { error: Record<string, unknown> };
  if (typeof registryError.details?.field === 'string') body.error.field = registryError.details.field;
  if (typeof registryError.details?.txId === 'string') body.error.txId = registryError.details.txId;
  return { status: ERROR_CODES[registryError.code], body };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  // Four parameters: Express recognises an error handler by its arity.
  return (error: unknown, _req, res, _next) => {
    const { status, body } = errorReply(error, logOf(res, logger));
    res.status(status).json(body);
  };
}
