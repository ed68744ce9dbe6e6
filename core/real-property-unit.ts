/**
 * The real property unit number of GB/T 37346-2019 (不动产单元设定与代码编制规则), 28 characters in
 * four layers, e.g. 510104 003004 GB00011 F00010001:
 *
 *   1-6    county-level division code (GB/T 2260)
 *   7-9    cadastral district (地籍区), 10-12 cadastral sub-district (地籍子区)
 *   13-14  parcel feature code (宗地/宗海特征码): owner letter + right letter
 *   15-19  parcel sequence number (宗地/宗海顺序号), 00001-99999
 *   20     fixture feature code (定着物特征码)
 *   21-28  fixture unit number (定着物单元编号)
 *
 * The code has no check character, so the structure is all there is to check.
 */
import { isProvinceCode, provinceCodeOf } from './admin-divisions';

/** Parcel owner letter: G state-owned land (and all sea areas), J collectively owned, Z undetermined or disputed. */
const OWNER_LETTERS = 'GJZ';

/**
 * Parcel right letter: A collective land ownership, B/S/X construction land use right on, above
 * and below the surface, C homestead, D/E/F contracted arable/forest/grass land, L forest land,
 * N other agricultural land, H sea area, G uninhabited island, W use right undetermined or
 * disputed, Y other. L and N are the 2019 standard's additions to the 2015 trial rules; both sets
 * are accepted so certificates from either period pass.
 */
const RIGHT_LETTERS = 'ABSXCDEFLNHGWY';

/** Fixture letter: F houses and other structures, L forest and trees, Q other fixtures, W none. */
const FIXTURE_LETTERS = 'FLQW';

export type RealPropertyUnitParse =
  | {
      ok: true;
      value: string;
      /** County-level GB/T 2260 code: the registry office's division. */
      countyCode: string;
      parcelCode: string;
      fixtureLetter: string;
    }
  | { ok: false; reason: string };

function refuse(reason: string): RealPropertyUnitParse {
  return { ok: false, reason };
}

/** Characters 1-6: a county-level division code of a known province. */
function countyProblem(countyCode: string): string | null {
  if (!/^\d{6}$/.test(countyCode)) return `characters 1-6 must be a six-digit county-level division code, got '${countyCode}'`;
  if (!isProvinceCode(provinceCodeOf(countyCode))) {
    return `division code ${countyCode} is not in a known province (${countyCode.slice(0, 2)} is not a GB/T 2260 province code)`;
  }
  if (countyCode.endsWith('0000')) return `division code ${countyCode} is a province; a unit number starts with a county-level code`;
  return null;
}

/** Characters 7-19: cadastral district and sub-district, owner and right letters, parcel sequence. */
function parcelProblem(value: string): string | null {
  if (!/^\d{6}$/.test(value.slice(6, 12))) {
    return `characters 7-12 must be the cadastral district and sub-district (3 + 3 digits), got '${value.slice(6, 12)}'`;
  }
  const owner = value.charAt(12);
  if (!OWNER_LETTERS.includes(owner)) return `character 13 must be the parcel owner letter G, J or Z, got '${owner}'`;
  const right = value.charAt(13);
  if (!RIGHT_LETTERS.includes(right)) return `character 14 must be a parcel right letter (one of ${RIGHT_LETTERS.split('').join(' ')}), got '${right}'`;
  const sequence = value.slice(14, 19);
  if (!/^\d{5}$/.test(sequence) || sequence === '00000') return `characters 15-19 must be the parcel sequence number 00001-99999, got '${sequence}'`;
  return null;
}

/** Characters 20-28: the fixture letter and the fixture unit number. */
function fixtureProblem(fixture: string, unit: string): string | null {
  if (!FIXTURE_LETTERS.includes(fixture)) return `character 20 must be the fixture letter F, L, Q or W, got '${fixture}'`;
  if (!/^\d{8}$/.test(unit)) return `characters 21-28 must be the eight-digit fixture unit number, got '${unit}'`;
  // A parcel with no fixture (W) is the unit itself, numbered 00000000; any fixture has a real number.
  if (fixture === 'W' && unit !== '00000000') return `a parcel with no fixture (W) has fixture unit number 00000000, got ${unit}`;
  if (fixture !== 'W' && unit === '00000000') return `fixture ${fixture} needs a fixture unit number other than 00000000`;
  return null;
}

export function parseRealPropertyUnitNumber(value: string): RealPropertyUnitParse {
  if (value.length !== 28) return refuse(`must be 28 characters, got ${value.length}`);
  const countyCode = value.slice(0, 6);
  const fixture = value.charAt(19);
  const problem = countyProblem(countyCode) ?? parcelProblem(value) ?? fixtureProblem(fixture, value.slice(20));
  if (problem !== null) return refuse(problem);
  return { ok: true, value, countyCode, parcelCode: value.slice(0, 19), fixtureLetter: fixture };
}
