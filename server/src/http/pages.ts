/**
 * The pages (built from web/ into dist/pages by `npm run build`), served by the registry itself,
 * and the headers a citizen-facing site sends: a Content-Security-Policy that allows only this
 * origin's scripts and styles (no inline script or style anywhere; 'wasm-unsafe-eval' only so the
 * QR decoder's WebAssembly can compile), no framing. (nosniff on everything and no-store on API
 * answers are http-app.ts's.)
 */
import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** dist/pages, beside dist/server (dist/web holds the compiled wallet module the tests import): this file runs from dist/server/src/http. */
export const WEB_ROOT = resolve(__dirname, '..', '..', '..', 'pages');

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/agency': 'agency.html',
  '/admin': 'admin.html',
  '/wallet': 'wallet.html',
  '/counter': 'counter.html',
};

function pageHeaders(res: express.Response): void {
  res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.set('X-Frame-Options', 'DENY');
  res.set('Cross-Origin-Opener-Policy', 'same-origin');
  res.set('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
  res.set('Referrer-Policy', 'no-referrer');
}

/** Mounts the static files and the page routes; without a build the pages answer 503 saying how to build. */
export function mountPages(app: Express): void {
  const root = WEB_ROOT;
  app.use(
    '/static',
    express.static(join(root, 'static'), {
      index: false,
      fallthrough: true,
      // Names are not content-hashed: revalidate, so a new build is picked up at once.
      setHeaders: (res) => {
        res.set('Cache-Control', 'no-cache');
        pageHeaders(res);
      },
    }),
  );
  for (const [name, type] of [
    ['sw.js', 'text/javascript'],
    ['manifest.webmanifest', 'application/manifest+json'],
    ['icon.svg', 'image/svg+xml'],
  ] as const) {
    app.get(`/${name}`, (_req, res, next) => {
      const file = join(root, name);
      if (!existsSync(file)) {
        next();
        return;
      }
      pageHeaders(res);
      res.set('Cache-Control', 'no-cache');
      res.type(type).sendFile(file);
    });
  }
  for (const [path, file] of Object.entries(PAGES)) {
    app.get(path, (_req, res) => {
      pageHeaders(res);
      res.set('Cache-Control', 'no-cache');
      const page = join(root, file);
      if (!existsSync(page)) {
        res.status(503).type('text/plain').send('The pages are not built: run npm run build.\n');
        return;
      }
      res.type('html').sendFile(page);
    });
  }
}
