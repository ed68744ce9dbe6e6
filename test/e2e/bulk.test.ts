/**
 * Bulk issue through the agency console in Chromium: a CSV of 10,000 ID cards (BULK_ROWS to change
 * it), sent in batches, the progress bar advances, the page is reloaded mid-run and resumes with
 * the same file, and the result file lists every row with its license. No row is issued twice:
 * the ledger holds exactly one more license per row, the store has none left pending or failed,
 * and each sampled row's holder, looked up through the registry's holder search, has exactly the
 * one license the result file names.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { makeIdCardRequest } from '../../core/license-types';
import type { TestServer } from '../support/registry-server';
import { contextFor, screenshot } from './browser';
import { pageSuite } from './page-suite';
import { ledgerLicenses } from '../support/ledger-licenses';

const ROWS = Number(process.env.BULK_ROWS ?? 10000);
const HEADER = [
  'holder.name',
  'holder.idNumber',
  'data.sex',
  'data.ethnicity',
  'data.birthDate',
  'data.address',
  'data.issuingAuthority',
  'validFrom',
  'validUntil',
];

function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `count` valid ID card rows with distinct holders, as a clerk's spreadsheet would export them. */
function idCardCsv(count: number): { csv: Buffer; idNumbers: string[] } {
  const lines = [HEADER.join(',')];
  const idNumbers: string[] = [];
  const seen = new Set<string>();
  for (let seed = 700000; idNumbers.length < count; seed++) {
    let request;
    try {
      request = makeIdCardRequest(seed, { province: '330000', validFrom: '2026-06-01' });
    } catch (error) {
      if (error instanceof RangeError) continue;
      throw error;
    }
    if (seen.has(request.holder.idNumber)) continue;
    seen.add(request.holder.idNumber);
    idNumbers.push(request.holder.idNumber);
    const flat: Record<string, unknown> = {
      'holder.name': request.holder.name,
      'holder.idNumber': request.holder.idNumber,
      ...Object.fromEntries(Object.entries(request.data).map(([name, value]) => [`data.${name}`, value])),
      validFrom: request.validFrom,
      validUntil: request.validUntil,
    };
    lines.push(HEADER.map((name) => cell(flat[name])).join(','));
  }
  // A UTF-8 byte-order mark, as spreadsheet programs save CSV.
  return { csv: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]), idNumbers };
}

async function progressOf(page: Page): Promise<number> {
  return Number(await page.getAttribute('#bulk-progress', 'value'));
}

describe(`bulk issue through the page (${ROWS} rows)`, function () {
  this.timeout(1800000);
  let server: TestServer;
  let browser: Browser;

  const suite = pageSuite();
  before(() => {
    server = suite.server;
    browser = suite.browser;
  });

  it('advances the progress bar, resumes after a reload without duplicates, and lists every row in the result file', async () => {
    const { csv, idNumbers } = idCardCsv(ROWS);
    const onLedgerBefore = await ledgerLicenses(server.running.registry, 'zj-psb');
    const file = { name: 'id-cards.csv', mimeType: 'text/csv', buffer: csv };
    const context = await contextFor(browser, { lang: 'zh-CN', elder: false, device: 'desktop' });
    const page = await context.newPage();
    await page.goto(`${server.url}/agency`);
    await page.fill('#agencyKey-key', server.agencyKey('zj-psb'));
    await page.click('form.signin button[type=submit]');
    await page.waitForSelector('#bulk-file');
    await page.setInputFiles('#bulk-file', file);
    await page.locator('#bulk-start:not([disabled])').waitFor();
    const started = Date.now();
    await page.click('#bulk-start');

    // The bar advances while the rows go out.
    const samples: number[] = [];
    for (let value = 0; value < ROWS * 0.3;) {
      await page.waitForTimeout(250);
      value = await progressOf(page);
      if (samples.at(-1) !== value) samples.push(value);
    }
    expect(samples.length, `progress samples ${samples.join(',')}`).to.be.greaterThan(2);
    await screenshot(page, 'agency-bulk-zh-desktop', '#bulk');

    // A reload in the middle: rows in flight are sent again with the same keys.
    await page.reload();
    await page.waitForSelector('#bulk-file');
    expect(await page.textContent('#bulk .status')).to.include('id-cards.csv');
    await page.setInputFiles('#bulk-file', file);
    await page.locator('#bulk-start:not([disabled])').waitFor();
    const resumedFrom = await progressOf(page);
    expect(resumedFrom).to.be.greaterThan(0).and.lessThan(ROWS);
    const download = page.waitForEvent('download', { timeout: 1500000 });
    await page.click('#bulk-start');
    await page.waitForSelector('#bulk-result', { timeout: 1500000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`      ${ROWS} rows in ${seconds.toFixed(1)} s through the page (${(ROWS / seconds).toFixed(0)} rows/s), resumed from row ${resumedFrom}`);
    await page.click('#bulk-result');
    const saved = await (await download).path();
    const lines = readFileSync(saved, 'utf8').trim().split(/\r\n/);
    expect(lines[0]).to.equal('row,result,licenseId,code,field,message');
    const rows = lines.slice(1).map((line) => line.split(','));
    expect(rows).to.have.length(ROWS);
    expect(rows.filter((row) => row[1] !== 'issued').map((row) => row.join(','))).to.deep.equal([]);
    const ids = rows.map((row) => row[2]);
    expect(new Set(ids).size).to.equal(ROWS);

    // The ledger holds exactly one license more per row, each the one the result file names, and
    // the store no issuance left pending or failed: a row sent twice would show up in one of them.
    const onLedger = await ledgerLicenses(server.running.registry, 'zj-psb');
    expect(onLedger.size - onLedgerBefore.size).to.equal(ROWS);
    expect(ids.filter((id) => id === undefined || !onLedger.has(id))).to.deep.equal([]);
    const store = server.running.registry.store;
    expect(await store.listLicensesByState('pending', 10)).to.deep.equal([]);
    expect(await store.listLicensesByState('failed', 10)).to.deep.equal([]);

    // Exactly one license per holder around the reload point and at random: no row issued twice.
    const around = Array.from({ length: 40 }, (_, i) => resumedFrom - 20 + i).filter((index) => index >= 0 && index < ROWS);
    const random = Array.from({ length: 20 }, (_, i) => Math.floor((i * ROWS) / 20));
    for (const index of [...around, ...random]) {
      const found = await server.api('POST', '/api/v1/licenses/search', { key: server.agencyKey('zj-psb'), body: { idNumber: idNumbers[index] } });
      expect(
        found.body.licenses.map((license: { licenseId: string }) => license.licenseId),
        `row ${index + 1}`,
      ).to.deep.equal([ids[index]]);
    }
    await context.close();
  });
});
