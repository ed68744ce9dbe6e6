/**
 * The real browser for page tests: Debian's Chromium driven by playwright-core, headless, with
 * nothing reaching out to the network on its own. Tests skip, saying why, when it is missing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = resolve(__dirname, '..', '..', '..', 'docs', 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

export const DEVICES = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
} as const;

export type Lang = 'zh-CN' | 'en';

/** A context whose pages start in `lang`, with elder mode on or off, as a returning visitor's stored choice. */
export async function contextFor(browser: Browser, options: { lang: Lang; elder: boolean; device: keyof typeof DEVICES }): Promise<BrowserContext> {
  const context = await browser.newContext({ ...DEVICES[options.device], locale: options.lang });
  // A string, not a function: the test program has no DOM types; about:blank has no storage, hence the try.
  await context.addInitScript({
    content: `try { localStorage.setItem('elicense.lang', ${JSON.stringify(options.lang)}); localStorage.setItem('elicense.elder', ${JSON.stringify(options.elder ? 'on' : 'off')}); } catch {}`,
  });
  return context;
}

/** A viewport-sized PNG; with `top`, that element is scrolled to the top of the view first. */
export async function screenshot(page: Page, name: string, top?: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (top) await page.evaluate(`document.querySelector(${JSON.stringify(top)})?.scrollIntoView({ block: 'start' })`);
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
