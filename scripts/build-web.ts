/**
 * Builds the pages (web/) into dist/pages with esbuild: one bundle per page, the stylesheet, the
 * HTML shells, the manifest and the service worker, and the ZXing decoder's WebAssembly file, so
 * the server serves everything itself and a page fetches nothing from elsewhere. `npm run build`
 * runs it after tsc; the browser tests call buildWeb() so they always test the current source.
 */
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
export const WEB_OUT = join(ROOT, 'dist', 'pages');

/** The wallet is the installable one: its shell names the manifest the browser installs it from. */
const EXTRA_HEAD: Record<string, string> = {
  wallet: '<link rel="manifest" href="/manifest.webmanifest" />\n    <meta name="theme-color" content="#0b3d91" />',
};

/** One HTML shell per page bundle, from web/page.html: the page is its script; `home` is index.html. */
function writeShells(web: string, outDir: string, pages: readonly string[]): void {
  const template = readFileSync(join(web, 'page.html'), 'utf8');
  for (const page of pages) {
    const html = template.replace('PAGE.js', `${page}.js`).replace('<!--page-head-->', EXTRA_HEAD[page] ?? '');
    writeFileSync(join(outDir, `${page === 'home' ? 'index' : page}.html`), html.replace(/\n\s*\n/g, '\n'));
  }
}

export async function buildWeb(outDir: string = WEB_OUT): Promise<void> {
  const web = join(ROOT, 'web');
  // Only what this build writes: tsc puts the wallet module (web/wallet) under dist/web/wallet too, and the tests import it from there.
  rmSync(join(outDir, 'static'), { recursive: true, force: true });
  mkdirSync(join(outDir, 'static', 'vendor'), { recursive: true });
  const pages = readdirSync(join(web, 'src', 'pages')).filter((name) => name.endsWith('.ts'));
  const bundled = await build({
    entryPoints: pages.map((name) => join(web, 'src', 'pages', name)),
    metafile: true,
    outdir: join(outDir, 'static', 'js'),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // The browser's offline verifier is server code (the verification service itself, not a second
  // copy), so no page imports it: it is its own bundle at a fixed URL the counter page imports.
  const offline = await build({
    entryPoints: { 'offline-verifier': join(ROOT, 'server', 'src', 'offline-verifier.browser.ts') },
    metafile: true,
    outdir: join(outDir, 'static', 'js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // The service worker precaches the page scripts (their chunk names change with each build), so
  // the wallet opens and shows a license offline from the first visit on.
  const scripts = [...Object.keys(bundled.metafile.outputs), ...Object.keys(offline.metafile.outputs)]
    .filter((path) => path.endsWith('.js'))
    .map(
      (path) =>
        `/static/js/${relative(join(outDir, 'static', 'js'), resolve(ROOT, path))
          .split(sep)
          .join('/')}`,
    );
  await build({
    entryPoints: [join(web, 'sw', 'sw.ts')],
    define: { __PAGE_SCRIPTS__: JSON.stringify(scripts) },
    outfile: join(outDir, 'sw.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
  cpSync(join(web, 'pages'), outDir, { recursive: true });
  writeShells(
    web,
    outDir,
    pages.map((name) => name.replace(/\.ts$/, '')),
  );
  copyFileSync(join(web, 'app.css'), join(outDir, 'static', 'app.css'));
  copyFileSync(join(ROOT, 'node_modules', 'zxing-wasm', 'dist', 'reader', 'zxing_reader.wasm'), join(outDir, 'static', 'vendor', 'zxing_reader.wasm'));
}

if (require.main === module) {
  buildWeb().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
