/**
 * The national organisation code of GB 11714-1997 (全国组织机构代码): an 8-character body and a
 * check character. Since GB 32100-2015 it lives on as characters 9-17 of every Unified Social
 * Credit Code, so the credit code parser checks it too.
 */

/** GB 11714 §2.1.2: weights of body positions 1-8. */
const WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

const BODY = /^[0-9A-Z]{8}$/;

/**
 * GB 11714 Annex A values the characters 0-9 as 0-9 and the full Latin alphabet A-Z as 10-35
 * (unlike GB 32100's 31-character set, which skips I O S V Z). Checked against 48 real credit
 * codes whose organisation codes contain letters (see test/core/credit-code.test.ts).
 */
function value(char: string): number {
  return Number.parseInt(char, 36);
}

/**
 * C9 = 11 - MOD(Σ Ci×Wi, 11); 10 is written X and 11 is written 0 (GB 11714 §2.1.2).
 */
export function organizationCodeCheckChar(body: string): string {
  if (!BODY.test(body)) throw new RangeError('an organisation code check character is computed over 8 digits or upper-case letters');
  const sum = WEIGHTS.reduce((total, weight, i) => total + value(body.charAt(i)) * weight, 0);
  const check = 11 - (sum % 11);
  if (check === 10) return 'X';
  if (check === 11) return '0';
  return String(check);
}
