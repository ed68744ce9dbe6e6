/**
 * The pages' message files: zh-CN and en say the same things (the same keys, none empty), and every
 * check a verdict can name has a label in both, so the counter never shows a bare check id.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESENTATION_CHECK_NAMES } from '../../server/src/services/presentation-rules';
import { CREDENTIAL_CHECK_NAMES } from '../../server/src/services/verification';

// Compiled to dist/test/pages; the message files stay in the source tree.
const I18N = join(__dirname, '..', '..', '..', 'web', 'i18n');
const messages = (lang: string) => JSON.parse(readFileSync(join(I18N, `${lang}.json`), 'utf8')) as Record<string, string>;

describe('page messages', () => {
  const zh = messages('zh-CN');
  const en = messages('en');

  it('zh-CN and en have the same keys, none empty', () => {
    expect(Object.keys(zh).sort()).to.deep.equal(Object.keys(en).sort());
    for (const [key, text] of [...Object.entries(zh), ...Object.entries(en)]) expect(text.trim(), key).not.to.equal('');
  });

  it('labels every check a verdict can name, in both languages', () => {
    for (const name of [...CREDENTIAL_CHECK_NAMES, ...PRESENTATION_CHECK_NAMES]) {
      expect(zh[`check.${name}`], `zh-CN check.${name}`).to.be.a('string');
      expect(en[`check.${name}`], `en check.${name}`).to.be.a('string');
    }
  });
});
