/**
 * The Express application: middleware, then every route of the table, then 404 and the error
 * mapping. The only module besides routes.ts and middleware.ts that imports Express.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { RegistryError } from '../../../core/errors';
import type { Services } from '../services/index';
import type { Logger } from '../logger';
import { AuthFailureLimit, anonymousCaller, authenticate, callerOf, errorHandler, formBody, jsonBody, logOf, publicRateLimit, requestLog } from './middleware';
import { openApiDocument } from './openapi';
import { mountPages } from './pages';
import { presentationEvents } from './presentation-events';
import { PRESENTATION_ROUTES } from './presentation-routes';
import type { RequestMediaType } from './route-spec';
import { ROUTES as REGISTRY_ROUTES, type RouteSpec } from './routes';

/** Every route this server answers, and what its OpenAPI document lists. */
/** Every route the server answers and documents: the registry's table (admin routes included) and the presentation flows'. */
export const ROUTES: readonly RouteSpec[] = [...REGISTRY_ROUTES, ...PRESENTATION_ROUTES];

const VERSION = '0.1.0';

function allowed(route: RouteSpec, res: Response): void {
  const { principal } = callerOf(res);
  if (route.access === 'agency') {
    if (!principal) throw new RegistryError('UNAUTHENTICATED', 'this endpoint needs an agency API key (Authorization: Bearer …)');
    if (principal.kind !== 'agency') throw new RegistryError('FORBIDDEN', 'this endpoint needs an agency API key');
  }
  if (route.access === 'admin') {
    if (!principal) throw new RegistryError('UNAUTHENTICATED', 'this endpoint needs a province admin API key (Authorization: Bearer …)');
    if (principal.kind !== 'admin') throw new RegistryError('FORBIDDEN', 'this endpoint needs a province admin API key');
  }
}

/** Public metadata anyone may cache; every other API answer may carry a record, a credential or a verdict. */
const CACHEABLE = new Set(['/api/v1/license-types', '/api/v1/trust/issuers', '/api/v1/trust/anchor', '/api/v1/openapi.json']);
const TYPE_METADATA = /^\/api\/v1\/license-types\/[^/]+\/type-metadata$/;

/** Set before any route runs, so error answers carry them too. */
const responseHeaders: RequestHandler = (req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  if (req.path.startsWith('/api/') && !CACHEABLE.has(req.path) && !TYPE_METADATA.test(req.path)) res.set('Cache-Control', 'no-store');
  next();
};

/** What `req.is` matches for each media type a route may declare. */
const MEDIA_TYPE_PATTERNS: Record<RequestMediaType, readonly string[]> = {
  'application/json': ['application/json', 'application/*+json'],
  'application/x-www-form-urlencoded': ['application/x-www-form-urlencoded'],
};

/**
 * A POST route reads the media types its table entry declares (`consumes`, JSON unless said) and
 * nothing else: a body in another type gets 415 naming what is read. Form bodies are parsed only
 * where declared (the OAuth token endpoint, OpenID4VP direct_post), so a form posted to a JSON
 * endpoint is refused rather than read as if it were JSON (a cross-site form needs no CORS preflight).
 * Without this a body no parser read (curl -d without -H 'Content-Type: application/json') would
 * reach the schema as "nothing". They run after the caller is authenticated and allowed (and the
 * public rate-limited): a request the route refuses costs no parse, whatever it sends.
 */
function bodyReaders(route: RouteSpec): RequestHandler[] {
  if (route.method !== 'post') return [];
  const consumes = route.consumes ?? ['application/json'];
  const accepted = consumes.flatMap((type) => MEDIA_TYPE_PATTERNS[type]);
  const gate: RequestHandler = (req, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is([...accepted])) {
      next(
        new RegistryError(
          'UNSUPPORTED_MEDIA_TYPE',
          `the body's Content-Type (${req.headers['content-type'] ?? 'none'}) is not read here: send ${consumes.join(' or ')}`,
        ),
      );
      return;
    }
    next();
  };
  return [
    gate,
    ...(consumes.includes('application/json') ? jsonBody(route.maxBody) : []),
    ...(consumes.includes('application/x-www-form-urlencoded') ? [formBody()] : []),
  ];
}

export function createHttpApp(services: Services, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag; verdicts and API replies are never revalidated.
  app.set('etag', false);
  app.set('trust proxy', services.settings.trustProxy);
  const document = openApiDocument([...ROUTES], VERSION);
  const limit = publicRateLimit(services.settings.publicRateLimit);
  app.use(requestLog(logger));
  app.use(responseHeaders);
  const authenticated = authenticate(services.principals, new AuthFailureLimit(services.settings.authFailureLimit));
  // OAuth endpoints carry their own Bearer tokens (access tokens), which are not API keys.
  const anonymous = anonymousCaller();
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/api/v1/presentation-requests/:id/events', authenticated, presentationEvents(services));
  for (const route of ROUTES) {
    const handlers = [
      route.access === 'oauth' ? anonymous : authenticated,
      ...(route.access === 'public' || route.access === 'verifier' || route.access === 'oauth' ? [limit] : []),
      ((_req, res, next) => {
        allowed(route, res);
        next();
      }) satisfies RequestHandler,
      ...bodyReaders(route),
      async (req: Request, res: Response) => {
        let body: unknown = req.body;
        if (route.method === 'post' && route.body) {
          const parsed = route.body.safeParse(body ?? {});
          if (!parsed.success) {
            const [issue] = parsed.error.issues;
            const field = issue?.path.join('.') || 'body';
            throw new RegistryError('INVALID_FIELD', `${field}: ${issue?.message ?? 'is invalid'}`, { field });
          }
          body = parsed.data;
        }
        const reply = await route.handle({
          req,
          services,
          principal: callerOf(res).principal,
          params: req.params as Record<string, string>,
          body,
          log: logOf(res, logger),
        });
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.set(name, value);
        res.status(reply.status);
        if (reply.payload !== undefined) res.type(reply.contentType ?? 'application/octet-stream').send(reply.payload);
        else res.json(reply.json);
      },
    ];
    app[route.method](route.path, ...handlers);
  }
  mountPages(app);
  app.use((req, _res, next) => next(new RegistryError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
}
