/**
 * The Unified Social Credit Code of GB 32100-2015 (法人和其他组织统一社会信用代码), 18 characters:
 *
 *   1      registration authority code (登记管理部门代码), e.g. 9 market regulation, 5 civil affairs
 *   2      entity category code (机构类别代码), e.g. 1 enterprise under authority 9
 *   3-8    GB/T 2260 code of the registering authority's division (登记管理机关行政区划码)
 *   9-17   organisation code (主体标识码), GB 11714, whose own check character is character 17
 *   18     check character
 *
 * Pure and deterministic, so the chaincode can use it.
 */
import { isProvinceCode, provinceCodeOf } from './admin-divisions';
import { organizationCodeCheckChar } from './organization-code';

/** GB 32100 代码字符集: the 31 code characters, valued 0-30 in this order (no I, O, S, V, Z). */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** GB 32100 加权因子: the weight of position i (1-based) is 3^(i-1) mod 31. */
const WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let weight = 1;
  for (let k = 0; k < i; k += 1) weight = (weight * 3) % 31;
  return weight;
});

export type CreditCodeParse =
  | {
      ok: true;
      /** The code written upper-case. */
      value: string;
      registrationAuthority: string;
      entityCategory: string;
      /** GB/T 2260 code of the registering authority's division (province, city or county level). */
      regionCode: string;
      /** Characters 9-17: the GB 11714 organisation code, check character included. */
      organizationCode: string;
    }
  | { ok: false; reason: string };

const SEVENTEEN = /^[0-9A-HJ-NPQRTUWXY]{17}$/;

/** C18 = 31 - MOD(Σ Ci×Wi, 31), with 31 written as 0, mapped back through the charset. */
export function creditCodeCheckChar(first17: string): string {
  if (!SEVENTEEN.test(first17)) {
    throw new RangeError('a credit code check character is computed over 17 characters of the GB 32100 set');
  }
  const sum = WEIGHTS.reduce((total, weight, i) => total + CREDIT_CODE_CHARSET.indexOf(first17.charAt(i)) * weight, 0);
  return CREDIT_CODE_CHARSET.charAt((31 - (sum % 31)) % 31);
}

function refuse(reason: string): CreditCodeParse {
  return { ok: false, reason };
}

/**
 * Accepts lower-case letters (people type them) and returns the upper-case form. Refuses codes
 * whose check characters do not compute: some codes issued in pilot areas before the standard
 * took effect fail this check; they must be corrected at the registry, not let in here.
 */
export function parseCreditCode(value: string): CreditCodeParse {
  if (value.length !== 18) return refuse(`must be 18 characters, got ${value.length}`);
  const code = value.toUpperCase();
  for (let i = 0; i < 18; i += 1) {
    if (!CREDIT_CODE_CHARSET.includes(code.charAt(i))) {
      return refuse(`character ${i + 1} '${value.charAt(i)}' is not allowed (GB 32100 uses 0-9 and A-Y without I, O, S, V, Z)`);
    }
  }
  const regionCode = code.slice(2, 8);
  if (!/^\d{6}$/.test(regionCode)) {
    return refuse(`characters 3-8 must be the registering authority's six-digit division code, got '${regionCode}'`);
  }
  if (!isProvinceCode(provinceCodeOf(regionCode))) {
    return refuse(`division code ${regionCode} is not in a known province (${regionCode.slice(0, 2)} is not a GB/T 2260 province code)`);
  }

  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (code.charAt(17) !== expected) return refuse(`check character should be ${expected}, got ${value.charAt(17)}`);

  const organizationCode = code.slice(8, 17);
  const orgExpected = organizationCodeCheckChar(organizationCode.slice(0, 8));
  if (organizationCode.charAt(8) !== orgExpected) {
    return refuse(`organisation code check character (character 17) should be ${orgExpected}, got ${value.charAt(16)}`);
  }

  return {
    ok: true,
    value: code,
    registrationAuthority: code.charAt(0),
    entityCategory: code.charAt(1),
    regionCode,
    organizationCode,
  };
}
