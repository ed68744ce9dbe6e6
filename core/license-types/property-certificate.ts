/**
 * 不动产权证书, the real property certificate of unified real property registration, as an issue
 * request: the right holder (a person or an organisation), the certificate and unit numbers, and
 * the fields printed on the certificate.
 */
import { z } from 'zod';
import { provinceCodeOf, provinceOf } from '../admin-divisions';
import { parseCitizenId } from '../citizen-id';
import { addDays, addYears } from '../dates';
import { parseRealPropertyUnitNumber } from '../real-property-unit';
import {
  citizenIdentifier,
  organizationIdentifier,
  namesFromSeed,
  type ClaimMetadata,
  type DisplayClaims,
  type FieldProblem,
  type HolderIdentifier,
  type LicenseTypeDescriptor,
  type SampleOptions,
  type SubjectClaims,
} from './descriptor';
import { isoDate, isoDateOrLongTerm, organizationHolder, personHolder, text } from './fields';
import {
  assertSeed,
  sampleCitizen,
  sampleCounties,
  sampleDate,
  sampleEnterpriseCreditCode,
  sampleEnterpriseName,
  sampleStreetAddress,
  seededRandom,
  spread,
} from './samples';

/**
 * The one-character province abbreviation that opens a certificate number. Guizhou, Yunnan,
 * Shaanxi and Gansu each have two in use. Hong Kong, Macao and Taiwan are absent: unified real
 * property registration covers the mainland.
 */
const PROVINCE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  京: '110000',
  津: '120000',
  冀: '130000',
  晋: '140000',
  蒙: '150000',
  辽: '210000',
  吉: '220000',
  黑: '230000',
  沪: '310000',
  苏: '320000',
  浙: '330000',
  皖: '340000',
  闽: '350000',
  赣: '360000',
  鲁: '370000',
  豫: '410000',
  鄂: '420000',
  湘: '430000',
  粤: '440000',
  桂: '450000',
  琼: '460000',
  渝: '500000',
  川: '510000',
  黔: '520000',
  贵: '520000',
  云: '530000',
  滇: '530000',
  藏: '540000',
  陕: '610000',
  秦: '610000',
  甘: '620000',
  陇: '620000',
  青: '630000',
  宁: '640000',
  新: '650000',
};

/**
 * 省简称(年份)市县名称不动产权第NNNNNNN号, e.g. 浙(2024)杭州市不动产权第0012345号, with half- or
 * full-width brackets. The place is the registry's (市, 区, 县, or Shanghai's 浦字-style marks);
 * the national form has a 7-digit sequence but local registries print 6 to 10, so those pass.
 */
const CERTIFICATE_NUMBER = /^(.)[(（](\d{4})[)）]([\u3400-\u9fff]{1,12})不动产权第(\d{6,10})号$/;

/** The Interim Regulations on Real Property Registration (2014, in force 1 March 2015) created this certificate. */
const FIRST_CERTIFICATE_YEAR = 2014;

const certificateNumber = text(40, '不动产权证书号 certificate number, e.g. 浙(2024)杭州市不动产权第0012345号')
  .superRefine((value, ctx) => {
    const match = CERTIFICATE_NUMBER.exec(value);
    if (!match) {
      ctx.addIssue({
        code: 'custom',
        message: 'must read like 浙(2024)杭州市不动产权第0012345号: province, (year), registry place, 不动产权第, 6-10 digits, 号',
      });
      return;
    }
    const [, abbreviation = '', year] = match;
    if (PROVINCE_ABBREVIATIONS[abbreviation] === undefined) {
      ctx.addIssue({ code: 'custom', message: `must start with a mainland province abbreviation such as 浙 or 川, got ${abbreviation}` });
    } else if (Number(year) < FIRST_CERTIFICATE_YEAR) {
      ctx.addIssue({ code: 'custom', message: `year ${year} predates unified real property registration (${FIRST_CERTIFICATE_YEAR})` });
    }
  })
  .meta({ pattern: CERTIFICATE_NUMBER.source });

