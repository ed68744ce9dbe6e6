/**
 * Builds the pages (web/) into dist/pages with esbuild: one bundle per page, the stylesheet, the
 * HTML shells, the manifest and the service worker, and the ZXing decoder's WebAssembly file, so
 * the server serves everything itself and a page fetches nothing from elsewhere. `npm run build`
 * runs it after tsc; the browser tests call buildWeb() so they always test the current source.
 */
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
export const WEB_OUT = join(ROOT, 'dist', 'pages');

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
  // The service worker precaches the page scripts (their chunk names change with each build), so
  // the wallet opens and shows a license offline from the first visit on.
  const scripts = Object.keys(bundled.metafile.outputs)
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
  copyFileSync(join(web, 'app.css'), join(outDir, 'static', 'app.css'));
  copyFileSync(join(ROOT, 'node_modules', 'zxing-wasm', 'dist', 'reader', 'zxing_reader.wasm'), join(outDir, 'static', 'vendor', 'zxing_reader.wasm'));
}

if (require.main === module) {
  buildWeb().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
