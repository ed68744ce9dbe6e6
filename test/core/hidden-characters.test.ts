/**
 * Text a clerk types reads the same on paper, on screen and in the hashed record: every text field
 * of every license type refuses invisible and bidirectional characters and lone surrogates, and
 * the refusal names the field.
 */
import { expect } from 'chai';
import { licenseTypeExample, listLicenseTypes } from '../../core/license-types';
import { refusalOf } from './refusal';

const TODAY = '2026-06-01';

const HIDDEN: ReadonlyArray<[string, string]> = [
  ['ZWSP', '\u200b'],
  ['ZWNJ', '\u200c'],
  ['ZWJ', '\u200d'],
  ['LRM', '\u200e'],
  ['RLM', '\u200f'],
  ['ALM', '\u061c'],
  ['BOM', '\ufeff'],
  ['word joiner', '\u2060'],
  ['soft hyphen', '\u00ad'],
  ['LRE', '\u202a'],
  ['RLO', '\u202e'],
  ['LRI', '\u2066'],
  ['PDI', '\u2069'],
  ['tag A', '\u{e0041}'],
  ['cancel tag', '\u{e007f}'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', '\udfff'],
  ['NUL', '\u0000'],
  ['line separator', '\u2028'],
];

/** Dotted paths of the string leaves of a request's holder and data. */
function stringPaths(value: unknown, prefix: string): string[] {
  if (typeof value === 'string') return [prefix];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => stringPaths(child, `${prefix}.${key}`));
}

function withValue(request: unknown, path: string, change: (old: string) => string): unknown {
  const copy = structuredClone(request) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1] as string;
  node[last] = change(node[last] as string);
  return copy;
}

describe('hidden characters in license requests', () => {
  for (const type of listLicenseTypes()) {
    it(`${type.id}: every text field refuses a zero-width space and names the field`, () => {
      const example = licenseTypeExample(type.id);
      const paths = [...stringPaths(example.holder, 'holder'), ...stringPaths(example.data, 'data')];
      expect(paths.length).to.be.greaterThan(2);
      for (const path of paths) {
        const error = refusalOf(
          withValue(example, path, (old) => `${old.slice(0, 1)}\u200b${old.slice(1)}`),
          { today: TODAY },
        );
        expect(error.code, path).to.equal('INVALID_FIELD');
        expect(error.details?.field, path).to.equal(path);
      }
    });
  }

  it('refuses each invisible, bidirectional, tag and control character and each lone surrogate in a name, saying which', () => {
    const example = licenseTypeExample('id-card');
    for (const [label, character] of HIDDEN) {
      const error = refusalOf(
        withValue(example, 'holder.name', (old) => `${old.slice(0, 1)}${character}${old.slice(1)}`),
        { today: TODAY },
      );
      expect(error.details?.field, label).to.equal('holder.name');
      const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      expect(error.message, label).to.contain(codePoint);
    }
  });

  it('accepts the visible characters real names and addresses use', () => {
    const example = licenseTypeExample('id-card');
    for (const name of ['买买提·艾力', '𠮷野', '欧阳娜娜']) {
      const request = withValue(example, 'holder.name', () => name) as { holder: { name: string } };
      expect(() => refusalOf(request, { today: TODAY })).to.throw(/expected a refusal/);
    }
    const address = withValue(example, 'data.address', () => '浙江省杭州市西湖区文三路（东）１２号 B-3');
    expect(() => refusalOf(address, { today: TODAY })).to.throw(/expected a refusal/);
  });
});
