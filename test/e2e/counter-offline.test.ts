/**
 * The counter desk with no network, in a real Chromium against the real server: a counter signs
 * in online and the page keeps the registry's signed offline bundle; then the network goes
 * (context.setOffline), the page reloads from the service worker, and the clerk pastes printed
 * credentials: an active one is valid, "Offline — checked against the registry's bundle of <time>
 * (<N> minutes old)"; one revoked before the bundle was fetched is invalid by its status list; a
 * holder-bound code gets "needs the network", not a verdict.
 * The verdicts come from the server's own verification service, bundled for the browser.
 */
import { expect } from 'chai';
import { SignJWT, generateKeyPair } from 'jose';
import type { Browser } from 'playwright-core';
import { encodeCredentialQr } from '../../core/credential-qr';
import type { TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { contextFor, screenshot } from './browser';
import { pageSuite } from './page-suite';
import { signIn } from './forms';

describe('the counter desk offline in Chromium (kept bundle, service worker)', function () {
  this.timeout(300000);
  let server: TestServer;
  let browser: Browser;
  /** Printed credentials as GET /api/v1/licenses/:id/credential gives them. */
  const printed: { active?: string; revoked?: string; name?: string } = {};

  const suite = pageSuite();
  before(async () => {
    server = suite.server;
    browser = suite.browser;
    const agencyKey = server.agencyKey('zj-psb');
    const issue = async () => {
      const body = idCardBody();
      printed.name ??= (body.holder as { name: string }).name;
      const issued = await server.api('POST', '/api/v1/licenses', { key: agencyKey, body });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      const licenseId = (issued.body as { licenseId: string }).licenseId;
      const credential = await server.api('GET', `/api/v1/licenses/${licenseId}/credential`, { key: agencyKey });
      expect(credential.status).to.equal(200);
      return { licenseId, credential: (credential.body as { credential: string }).credential };
    };
    const active = await issue();
    const revoked = await issue();
    const revoke = await server.api('POST', `/api/v1/licenses/${revoked.licenseId}/revoke`, { key: agencyKey, body: { reason: 'fraud' } });
    expect(revoke.status, JSON.stringify(revoke.body)).to.equal(200);
    // The status lists follow ledger events: wait until this node's list shows the revocation, so the bundle the page fetches carries it.
    for (let tries = 0; ; tries++) {
      const online = await server.api('POST', '/api/v1/verify', { key: server.counterKey('330000'), body: { credential: revoked.credential } });
      const listCheck = (online.body as { checks: Array<{ name: string; ok: boolean }> }).checks.find((check) => check.name === 'status-list');
      if (listCheck?.ok === false) break;
      expect(tries, 'the status list shows the revocation within 5 s').to.be.below(50);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    printed.active = active.credential;
    printed.revoked = revoked.credential;
  });
  it('signs in online and keeps the bundle; offline, the page reopens and checks printed credentials from it', async () => {
    const context = await contextFor(browser, { lang: 'en', elder: false, device: 'phone' });
    const page = await context.newPage();
    const verifyCalls: string[] = [];
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/verify')) verifyCalls.push(request.url());
    });
    await page.goto(`${server.url}/counter`);
    await signIn(page, 'counterKey', server.counterKey('330000'));
    await page.waitForSelector('#offline-bundle[data-issued-at]');
    const issuedAt = Date.parse((await page.getAttribute('#offline-bundle', 'data-issued-at')) ?? '');
    expect(Math.abs(Date.now() - issuedAt), 'the bundle was signed just now').to.be.below(120000);
    // The service worker has installed (its precache holds /counter and the offline verifier) before the network goes.
    expect(await page.evaluate('navigator.serviceWorker.ready.then((registration) => registration.active !== null)')).to.equal(true);

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('#offline-desk');
    // The kept bundle is checked again against the kept anchor by the verifier the service worker served.
    await page.waitForSelector('#offline-bundle[data-issued-at]');
    expect(Date.parse((await page.getAttribute('#offline-bundle', 'data-issued-at')) ?? '')).to.equal(issuedAt);
    expect(await page.textContent('#offline-bundle')).to.include('Offline bundle kept on this device');

    const check = async (text: string) => {
      await page.fill('#counter-scan-paste', text);
      await page.click('#counter-scan-use');
      await page.waitForSelector('#verdict');
      return {
        verdict: await page.getAttribute('#verdict .verdict', 'data-verdict'),
        offline: await page.textContent('#verdict-offline'),
        failed: await page.$$eval('#verdict details[data-check]', (items) =>
          items.filter((item) => item.querySelector('summary')?.textContent.includes('✖')).map((item) => item.getAttribute('data-check')),
        ),
      };
    };

    // The printed card's QR form (ELC1), as a scanner reads it.
    const valid = await check(encodeCredentialQr(printed.active ?? ''));
    expect(valid.verdict).to.equal('valid');
    expect(valid.failed).to.deep.equal([]);
    expect(valid.offline).to.match(/^Offline — checked against the registry's bundle of .+ \(\d+ minutes old\)$/);
    // Claims labelled from the Type Metadata the bundle carries, as online from the API.
    expect(await page.textContent('#verdict-claims'))
      .to.include(printed.name ?? expect.fail('no name'))
      .and.include('Aged 18 or over');
    const shot = await screenshot(page, 'counter-offline-en-phone', '#verdict');
    console.log(`      screenshot: ${shot}`);

    await page.evaluate("document.querySelector('#result').replaceChildren()");
    const revoked = await check(printed.revoked ?? '');
    expect(revoked.verdict).to.equal('invalid');
    expect(revoked.failed).to.deep.equal(['status-list']);
    expect(revoked.offline).to.match(/^Offline — /);

    // A holder-bound code (here the printed credential with a key-binding JWT after it, as a wallet presents it) is not given a verdict offline.
    const { privateKey } = await generateKeyPair('ES256');
    const kbJwt = await new SignJWT({ nonce: 'n', aud: 'counter', iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
      .sign(privateKey);
    await page.evaluate("document.querySelector('#result').replaceChildren()");
    await page.fill('#counter-scan-paste', `${printed.active ?? ''}${kbJwt}`);
    await page.click('#counter-scan-use');
    const status = page.locator('section[aria-labelledby="scan-title"] > p.status');
    await status.filter({ hasText: 'needs the network' }).waitFor();
    expect(await page.$('#verdict')).to.equal(null);

    // In Chinese too: one tap redraws the offline desk, and the line names the bundle and its age.
    await page.click('#lang-toggle');
    await page.waitForSelector('#offline-desk');
    const zh = await check(printed.active ?? '');
    expect(zh.verdict).to.equal('valid');
    expect(zh.offline).to.match(/^离线 — 已按登记系统 .+ 的离线数据包核验（\d+ 分钟前）$/);
    await screenshot(page, 'counter-offline-zh-phone', '#verdict');

    expect(verifyCalls, 'no verify call reached the network').to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
