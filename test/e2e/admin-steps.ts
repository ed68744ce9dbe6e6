/** What a province administrator does in /admin, shared by the pages test and the journey test. */
import type { Page } from 'playwright-core';
import { signIn } from './forms';

export interface NewService {
  id: string;
  zh: string;
  en: string;
  licenseType: string;
  /** As typed in the form: claim paths separated by spaces or commas. */
  claims: string;
  acceptsUnbound: boolean;
}

/** Opens /admin signed in with a province administrator's key. */
export async function openAdmin(page: Page, baseUrl: string, adminKey: string): Promise<void> {
  await page.goto(`${baseUrl}/admin`);
  await signIn(page, 'adminKey', adminKey);
  await page.waitForSelector('#agency-table');
}

/** Registers an agency allowed to issue `types`; waits until the table lists it. */
export async function createAgency(page: Page, agency: { id: string; name: string; types: string[] }): Promise<void> {
  await page.fill('#agency-id', agency.id);
  await page.fill('#agency-name', agency.name);
  for (const type of agency.types) await page.check(`#new-agency-${type}`);
  await page.click('#agency-create');
  await page.waitForSelector(`tr[data-agency="${agency.id}"]`);
}

/** Registers a counter with one service; waits until the table lists it. */
export async function createCounter(page: Page, counter: { id: string; name: string; service: NewService }): Promise<void> {
  const { service } = counter;
  await page.fill('#counter-id', counter.id);
  await page.fill('#counter-name', counter.name);
  await page.fill('#service-id', service.id);
  await page.fill('#service-zh', service.zh);
  await page.fill('#service-en', service.en);
  await page.selectOption('#service-type', service.licenseType);
  await page.fill('#service-claims', service.claims);
  await page.setChecked('#service-unbound', service.acceptsUnbound);
  await page.click('#counter-create');
  await page.waitForSelector(`tr[data-counter="${counter.id}"]`);
}

/** Issues an API key for an agency or a counter and returns the token, which the page shows once. */
export async function issueKey(page: Page, kind: 'agency' | 'counter', principal: string): Promise<string> {
  const before = (await page.$('#new-key-token')) ? ((await page.textContent('#new-key-token')) ?? '').trim() : '';
  await page.selectOption('#key-kind', kind);
  await page.selectOption('#key-principal', principal);
  await page.click('#key-issue');
  // Locators, not waitForFunction with a string: the page's CSP forbids eval, as it should.
  const shown = page.locator('#new-key-token');
  await (before ? shown.filter({ hasNotText: before }) : shown).waitFor();
  return ((await shown.textContent()) ?? '').trim();
}
