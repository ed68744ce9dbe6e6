/**
 * The pages in a real Chromium against the real registry server: a province administrator
 * onboards an agency and a counter in /admin and deletes one of its services (inline confirmation,
 * by keyboard); the agency's clerk issues an ID card through the form generated from its schema (a
 * wrong check digit is shown next to the field), suspends it with an inline confirmation and reads
 * its ledger history; the counter scans (pastes) the printed credential and gets a full-screen
 * verdict. Then every page, in both languages and in elder mode, on a phone and a desktop: axe-core
 * finds no serious or critical violation, elder mode is measured in the browser, and a screenshot
 * is written to docs/screenshots/.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { citizenIdCheckDigit } from '../../core/citizen-id';
import type { TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { contextFor, screenshot, type Lang } from './browser';
import { createAgency, createCounter, issueKey, openAdmin } from './admin-steps';
import { pageSuite } from './page-suite';
import { fillIssueForm, signIn } from './forms';
import { ELDER_PROBE, type ElderFinding } from './probes';

const PAGES = ['home', 'agency', 'admin', 'wallet', 'counter'] as const;
type PageName = (typeof PAGES)[number];

const VARIANTS: Array<{ lang: Lang; elder: boolean; device: 'phone' | 'desktop' }> = [
  { lang: 'zh-CN', elder: false, device: 'desktop' },
  { lang: 'en', elder: false, device: 'desktop' },
  { lang: 'en', elder: false, device: 'phone' },
  { lang: 'zh-CN', elder: true, device: 'phone' },
  { lang: 'en', elder: true, device: 'desktop' },
];

describe('pages in Chromium', function () {
  this.timeout(600000);
  let server: TestServer;
  let browser: Browser;
  let zjAdmin: string;
  const created: { agencyKey?: string; counterKey?: string; licenseId?: string; credential?: string } = {};

  const suite = pageSuite();
  before(() => {
    server = suite.server;
    browser = suite.browser;
    zjAdmin = server.demo.admins.find((admin) => admin.province === '330000')?.apiKey ?? '';
  });

  it('serves every page with a strict CSP, nosniff, and no inline script or style', async () => {
    for (const path of ['/', '/agency', '/admin', '/wallet', '/counter']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).to.equal(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).to.include("default-src 'self'").and.include("script-src 'self' 'wasm-unsafe-eval'").and.include("style-src 'self'");
      expect(csp).not.to.include('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      const html = await response.text();
      expect(html).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.to.match(/\sstyle=/);
      expect(html).not.to.match(/https?:\/\//);
    }
    const record = await server.api('GET', '/api/v1/licenses?limit=1', { key: server.agencyKey('zj-psb') });
    expect(record.headers.get('cache-control')).to.equal('no-store');
  });

  it('an administrator registers an agency and a counter, deletes one of its services, and issues their keys, in /admin', async () => {
    const context = await contextFor(browser, { lang: 'zh-CN', elder: false, device: 'desktop' });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) external.push(request.url());
    });
    await openAdmin(page, server.url, zjAdmin);
    await createAgency(page, { id: 'zj-e2e-psb', name: '温州市公安局', types: ['id-card'] });
    const tx = await page.getAttribute('[data-tx]', 'data-tx');
    expect(tx).to.match(/^[0-9a-f]{64}$/);
    const issuers = await server.api('GET', '/api/v1/trust/issuers');
    const onLedger = issuers.body.issuers.find((issuer: { id: string }) => issuer.id === 'zj-e2e-psb');
    expect(onLedger).to.include({ province: '330000', status: 'active' });
    expect(onLedger.licenseTypes).to.deep.equal(['id-card']);

    const counter = { id: 'zj-e2e-counter', name: '温州市民中心' };
    await createCounter(page, {
      ...counter,
      service: { id: 'hotel', zh: '酒店入住', en: 'Hotel check-in', licenseType: 'id-card', claims: 'name', acceptsUnbound: false },
    });
    // A second service, then deleted again with the keyboard: the inline confirmation, no pop-up.
    await createCounter(page, {
      ...counter,
      service: { id: 'library', zh: '图书借阅', en: 'Library card', licenseType: 'id-card', claims: 'name', acceptsUnbound: false },
    });
    const library = page.locator('tr[data-counter="zj-e2e-counter"] li[data-service="library"]');
    await library.waitFor();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await library.locator('button[data-delete-service]').focus();
    await page.keyboard.press('Enter');
    const confirm = library.locator('.confirm');
    await confirm.waitFor();
    expect(await confirm.locator('.confirm-question').textContent())
      .to.include('图书借阅')
      .and.include('zj-e2e-counter');
    await confirm.locator('button.danger').focus();
    await page.keyboard.press('Enter');
    await library.waitFor({ state: 'detached' });
    const listed = page.locator('tr[data-counter="zj-e2e-counter"] li[data-service]');
    expect(await listed.evaluateAll((items) => items.map((item) => item.getAttribute('data-service')))).to.deep.equal(['hotel']);
    expect(await page.textContent('p.status')).to.include('图书借阅');
    const counters = (await server.api('GET', '/api/v1/admin/counters', { key: zjAdmin })).body.counters as Array<{
      id: string;
      services: Array<{ id: string }>;
    }>;
    expect(counters.find((counter) => counter.id === 'zj-e2e-counter')?.services.map((service) => service.id)).to.deep.equal(['hotel']);
    expect(dialogs, 'pop-ups').to.deep.equal([]);

    created.agencyKey = await issueKey(page, 'agency', 'zj-e2e-psb');
    created.counterKey = await issueKey(page, 'counter', 'zj-e2e-counter');
    expect(created.agencyKey).to.match(/^elk_/);
    expect(created.counterKey).to.match(/^elk_/);
    expect((await server.api('GET', '/api/v1/me', { key: created.counterKey })).body).to.deep.include({ kind: 'counter', id: 'zj-e2e-counter' });
    expect(external, 'requests to other origins').to.deep.equal([]);
    await context.close();
  });

  it('a clerk issues an ID card through the form; a wrong check digit is shown next to the field', async () => {
    expect(created.agencyKey, 'the admin test ran first').to.be.a('string');
    const context = await contextFor(browser, { lang: 'en', elder: false, device: 'desktop' });
    const page = await context.newPage();
    await page.goto(`${server.url}/agency`);
    await signIn(page, 'agencyKey', created.agencyKey ?? '');
    const body = idCardBody();
    const holder = body.holder as { idNumber: string; name: string };
    const good = holder.idNumber;
    const wrong = citizenIdCheckDigit(good.slice(0, 17)) === '1' ? '2' : '1';
    await fillIssueForm(page, { ...body, holder: { ...holder, idNumber: good.slice(0, 17) + wrong } });
    expect(await page.textContent('#issue-holder-idNumber-help')).to.match(/check digit/);
    await page.click('#issue-submit');
    await page.waitForSelector('#issue-holder-idNumber-error:not(.hidden)');
    expect(await page.textContent('#issue-holder-idNumber-error')).to.match(/check digit/);
    expect(await page.getAttribute('#issue-holder-idNumber', 'aria-invalid')).to.equal('true');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).to.equal('issue-holder-idNumber');

    await page.fill('#issue-holder-idNumber', good);
    await page.click('#issue-submit');
    await page.waitForSelector('#print-card img.qr');
    const status = (await page.textContent('#issue .status')) ?? '';
    const licenseId = /(\d{6}-[0-9A-Z]{13})/.exec(status)?.[1];
    expect(licenseId, status).to.be.a('string');
    created.licenseId = licenseId;
    expect(await page.textContent('#print-card'))
      .to.include(holder.name)
      .and.include(licenseId ?? '');
    const onLedger = await server.api('GET', `/api/v1/licenses/${licenseId}/status`, { key: created.agencyKey });
    expect(onLedger.body).to.include({ status: 'active', type: 'id-card' });
    expect(onLedger.body.issuer.agency).to.equal('zj-e2e-psb');
    created.credential = (await server.api('GET', `/api/v1/licenses/${licenseId}/credential`, { key: created.agencyKey })).body.credential;
    await screenshot(page, 'agency-issued-en-desktop', '#issue-result');

    // Suspend, with the inline confirmation, then read the ledger history with its transaction ids.
    await page.click('#list-recent');
    await page.click(`button[data-license="${licenseId}"]`);
    await page.waitForSelector('#license-detail table.history');
    await page.selectOption(`#suspend-reason-${licenseId}`, 'lost');
    await page.click('#license-detail button[data-action="suspend"]');
    await page.waitForSelector('#license-detail .confirm');
    expect(await page.textContent('#license-detail .confirm-question')).to.include(licenseId ?? '');
    await page.click('#license-detail .confirm button.danger');
    await page.locator('#license-detail table.history tbody tr').nth(1).waitFor();
    const txIds = await page.$$eval('#license-detail table.history code.tx', (cells) => cells.map((cell) => cell.textContent));
    expect(txIds).to.have.length(2);
    for (const txId of txIds) expect(txId).to.match(/^[0-9a-f]{64}$/);
    expect((await server.api('GET', `/api/v1/licenses/${licenseId}/status`, { key: created.agencyKey })).body.status).to.equal('suspended');
    await context.close();
  });

  it('a counter pastes the credential and sees the verdict fill the screen, word and icon and colour', async () => {
    const context = await contextFor(browser, { lang: 'en', elder: true, device: 'phone' });
    const page = await context.newPage();
    await page.goto(`${server.url}/counter`);
    await signIn(page, 'counterKey', created.counterKey ?? '');
    await page.fill('#counter-scan-paste', created.credential ?? '');
    await page.click('#counter-scan-use');
    await page.waitForSelector('#verdict');
    // The license was suspended in the test before: invalid, said in words and with an icon.
    expect(await page.getAttribute('#verdict .verdict', 'data-verdict')).to.equal('invalid');
    expect(await page.textContent('#verdict-word')).to.equal('Invalid');
    expect(await page.textContent('#verdict .icon')).to.equal('✖');
    expect(await page.$$eval('#verdict details[data-check]', (items) => items.map((item) => item.getAttribute('data-check')))).to.include('status');
    await screenshot(page, 'counter-verdict-en-elder-phone', '#verdict');
    await server.api('POST', `/api/v1/licenses/${created.licenseId}/reinstate`, { key: created.agencyKey, body: { reason: 'investigation-cleared' } });
    await page.click('#counter-scan-use');
    await page.waitForSelector('#verdict .verdict[data-verdict="valid"]');
    expect(await page.textContent('#verdict-word')).to.equal('Valid');
    expect(await page.textContent('#verdict-claims [data-claim="name"]'))
      .to.be.a('string')
      .and.not.equal('');
    await screenshot(page, 'counter-valid-en-elder-phone', '#verdict');
    await context.close();
  });

  it('switches language in one tap and remembers it; elder mode likewise', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    await page.click('#lang-toggle');
    expect(await page.getAttribute('html', 'lang')).to.equal('zh-CN');
    await page.click('#elder-toggle');
    expect(await page.getAttribute('#elder-toggle', 'aria-pressed')).to.equal('true');
    await page.goto(`${server.url}/wallet`);
    expect(await page.getAttribute('html', 'lang')).to.equal('zh-CN');
    expect(await page.getAttribute('html', 'class')).to.include('elder');
    expect(await page.evaluate('getComputedStyle(document.querySelector("main p")).fontSize')).to.equal('24px');
    await context.close();
  });

  async function openPage(page: Page, name: PageName): Promise<void> {
    await page.goto(`${server.url}${name === 'home' ? '/' : `/${name}`}`);
    if (name === 'agency') {
      await signIn(page, 'agencyKey', server.agencyKey('zj-psb'));
      await page.waitForSelector('#license-results');
    } else if (name === 'admin') {
      await signIn(page, 'adminKey', zjAdmin);
      await page.waitForSelector('#key-table');
    } else if (name === 'counter') await signIn(page, 'counterKey', server.counterKey('330000'));
    else if (name === 'home') await page.waitForSelector('#node-ledger');
    else await walletShowing(page);
  }

  /** The wallet wired: a license added with its offer and PIN (issued through the API: the journey test issues in /agency), shown as a QR. */
  async function walletShowing(page: Page): Promise<void> {
    await page.waitForSelector('#card-list');
    const issued = await server.api('POST', '/api/v1/licenses', { key: server.agencyKey('zj-psb'), body: idCardBody() });
    const offer = issued.body.offer as { uri: string; txCode: string };
    await page.fill('#offer-text', offer.uri);
    await page.fill('#offer-pin-input', offer.txCode);
    await page.click('#offer-add');
    await page.click('article.license button[data-show]');
    await page.waitForSelector('#holder-qr');
    await page.waitForSelector('article.license [data-status]');
  }

  for (const name of PAGES) {
    it(`/${name === 'home' ? '' : name}: no serious or critical axe violation in zh and en, elder mode measured, screenshots`, async () => {
      for (const variant of VARIANTS) {
        const label = `${name}-${variant.lang === 'zh-CN' ? 'zh' : 'en'}${variant.elder ? '-elder' : ''}-${variant.device}`;
        const context = await contextFor(browser, variant);
        const page = await context.newPage();
        await openPage(page, name);
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
        const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
        expect(
          serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
          label,
        ).to.deep.equal([]);
        if (variant.elder) {
          const measured = await page.evaluate<{ findings: ElderFinding[]; texts: number; targets: number }>(ELDER_PROBE);
          expect(measured.texts, `${label}: texts measured`).to.be.greaterThan(5);
          expect(measured.targets, `${label}: targets measured`).to.be.greaterThan(3);
          expect(
            measured.findings.map((finding) => `${finding.kind} ${finding.element} ${finding.value.toFixed(2)} "${finding.text}"`),
            label,
          ).to.deep.equal([]);
        }
        await screenshot(page, label);
        await context.close();
      }
    });
  }
});
