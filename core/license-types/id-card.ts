/**
 * 居民身份证, the Resident Identity Card, as an issue request: the holder's name and number, the
 * fields printed on the card, and its validity period under the Resident Identity Card Law.
 */
import { z } from 'zod';
import { parseCitizenId } from '../citizen-id';
import { PROVINCES, provinceOf } from '../admin-divisions';
import { addYears, fullYearsOn } from '../dates';
import { ETHNIC_GROUPS } from '../ethnic-groups';
import {
  citizenIdentifier,
  namesFromSeed,
  type ClaimMetadata,
  type DisplayClaims,
  type FieldProblem,
  type HolderIdentifier,
  type LicenseTypeDescriptor,
  type SampleOptions,
  type SubjectClaims,
  type SubjectContext,
} from './descriptor';
import { isoDate, isoDateOrLongTerm, personHolder, text } from './fields';
import { assertSeed, sampleCitizen, sampleCounties, sampleDate, sampleStreetAddress, seededRandom } from './samples';

export const idCardRequestSchema = z
  .strictObject({
    type: z.literal('id-card'),
    holder: personHolder,
    data: z.strictObject({
      sex: z.enum(['male', 'female']).meta({ description: '性别 sex, as the citizen identity number encodes it' }),
      ethnicity: z
        .enum(ETHNIC_GROUPS, {
          error: (issue) => `must be one of the 56 ethnic groups as the card prints them, without 族, e.g. 汉 or 蒙古; got ${JSON.stringify(issue.input)}`,
        })
        .meta({ description: '民族 ethnic group as printed on the card, without 族 (GB/T 3304), e.g. 汉' }),
      birthDate: isoDate('出生 birth date, as the citizen identity number encodes it'),
      address: text(100, '住址 address of household registration'),
      issuingAuthority: text(40, '签发机关 issuing public security authority, e.g. 杭州市公安局西湖分局'),
    }),
    validFrom: isoDate('有效期限 first day of validity'),
    validUntil: isoDateOrLongTerm('有效期限 last day: validFrom plus 5, 10 or 20 years by age (居民身份证法 art. 5), or null for 长期 from age 46'),
  })
  .meta({ title: 'Resident Identity Card (居民身份证) issue request' });

export type IdCardRequest = z.output<typeof idCardRequestSchema>;

/**
 * Resident Identity Card Law art. 5: under 16, 5 years; 16-25, 10 years; 26-45, 20 years; 46 and
 * over, long-term (null). Age is counted in full years (周岁) on the first day of validity.
 */
export function idCardValidityYears(ageAtIssue: number): 5 | 10 | 20 | null {
  if (ageAtIssue < 16) return 5;
  if (ageAtIssue <= 25) return 10;
  if (ageAtIssue <= 45) return 20;
  return null;
}

/** The last day of validity the law gives a holder born on birthDate whose card starts on validFrom. */
export function idCardValidUntil(birthDate: string, validFrom: string): string | null {
  const years = idCardValidityYears(fullYearsOn(birthDate, validFrom));
  return years === null ? null : addYears(validFrom, years);
}

function crossCheck(request: IdCardRequest, today?: string): FieldProblem | undefined {
  // Re-reading the number (the schema has accepted it) yields what it encodes, and checks the birth date against today.
  const encoded = parseCitizenId(request.holder.idNumber, today === undefined ? {} : { today });
  if (!encoded.ok) return { field: 'holder.idNumber', message: encoded.reason };
  const { data } = request;
  if (data.sex !== encoded.sex) {
    return { field: 'data.sex', message: `must be ${encoded.sex} as holder.idNumber encodes it, got ${data.sex}` };
  }
  if (data.birthDate !== encoded.birthDate) {
    return { field: 'data.birthDate', message: `must be ${encoded.birthDate} as holder.idNumber encodes it, got ${data.birthDate}` };
  }
  if (request.validFrom < data.birthDate) {
    return { field: 'validFrom', message: `must not be before the holder's birth date (${data.birthDate}), got ${request.validFrom}` };
  }
  const age = fullYearsOn(data.birthDate, request.validFrom);
  const expected = idCardValidUntil(data.birthDate, request.validFrom);
  if (request.validUntil === expected) return undefined;
  if (expected === null) {
    return {
      field: 'validUntil',
      message: `a holder aged ${age} on validFrom gets a long-term card (居民身份证法 art. 5), so validUntil must be null (长期), got ${request.validUntil}`,
    };
  }
  const years = idCardValidityYears(age);
  const got = request.validUntil ?? 'null (长期), which is only for holders aged 46 and over';
  return {
    field: 'validUntil',
    message: `a holder aged ${age} on validFrom gets a ${years}-year card (居民身份证法 art. 5), so validUntil must be ${expected}, got ${got}`,
  };
}

/**
 * The counter sees the name and the birth date: enough to match the person in front of it
 * (with the card's photo check) and to answer age questions (of age for a hotel, a contract).
 * The ID number stays out: a QR code is photographed at every counter, and the number is the
 * key to a person's accounts everywhere in China; the keyed holderRef lets the registry confirm
 * a number the holder states without the QR code carrying it. About 130 bytes at most.
 */
function displayClaims(request: IdCardRequest): DisplayClaims {
  return { name: request.holder.name, birthdate: request.data.birthDate };
}

