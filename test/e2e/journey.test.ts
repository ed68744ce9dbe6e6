/**
 * The citizen's journey through the real pages, no API shortcut for a user's step: a Zhejiang
 * administrator registers an agency and a Sichuan administrator a hotel counter in /admin, each
 * issuing the key its clerks sign in with; the new agency's clerk issues an ID card in /agency; the citizen's wallet (/wallet, its own browser profile and
 * IndexedDB) adds it with the offer shown on the agency's page and the PIN; a Sichuan counter
 * (/counter) scans the wallet's QR code through Chromium's fake camera — a Y4M video made from a
 * screenshot of the QR element — and sees it valid with the name only; the counter shows its
 * request QR for hotel check-in (the name, and aged 18 or over), the wallet scans it with its own
 * fake camera, the citizen approves those two claims and the counter sees the verdict; the citizen reads the receipt and rates the service; the agency revokes in
 * /agency, the wallet says so, and the next scan at the counter is invalid.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { writeY4mFromPng } from '../support/y4m';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, contextFor, launch, screenshot } from './browser';
import { createAgency, createCounter, issueKey, openAdmin } from './admin-steps';
import { fillIssueForm, signIn } from './forms';

/** Chromium with a camera that films `y4m`, and the permission prompt answered yes. */
function fakeCamera(y4m: string): string[] {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`];
}

describe('journey through the pages: admin → agency → wallet → counter, with cameras', function () {
  this.timeout(600000);
  let server: TestServer;
  let browser: Browser;
  let work: string;
  let agency: Page;
  let wallet: BrowserContext | undefined;
  let walletPage: Page;
  /** What the administrators made in /admin: the keys the clerks sign in with. */
  const keys: { agency?: string; counter?: string } = {};
  const counterKey = () => keys.counter ?? expect.fail('the administrators did not register the counter');
  const state: { licenseId?: string; name?: string } = {};
  let frames = 0;

  /** The wallet's own profile (IndexedDB survives a relaunch), its camera filming `y4m` if given. */
  async function openWallet(y4m?: string): Promise<Page> {
    await wallet?.close();
    wallet = await chromium.launchPersistentContext(join(work, 'wallet-profile'), {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, ...(y4m ? fakeCamera(y4m) : [])],
      headless: true,
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
    });
    walletPage = wallet.pages()[0] ?? (await wallet.newPage());
    await walletPage.goto(`${server.url}/wallet`);
    await walletPage.waitForSelector('#card-list');
    return walletPage;
  }

  /** A screenshot of `selector` on `page`, as the video the next camera films. */
  async function filmOf(page: Page, selector: string): Promise<string> {
    frames += 1;
    const path = join(work, `frame-${String(frames)}.y4m`);
    writeY4mFromPng(await page.locator(selector).screenshot(), path);
    return path;
  }

  /** A counter desk in a browser whose camera films `y4m`: scans with the camera and returns the verdict word. */
  async function counterScans(y4m: string): Promise<{ verdict: string | null; claims: string[] }> {
    const desk = await launch(fakeCamera(y4m));
    try {
      const page = await (await contextFor(desk, { lang: 'en', elder: false, device: 'desktop' })).newPage();
      await page.goto(`${server.url}/counter`);
      await signIn(page, 'counterKey', counterKey());
      await page.click('#counter-scan-camera');
      await page.waitForSelector('#verdict', { timeout: 60000 });
      return {
        verdict: await page.getAttribute('#verdict .verdict', 'data-verdict'),
        claims: await page.$$eval('#verdict-claims dd[data-claim]', (items) => items.map((item) => item.getAttribute('data-claim') ?? '')),
      };
    } finally {
      await desk.close();
    }
  }

  before(async function () {
    const missing = chromiumMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    work = mkdtempSync(join(tmpdir(), 'elicense-journey-'));
    await buildWeb();
    server = await startTestServer();
    browser = await launch();
    agency = await (await contextFor(browser, { lang: 'zh-CN', elder: false, device: 'desktop' })).newPage();
  });
  after(async () => {
    await wallet?.close();
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a Zhejiang administrator registers an agency, a Sichuan administrator a hotel counter, in /admin, each with a key', async () => {
    const adminOf = (province: string) => server.demo.admins.find((admin) => admin.province === province)?.apiKey ?? expect.fail(`no admin in ${province}`);
    const zhejiang = await (await contextFor(browser, { lang: 'zh-CN', elder: false, device: 'desktop' })).newPage();
    await openAdmin(zhejiang, server.url, adminOf('330000'));
    await createAgency(zhejiang, { id: 'zj-wz-psb', name: '温州市公安局', types: ['id-card'] });
    keys.agency = await issueKey(zhejiang, 'agency', 'zj-wz-psb');
    await zhejiang.context().close();

    const sichuan = await (await contextFor(browser, { lang: 'zh-CN', elder: false, device: 'desktop' })).newPage();
    await openAdmin(sichuan, server.url, adminOf('510000'));
    await createCounter(sichuan, {
      id: 'sc-jinjiang-hotel',
      name: '成都锦江宾馆前台',
      service: {
        id: 'hotel-check-in',
        zh: '酒店入住',
        en: 'Hotel check-in',
        licenseType: 'id-card',
        claims: 'name age_equal_or_over/18',
        acceptsUnbound: false,
      },
    });
    keys.counter = await issueKey(sichuan, 'counter', 'sc-jinjiang-hotel');
    await sichuan.context().close();

    expect(keys.agency).to.match(/^elk_/);
    expect((await server.api('GET', '/api/v1/me', { key: keys.counter })).body).to.deep.include({ kind: 'counter', id: 'sc-jinjiang-hotel' });
    const services = await server.api('GET', '/api/v1/counter/services', { key: keys.counter });
    expect(services.body.services).to.have.length(1);
    expect(services.body.services[0]).to.deep.include({ id: 'hotel-check-in', claims: ['name', 'age_equal_or_over/18'], acceptsUnbound: false });
  });

  it('a clerk of the new agency issues an ID card in /agency and the citizen adds it to the wallet with the offer and the PIN', async () => {
    await agency.goto(`${server.url}/agency`);
    await signIn(agency, 'agencyKey', keys.agency ?? expect.fail('the administrator did not register the agency'));
    const body = idCardBody();
    state.name = (body.holder as { name: string }).name;
    await fillIssueForm(agency, body);
    await agency.click('#issue-submit');
    await agency.waitForSelector('#offer img.qr');
    const uri = ((await agency.textContent('#offer-uri')) ?? '').trim();
    const pin = ((await agency.textContent('#offer-pin')) ?? '').trim();
    expect(uri).to.match(/^openid-credential-offer:\/\//);
    expect(pin).to.match(/^\d{4,8}$/);
    // A string, not a function: the test program has no DOM types.
    const qrLoaded = await agency.evaluate<number>(`document.querySelector('#offer img.qr')?.naturalWidth ?? 0`);
    expect(qrLoaded, 'the offer QR image loads').to.be.greaterThan(100);

    const page = await openWallet();
    await page.fill('#offer-text', uri);
    await page.fill('#offer-pin-input', '000000' === pin ? '111111' : '000000');
    await page.click('#offer-add');
    await page.locator('#add .status').filter({ hasText: '无法添加' }).waitFor();
    expect(await page.$$('article.license')).to.have.length(0);
    await page.fill('#offer-pin-input', pin);
    await page.click('#offer-add');
    await page.waitForSelector('article.license');
    state.licenseId = (await page.getAttribute('article.license', 'data-license')) ?? undefined;
    expect(state.licenseId).to.match(/^\d{6}-[0-9A-Z]{13}$/);
    expect(await page.textContent('article.license')).to.include(state.name);
    await page.waitForSelector('article.license [data-status="active"]');
  });

  it('a Sichuan counter scans the wallet QR with its camera: valid, the name and nothing else', async () => {
    await walletPage.click('article.license button[data-show]');
    await walletPage.waitForSelector('#holder-qr');
    expect(await walletPage.textContent('#holder-qr-countdown')).to.match(/\d+ 秒内有效/);
    expect(await walletPage.$$eval('#holder-qr-discloses li', (items) => items.length)).to.equal(1);
    await screenshot(walletPage, 'wallet-show-zh-phone', '.holder-qr');
    const scanned = await counterScans(await filmOf(walletPage, '#holder-qr'));
    expect(scanned).to.deep.equal({ verdict: 'valid', claims: ['name'] });
  });

  it('the hotel counter shows its request QR, the wallet scans it, the citizen approves the name and age 18+, the counter sees them; then a receipt, rated', async () => {
    const desk = await contextFor(browser, { lang: 'en', elder: false, device: 'desktop' });
    const counter = await desk.newPage();
    await counter.goto(`${server.url}/counter`);
    await signIn(counter, 'counterKey', counterKey());
    await counter.check('#service-hotel-check-in');
    await counter.click('#request-show');
    await counter.waitForSelector('#request-qr img.qr');
    const film = await filmOf(counter, '#request-qr img.qr');
    const page = await openWallet(film);
    await page.click('#request-scan-camera');
    await page.waitForSelector('#asker', { timeout: 60000 }).catch(async (error: unknown) => {
      throw new Error(`the wallet did not ask: ${(await page.textContent('#present')) ?? ''}`, { cause: error });
    });
    expect(await page.textContent('#asker')).to.include('成都');
    const asked = await page.$$eval('#asked li', (items) => items.map((item) => item.getAttribute('data-claim')));
    expect(asked.sort()).to.deep.equal(['age_equal_or_over/18', 'name']);
    await screenshot(page, 'wallet-approve-zh-phone', '#present');
    await page.click('#approve');
    await page.waitForSelector('#answer .status[data-outcome="answered"]');
    await counter.waitForSelector('#verdict .verdict[data-verdict="valid"]', { timeout: 30000 });
    const shown = await counter.$$eval('#verdict-claims dd[data-claim]', (items) => items.map((item) => [item.getAttribute('data-claim'), item.textContent]));
    expect(shown.map(([claim]) => claim).sort()).to.deep.equal(['age_equal_or_over/18', 'name']);
    expect(Object.fromEntries(shown).name).to.equal(state.name);
    await screenshot(counter, 'counter-hotel-valid-en-desktop', '#verdict');
    await desk.close();

    // Two presentations at the Sichuan counter: the holder QR and this answer.
    await page.locator('#receipt-list li.receipt').nth(1).waitFor();
    const rating = page.locator('#receipt-list form.rating').first();
    await rating.locator('input[value="5"]').check();
    await rating.locator('button[type=submit]').click();
    await rating.locator('.status').filter({ hasText: '感谢评价' }).waitFor();
    await screenshot(page, 'wallet-receipts-zh-phone', '#receipts');
  });

  it('the agency revokes in /agency; the wallet says so and the next camera scan is invalid', async () => {
    const id = state.licenseId ?? expect.fail('no license');
    await agency.click('#list-recent');
    await agency.click(`button[data-license="${id}"]`);
    await agency.waitForSelector('#license-detail table.history');
    await agency.click('#license-detail button[data-action="revoke"]');
    await agency.waitForSelector('#license-detail .confirm');
    await agency.click('#license-detail .confirm button.danger');
    await agency.locator('#license-detail table.history tbody tr').nth(1).waitFor();

    const page = await openWallet();
    await page.waitForSelector('article.license [data-status="inactive"]');
    await page.click('article.license button[data-show]');
    await page.waitForSelector('#holder-qr');
    const scanned = await counterScans(await filmOf(page, '#holder-qr'));
    expect(scanned.verdict).to.equal('invalid');
  });

  it('offline, the installed wallet still opens and shows the license as a QR code (service worker)', async () => {
    const context = wallet ?? expect.fail('no wallet');
    await context.setOffline(true);
    await walletPage.reload();
    await walletPage.click('article.license button[data-show]');
    await walletPage.waitForSelector('#holder-qr');
    expect(await walletPage.getAttribute('#holder-qr', 'data-text')).to.match(/^EL1:/);
    await context.setOffline(false);
  });
});
