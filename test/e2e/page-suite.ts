/** The hooks every page test file starts with: Chromium (or a skip saying why), the pages built, a registry. */
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import { startTestServer, type TestServer } from '../support/registry-server';
import { chromiumMissing, launch } from './browser';

export interface PageSuite {
  readonly server: TestServer;
  readonly browser: Browser;
}

/**
 * Registers, for the calling describe block, a before hook that skips it when Chromium is missing
 * and otherwise builds the pages from the current source, starts a registry and launches Chromium,
 * and an after hook that closes both. Read `server` and `browser` in tests or later hooks.
 */
export function pageSuite(): PageSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  before(async function () {
    const missing = chromiumMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    await buildWeb();
    server = await startTestServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.remove();
  });
  return {
    get server() {
      return server ?? expect.fail('the registry did not start');
    },
    get browser() {
      return browser ?? expect.fail('Chromium did not start');
    },
  };
}