/** Ages a counter asks about most: of age (hotels, contracts) and senior (concessions). */
const AGE_THRESHOLDS = [18, 60] as const;

/**
 * The household register's province: the address on the card is the household registration
 * address (住址) and opens with the province's name; where it does not, the card was issued by
 * the public security authority of the household register (居民身份证法 art. 8), so the issuing
 * agency's province is the register's.
 */
function householdProvince(address: string, issuerProvince: string): string {
  const named = PROVINCES.find((province) => address.startsWith(province.zh));
  return (named ?? provinceOf(issuerProvince))?.zh ?? issuerProvince;
}

/**
 * The card's credential: name and birth date (OIDC names), and what a counter usually needs
 * instead of them — whether the holder is 18 or 60 or over on the day of issue, and the province
 * of the household register (OIDC `address.region`). Each is its own disclosure.
 */
function credentialSubject(request: IdCardRequest, context: SubjectContext): SubjectClaims {
  const age = fullYearsOn(request.data.birthDate, context.issuedOn);
  return {
    name: request.holder.name,
    birthdate: request.data.birthDate,
    age_equal_or_over: Object.fromEntries(AGE_THRESHOLDS.map((threshold) => [String(threshold), age >= threshold])),
    address: { region: householdProvince(request.data.address, context.issuerProvince) },
  };
}

const claimMetadata: readonly ClaimMetadata[] = [
  { path: ['name'], zh: '姓名', en: 'Name', sd: 'always' },
  { path: ['birthdate'], zh: '出生日期', en: 'Date of birth', sd: 'always' },
  { path: ['age_equal_or_over'], zh: '年龄', en: 'Age', sd: 'never' },
  { path: ['age_equal_or_over', '18'], zh: '年满18周岁（签发之日）', en: 'Aged 18 or over (on the day of issue)', sd: 'always' },
  { path: ['age_equal_or_over', '60'], zh: '年满60周岁（签发之日）', en: 'Aged 60 or over (on the day of issue)', sd: 'always' },
  { path: ['address'], zh: '户籍', en: 'Household registration', sd: 'never' },
  { path: ['address', 'region'], zh: '户籍所在省份', en: 'Province of household registration', sd: 'always' },
];

function holderIdentifier(request: IdCardRequest): HolderIdentifier {
  return citizenIdentifier(request.holder.idNumber);
}

const ETHNIC_MINORITIES = ETHNIC_GROUPS.slice(1);

/**
 * Distinct seeds below 999 × 25,567 × (sample counties of the province) give distinct ID
 * numbers. validFrom defaults to a day between 2010 and mid-2025 (never before birth), so the
 * samples cover every validity bracket of art. 5.
 */
export function makeIdCardRequest(seed: number, opts: SampleOptions & { validFrom?: string } = {}): IdCardRequest {
  assertSeed(seed);
  const random = seededRandom(seed);
  const citizen = sampleCitizen(seed, random, sampleCounties(opts.province));
  const validFrom = opts.validFrom ?? sampleDate(random, citizen.birthDate > '2010-01-01' ? citizen.birthDate : '2010-01-01', '2025-06-30');
  if (validFrom < citizen.birthDate) {
    throw new RangeError(`validFrom ${validFrom} is before the sample holder's birth date ${citizen.birthDate}`);
  }
  // About one in eleven residents belongs to an ethnic minority (2020 census: 8.9 %).
  const ethnicity = random.next() < 0.09 ? random.pick(ETHNIC_MINORITIES) : ETHNIC_GROUPS[0];
  return {
    type: 'id-card',
    holder: { name: citizen.name, idNumber: citizen.idNumber },
    data: {
      sex: citizen.sex,
      ethnicity,
      birthDate: citizen.birthDate,
      address: sampleStreetAddress(random, citizen.county),
      issuingAuthority: citizen.county.police,
    },
    validFrom,
    validUntil: idCardValidUntil(citizen.birthDate, validFrom),
  };
}

/**
 * A man born 1990-03-07 in Xihu district, Hangzhou (330106), sequence 123; aged 31 when his card
 * starts on 2021-05-10, so it runs 20 years to 2041-05-10.
 */
const example: IdCardRequest = {
  type: 'id-card',
  holder: { name: '张伟', idNumber: '330106199003071236' },
  data: {
    sex: 'male',
    ethnicity: '汉',
    birthDate: '1990-03-07',
    address: '浙江省杭州市西湖区文三路100号',
    issuingAuthority: '杭州市公安局西湖分局',
  },
  validFrom: '2021-05-10',
  validUntil: '2041-05-10',
};

export const idCardType: LicenseTypeDescriptor<IdCardRequest> = {
  id: 'id-card',
  names: namesFromSeed('id-card'),
  schema: idCardRequestSchema,
  example,
  crossCheck,
  holderIdentifier,
  displayClaims,
  credentialSubject,
  claimMetadata,
  descriptions: {
    zh: '中华人民共和国居民身份证的电子凭证，由户籍所在地公安机关签发，证照锚定于区块链。',
    en: "Electronic credential of the People's Republic of China Resident Identity Card, issued by the public security authority of the household register and anchored on the ledger.",
  },
  makeRequest: (seed, opts) => makeIdCardRequest(seed, opts),
};