const unitNumber = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((value, ctx) => {
    const parsed = parseRealPropertyUnitNumber(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .meta({
    description: '不动产单元号 real property unit number (GB/T 37346-2019), 28 characters, e.g. 510104007002GB00123F00030502',
    pattern: '^\\d{12}[GJZgjz][A-Za-z]\\d{5}[FLQWflqw]\\d{8}$',
  });

/** Square metres with at most two decimals, as the certificate prints 面积 89.56㎡; at most 10^8 (100 km²). */
const area = z
  .number()
  .positive()
  .max(100_000_000)
  .refine((value) => Number(value.toFixed(2)) === value, { error: 'must have at most 2 decimal places' })
  .meta({ description: '面积 area in square metres, at most 2 decimal places' });

const rightHolder = z.union([personHolder, organizationHolder], {
  error: (issue) => {
    const input = issue.input;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return 'must be an object: a person { name, idNumber } or an organisation { name, creditCode }';
    }
    const hasIdNumber = Object.hasOwn(input, 'idNumber');
    const hasCreditCode = Object.hasOwn(input, 'creditCode');
    if (hasIdNumber && hasCreditCode) return 'must carry either idNumber (a person) or creditCode (an organisation), not both';
    if (!hasIdNumber && !hasCreditCode) return 'needs idNumber (a person) or creditCode (an organisation)';
    return undefined;
  },
});

export const propertyCertificateRequestSchema = z
  .strictObject({
    type: z.literal('property-certificate'),
    holder: rightHolder.meta({ description: '权利人 the right holder: a person or an organisation, exactly one identifier' }),
    data: z.strictObject({
      certificateNumber,
      unitNumber,
      location: text(120, '坐落 location'),
      rightType: text(40, '权利类型 type of right, e.g. 国有建设用地使用权/房屋所有权'),
      use: text(40, '用途 use, e.g. 城镇住宅用地/住宅'),
      area,
      coOwnership: text(40, '共有情况 co-ownership, e.g. 单独所有, 共同共有, 按份共有').optional(),
    }),
    validFrom: isoDate('使用期限起 first day of the land use term (or of the right)'),
    validUntil: isoDateOrLongTerm('使用期限止 last day of the land use term, or null where the right has no term'),
  })
  .meta({ title: 'Real Property Certificate (不动产权证书) issue request' });

export type PropertyCertificateRequest = z.output<typeof propertyCertificateRequestSchema>;

type RightHolder = PropertyCertificateRequest['holder'];

/** A person holds it (an ID number), else an organisation (a credit code): the union's two branches. */
function isPersonHolder(holder: RightHolder): holder is Extract<RightHolder, { idNumber: string }> {
  return Object.hasOwn(holder, 'idNumber');
}

function crossCheck(request: PropertyCertificateRequest, today?: string): FieldProblem | undefined {
  const { holder, data } = request;
  if (isPersonHolder(holder) && today !== undefined) {
    const parsed = parseCitizenId(holder.idNumber, { today });
    if (!parsed.ok) return { field: 'holder.idNumber', message: parsed.reason };
  }
  // The certificate is issued by the registry of the county the unit lies in, so both name one province.
  const abbreviation = data.certificateNumber.charAt(0);
  const certificateProvince = PROVINCE_ABBREVIATIONS[abbreviation];
  const unitProvince = provinceCodeOf(data.unitNumber);
  if (certificateProvince !== unitProvince) {
    const name = (code: string | undefined) => (code === undefined ? 'an unknown province' : (provinceOf(code)?.zh ?? code));
    return {
      field: 'data.certificateNumber',
      message: `is issued in ${abbreviation} (${name(certificateProvince)}) but data.unitNumber lies in ${name(unitProvince)}`,
    };
  }
  if (request.validUntil !== null && request.validUntil <= request.validFrom) {
    return { field: 'validUntil', message: `must be after validFrom (${request.validFrom}), got ${request.validUntil}` };
  }
  return undefined;
}

/**
 * The counter (a bank taking a mortgage, a school checking residence) sees the right holder's
 * name and the certificate number, which together identify the property and whose it is; the
 * location and area stay in the hashed record. At most about 250 bytes with a 50-character
 * organisation name.
 */
function displayClaims(request: PropertyCertificateRequest): DisplayClaims {
  return { name: request.holder.name, certNo: request.data.certificateNumber };
}

/**
 * The right holder's name and the certificate number, and the parcel's county-level
 * administrative division (GB/T 2260, the first six characters of the unit number): a school
 * checking residence or a bank checking its lending area needs the district, not the address.
 */
function credentialSubject(request: PropertyCertificateRequest): SubjectClaims {
  return { name: request.holder.name, certNo: request.data.certificateNumber, parcel_division: request.data.unitNumber.slice(0, 6) };
}

const claimMetadata: readonly ClaimMetadata[] = [
  { path: ['name'], zh: '权利人', en: 'Right holder', sd: 'always' },
  { path: ['certNo'], zh: '不动产权证书号', en: 'Certificate number', sd: 'always' },
  { path: ['parcel_division'], zh: '不动产所在行政区划代码', en: 'Administrative division of the parcel (GB/T 2260)', sd: 'always' },
];

function holderIdentifier(request: PropertyCertificateRequest): HolderIdentifier {
  const { holder } = request;
  return isPersonHolder(holder) ? citizenIdentifier(holder.idNumber) : organizationIdentifier(holder.creditCode);
}

/** 99,999 parcel sequence numbers × 9,999 flats per parcel. */
const PARCELS = 99_999;
const FLATS = 9_999;

/**
 * Distinct seeds below 99,999 × 9,999 give distinct unit numbers. Even seeds get a person as
 * holder and odd seeds an enterprise, unless `holder` says which.
 */
export function makePropertyCertificateRequest(seed: number, opts: SampleOptions & { holder?: 'person' | 'organization' } = {}): PropertyCertificateRequest {
  assertSeed(seed);
  const random = seededRandom(seed);
  const among = sampleCounties(opts.province);
  const county = random.pick(among);
  const index = spread(seed, PARCELS * FLATS);
  const parcel = String((index % PARCELS) + 1).padStart(5, '0');
  const flat = Math.floor(index / PARCELS);
  const building = String(Math.floor(flat / 100) + 1).padStart(4, '0');
  const room = String((flat % 100) + 1).padStart(4, '0');
  const district = String(random.int(1, 20)).padStart(3, '0');
  const subDistrict = String(random.int(1, 30)).padStart(3, '0');
  const kind = opts.holder ?? (seed % 2 === 0 ? 'person' : 'organization');
  let holder: PropertyCertificateRequest['holder'];
  if (kind === 'person') {
    const citizen = sampleCitizen(seed, random, among);
    holder = { name: citizen.name, idNumber: citizen.idNumber };
  } else {
    holder = { name: sampleEnterpriseName(random, county), creditCode: sampleEnterpriseCreditCode(seed, county) };
  }
  const year = random.int(2016, 2025);
  // Residential land use rights run 70 years (城镇国有土地使用权出让和转让暂行条例 art. 12).
  const validFrom = sampleDate(random, '1995-01-01', '2024-12-31');
  return {
    type: 'property-certificate',
    holder,
    data: {
      certificateNumber: `${county.abbreviation}(${year})${county.registry}不动产权第${String((index % 9_999_999) + 1).padStart(7, '0')}号`,
      unitNumber: `${county.code}${district}${subDistrict}GB${parcel}F${building}${room}`,
      location: `${sampleStreetAddress(random, county)}${Number(building)}幢${Number(room)}室`,
      rightType: '国有建设用地使用权/房屋所有权',
      use: '城镇住宅用地/住宅',
      area: random.int(4000, 18000) / 100,
      coOwnership: random.pick(['单独所有', '共同共有', '按份共有']),
    },
    validFrom,
    validUntil: addDays(addYears(validFrom, 70), -1),
  };
}

/**
 * A flat in Jinjiang district, Chengdu (510104), owned by a woman born 1988-06-15 in the same
 * district; residential land use term of 70 years from 2008-06-18.
 */
const example: PropertyCertificateRequest = {
  type: 'property-certificate',
  holder: { name: '李娜', idNumber: '510104198806150022' },
  data: {
    certificateNumber: '川(2024)成都市不动产权第0012345号',
    unitNumber: '510104007002GB00123F00030502',
    location: '四川省成都市锦江区东大街99号3幢502室',
    rightType: '国有建设用地使用权/房屋所有权',
    use: '城镇住宅用地/住宅',
    area: 89.56,
    coOwnership: '单独所有',
  },
  validFrom: '2008-06-18',
  validUntil: '2078-06-17',
};

export const propertyCertificateType: LicenseTypeDescriptor<PropertyCertificateRequest> = {
  id: 'property-certificate',
  names: namesFromSeed('property-certificate'),
  schema: propertyCertificateRequestSchema,
  example,
  crossCheck,
  holderIdentifier,
  displayClaims,
  credentialSubject,
  claimMetadata,
  descriptions: {
    zh: '不动产权证书的电子凭证，由不动产登记机构签发，证照锚定于区块链。',
    en: 'Electronic credential of a real property certificate, issued by the real property registry and anchored on the ledger.',
  },
  makeRequest: (seed, opts) => makePropertyCertificateRequest(seed, opts),
};
