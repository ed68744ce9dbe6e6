/**
 * The field schemas the license types share, so a citizen ID or a date is checked the same way
 * in every type. Each string is trimmed first and bounded, because every field ends up in a
 * hashed record, a printed certificate or a QR code.
 */
import { z } from 'zod';
import { parseCitizenId } from '../citizen-id';
import { parseCreditCode } from '../credit-code';
import { isIsoDate } from '../dates';

/**
 * Characters no name, address or scope needs, and that make text read differently from its
 * hashed bytes: C0 and C1 controls, line and paragraph separators, the soft hyphen, bidirectional
 * marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069), zero-width and invisible characters (U+180E, U+200B–U+200D, U+2060–U+2064,
 * U+206A–U+206F, the BOM U+FEFF), tag characters (U+E0000–U+E007F) — and lone surrogates, which are
 * not Unicode at all: RFC 8785 needs I-JSON, so a record holding one would hash differently
 * elsewhere. With the `u` flag a surrogate range matches only unpaired halves.
 */
const HIDDEN = /[\p{Cc}\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u{e0000}-\u{e007f}]|[\ud800-\udfff]/u;

/** Why `value` is not plain visible text, or null when it is. */
export function hiddenCharacterProblem(value: string): string | null {
  const found = HIDDEN.exec(value);
  if (!found) return null;
  const codePoint = found[0].codePointAt(0) ?? 0;
  const name = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return `must be well-formed Unicode: a lone surrogate ${name} at position ${found.index}`;
  return `must not contain invisible, control or bidirectional formatting characters: ${name} at position ${found.index}`;
}

/**
 * Bounds count UTF-16 code units, which is what a database column and the QR budget see; a rare
 * character outside the BMP (common in names) counts as two.
 */
export function text(max: number, description: string) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const problem = hiddenCharacterProblem(value);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description });
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

export function isoDate(description: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a date written YYYY-MM-DD') })
    .regex(DATE_SHAPE, { error: 'must be a date written YYYY-MM-DD' })
    .refine(isIsoDate, { error: 'is not a real calendar date' })
    .meta({ description, format: 'date' });
}

/** A term end that may be null: 长期, valid long-term. The key is still required, so null is a decision, not an omission. */
export function isoDateOrLongTerm(description: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'is required (null for long-term, 长期)' : 'must be a date written YYYY-MM-DD, or null for long-term (长期)',
    })
    .regex(DATE_SHAPE, { error: 'must be a date written YYYY-MM-DD, or null for long-term (长期)' })
    .refine(isIsoDate, { error: 'is not a real calendar date' })
    .nullable()
    .meta({ description, format: 'date' });
}

export const citizenIdNumber = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((value, ctx) => {
    const parsed = parseCitizenId(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .meta({
    description: '公民身份号码 citizen identity number (GB 11643-1999), 18 characters; a lower-case x is accepted and stored as X',
    pattern: '^\\d{17}[\\dXx]$',
  });

export const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((value, ctx) => {
    const parsed = parseCreditCode(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .meta({
    description: '统一社会信用代码 unified social credit code (GB 32100-2015), 18 characters; lower case is accepted and stored upper-case',
    pattern: '^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}$',
  });

/**
 * 30 code units covers Han names (rarely over 4 characters) and transliterated minority names
 * written with the middle dot, e.g. 买买提·艾力.
 */
export const personName = text(30, '姓名 name as on the Resident Identity Card');

/**
 * 50 code units: enterprise names are usually 10-30 characters; the bound keeps the display claims
 * of every type within DISPLAY_CLAIMS_MAX_BYTES.
 */
export const organizationName = text(50, '名称 registered name of the legal person or other organisation');

export const personHolder = z
  .strictObject({ name: personName, idNumber: citizenIdNumber })
  .meta({ description: 'a natural person, identified by citizen identity number' });

export const organizationHolder = z
  .strictObject({ name: organizationName, creditCode })
  .meta({ description: 'a legal person or other organisation, identified by unified social credit code' });

export type PersonHolder = z.output<typeof personHolder>;
export type OrganizationHolder = z.output<typeof organizationHolder>;
