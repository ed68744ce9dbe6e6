/**
 * The citizen identity number of GB 11643-1999 (公民身份号码), the 18 characters on a Resident
 * Identity Card. Pure and deterministic so the chaincode can use it: the caller passes `today`
 * (a peer passes its transaction date) rather than this module reading a clock.
 */
import { isProvinceCode, provinceCodeOf } from './admin-divisions';
import { isIsoDate } from './dates';
import { RegistryError } from './errors';

export type Sex = 'male' | 'female';

export type CitizenIdParse =
  | {
      ok: true;
      /** The number with a lower-case check character written upper-case. */
      value: string;
      /** 地址码: the GB/T 2260 code of the county where the holder's household was registered. */
      regionCode: string;
      birthDate: string;
      sex: Sex;
    }
  | { ok: false; reason: string };

/**
 * 校验码, ISO 7064:1983 MOD 11-2 as GB 11643 adopts it: weight of position i (0-based, left to right) is
 * 2^(17-i) mod 11, the check value is (12 - (Σ mod 11)) mod 11, and 10 is written X.
 */
const WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);

const SEVENTEEN_DIGITS = /^\d{17}$/;

/** The check character for the first 17 digits (the 本体码). */
export function citizenIdCheckDigit(first17: string): string {
  if (!SEVENTEEN_DIGITS.test(first17)) throw new RangeError('a citizen ID check digit is computed over exactly 17 digits');
  const sum = WEIGHTS.reduce((total, weight, i) => total + Number(first17.charAt(i)) * weight, 0);
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

function refuse(reason: string): CitizenIdParse {
  return { ok: false, reason };
}

/**
 * Checks in the order a clerk would read the number: length, characters, address code, birth
 * date, check digit. Each refusal says what is wrong in words, because it ends up in front of the
 * person typing the number.
 */
export function parseCitizenId(value: string, opts: { today?: string } = {}): CitizenIdParse {
  if (opts.today !== undefined && !isIsoDate(opts.today)) {
    throw new RegistryError('INVALID_ARGUMENT', 'today must be a date written YYYY-MM-DD');
  }
  if (value.length !== 18) return refuse(`must be 18 characters, got ${value.length}`);
  for (let i = 0; i < 17; i += 1) {
    const char = value.charAt(i);
    if (char < '0' || char > '9') return refuse(`character ${i + 1} must be a digit, got '${char}'`);
  }
  const last = value.charAt(17).toUpperCase();
  if (!/^[0-9X]$/.test(last)) return refuse(`the last character must be a digit or X, got '${value.charAt(17)}'`);

  const regionCode = value.slice(0, 6);
  if (!isProvinceCode(provinceCodeOf(regionCode))) {
    return refuse(`address code ${regionCode} is not in a known province (${regionCode.slice(0, 2)} is not a GB/T 2260 province code)`);
  }

  // 出生日期码: YYYYMMDD (GB/T 7408), no separators.
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isIsoDate(birthDate)) return refuse(`birth date ${value.slice(6, 14)} is not a real date`);
  if (opts.today !== undefined && birthDate > opts.today) {
    return refuse(`birth date ${birthDate} is after today (${opts.today})`);
  }

  const expected = citizenIdCheckDigit(value.slice(0, 17));
  if (last !== expected) return refuse(`check digit should be ${expected}, got ${value[17]}`);

  // 顺序码: odd sequence numbers go to men, even ones to women.
  const sex: Sex = Number(value[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, value: value.slice(0, 17) + last, regionCode, birthDate, sex };
}
