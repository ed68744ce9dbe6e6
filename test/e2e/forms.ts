/** What a clerk types into the pages, shared by the pages test and the journey test. */
import type { Page } from 'playwright-core';

/** Fills the generated form from an issue request, field by field, as a clerk would type it. */
export async function fillIssueForm(page: Page, body: Record<string, unknown>): Promise<void> {
  const leaves: Array<[string, unknown]> = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'object' && value !== null) for (const [name, child] of Object.entries(value)) walk(child, path ? `${path}.${name}` : name);
    else leaves.push([path, value]);
  };
  walk(body, '');
  for (const [path, value] of leaves) {
    if (path === 'type') continue;
    const id = `#issue-${path.replace(/[^A-Za-z0-9]/g, '-')}`;
    if (value === null) {
      await page.check(`${id}-long`);
      continue;
    }
    const tag = await page.$eval(id, (element) => element.tagName);
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    if (tag === 'SELECT') await page.selectOption(id, text);
    else await page.fill(id, text);
  }
}

export async function signIn(page: Page, slot: string, key: string): Promise<void> {
  await page.fill(`#${slot}-key`, key);
  await page.click(`form.signin button[type=submit]`);
  await page.waitForSelector('#signed-in');
}
