/**
 * 营业执照, the business license a market regulation authority issues, as an issue request: the
 * entity's name and credit code and the fields printed on the license.
 */
import { z } from 'zod';
import { addDays, addYears } from '../dates';
import {
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
import { creditCode, isoDate, isoDateOrLongTerm, organizationName, personName, text } from './fields';
import {
  assertSeed,
  sampleCounties,
  sampleDate,
  sampleEnterpriseCreditCode,
  sampleEnterpriseName,
  samplePersonName,
  sampleStreetAddress,
  seededRandom,
} from './samples';

/**
 * Market regulation (formerly 工商, registration authority code 9) registers enterprises (1),
 * individual businesses (2) and farmers' cooperatives (3); only they hold a business license.
 */
const MARKET_REGULATION_CATEGORIES = ['91', '92', '93'];

// Runs after the code's own checks; when those fail, their issue comes first and is the one reported.
const businessCreditCode = creditCode
  .superRefine((value, ctx) => {
    if (!MARKET_REGULATION_CATEGORIES.includes(value.slice(0, 2))) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a code registered by market regulation, starting 91 (enterprise), 92 (individual business) or 93 (farmers' cooperative), got ${value.slice(0, 2)}`,
      });
    }
  })
  .meta({ pattern: '^9[123]\\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}$' });

/**
 * In 万元 (ten thousand yuan), as the license prints 注册资本 100万元人民币. At most four decimal
 * places (one yuan); at most 10^8 万元 (one trillion yuan), above any registered company.
 */
const registeredCapital = z
  .number()
  .positive()
  .max(100_000_000)
  .refine((value) => Number(value.toFixed(4)) === value, { error: 'must have at most 4 decimal places (one yuan in 万元)' })
  .meta({
    description:
      '注册资本 registered capital in 万元 of RMB, e.g. 100 for 100万元人民币; absent for entity types without one (individual businesses, partnerships)',
  });

export const businessLicenseRequestSchema = z
  .strictObject({
    type: z.literal('business-license'),
    holder: z
      .strictObject({ name: organizationName, creditCode: businessCreditCode })
      .meta({ description: 'the registered entity: 名称 and 统一社会信用代码' }),
    data: z.strictObject({
      entityType: text(40, '类型 entity type, e.g. 有限责任公司(自然人投资或控股)'),
      legalRepresentative: personName.meta({ description: '法定代表人 legal representative (or 经营者 operator, 负责人 person in charge)' }),
      registeredCapital: registeredCapital.optional(),
      establishedDate: isoDate('成立日期 date of establishment'),
      businessScope: text(2000, '经营范围 business scope as registered'),
      address: text(120, '住所 registered domicile'),
    }),
    validFrom: isoDate('营业期限自 first day of the business term, on or after establishment'),
    validUntil: isoDateOrLongTerm('营业期限至 last day of the business term, or null for 长期 (no fixed term)'),
  })
  .meta({ title: 'Business License (营业执照) issue request' });

export type BusinessLicenseRequest = z.output<typeof businessLicenseRequestSchema>;

function crossCheck(request: BusinessLicenseRequest, today?: string): FieldProblem | undefined {
  const { establishedDate } = request.data;
  if (today !== undefined && establishedDate > today) {
    return { field: 'data.establishedDate', message: `must not be after today (${today}), got ${establishedDate}` };
  }
  if (request.validFrom < establishedDate) {
    return {
      field: 'validFrom',
      message: `must not be before data.establishedDate (${establishedDate}): the business term starts on or after establishment, got ${request.validFrom}`,
    };
  }
  if (request.validUntil !== null && request.validUntil < request.validFrom) {
    return { field: 'validUntil', message: `must not be before validFrom (${request.validFrom}), got ${request.validUntil}` };
  }
  return undefined;
}

/**
 * The counter sees the registered name and the credit code: together they are what a business
 * license shows to prove who the entity is, and both are public (国家企业信用信息公示系统). At
 * most 50 name characters keep it under about 190 bytes.
 */
function displayClaims(request: BusinessLicenseRequest): DisplayClaims {
  return { name: request.holder.name, uscc: request.holder.creditCode };
}

/**
 * The registered name and credit code, and the registration status (登记状态) as the public
 * credit information system words it: a license is issued to an entity in existence, 存续, and
 * stops being so through the ledger (revocation, supersession), which the verifier checks apart.
 */
function credentialSubject(request: BusinessLicenseRequest): SubjectClaims {
  return { name: request.holder.name, uscc: request.holder.creditCode, registration_status: '存续' };
}

const claimMetadata: readonly ClaimMetadata[] = [
  { path: ['name'], zh: '名称', en: 'Registered name', sd: 'always' },
  { path: ['uscc'], zh: '统一社会信用代码', en: 'Unified social credit code', sd: 'always' },
  { path: ['registration_status'], zh: '登记状态', en: 'Registration status', sd: 'always' },
];

function holderIdentifier(request: BusinessLicenseRequest): HolderIdentifier {
  return organizationIdentifier(request.holder.creditCode);
}

const ENTITY_TYPES = ['有限责任公司(自然人投资或控股)', '有限责任公司(自然人独资)', '其他有限责任公司', '股份有限公司(非上市、自然人投资或控股)'];
const CAPITALS = [10, 50, 100, 200, 300, 500, 1000, 5000];
const SCOPES = [
  '一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。',
  '一般项目：餐饮管理；食品销售（仅销售预包装食品）；日用百货销售（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。',
  '一般项目：国内贸易代理；货物进出口；技术进出口；五金产品批发（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。',
  '一般项目：组织文化艺术交流活动；广告设计、代理；会议及展览服务（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。',
];

/** Distinct seeds below 31^6 give distinct credit codes. */
export function makeBusinessLicenseRequest(seed: number, opts: SampleOptions = {}): BusinessLicenseRequest {
  assertSeed(seed);
  const random = seededRandom(seed);
  const county = random.pick(sampleCounties(opts.province));
  const establishedDate = sampleDate(random, '2000-01-01', '2024-12-31');
  // A business term either has no end (长期) or runs a whole number of years to the day before.
  const termYears = random.pick([0, 20, 30, 50]);
  return {
    type: 'business-license',
    holder: { name: sampleEnterpriseName(random, county), creditCode: sampleEnterpriseCreditCode(seed, county) },
    data: {
      entityType: random.pick(ENTITY_TYPES),
      legalRepresentative: samplePersonName(random),
      registeredCapital: random.pick(CAPITALS),
      establishedDate,
      businessScope: random.pick(SCOPES),
      address: sampleStreetAddress(random, county),
    },
    validFrom: establishedDate,
    validUntil: termYears === 0 ? null : addDays(addYears(establishedDate, termYears), -1),
  };
}

/**
 * A Hangzhou software company registered by the Xihu district market regulation bureau (330106),
 * organisation code MA2H7XKQ-4, business term long-term (长期).
 */
const example: BusinessLicenseRequest = {
  type: 'business-license',
  holder: { name: '杭州西溪数字科技有限公司', creditCode: '91330106MA2H7XKQ44' },
  data: {
    entityType: '有限责任公司(自然人投资或控股)',
    legalRepresentative: '陈静',
    registeredCapital: 100,
    establishedDate: '2019-08-20',
    businessScope: SCOPES[0] ?? '',
    address: '浙江省杭州市西湖区文一西路588号',
  },
  validFrom: '2019-08-20',
  validUntil: null,
};

export const businessLicenseType: LicenseTypeDescriptor<BusinessLicenseRequest> = {
  id: 'business-license',
  names: namesFromSeed('business-license'),
  schema: businessLicenseRequestSchema,
  example,
  crossCheck,
  holderIdentifier,
  displayClaims,
  credentialSubject,
  claimMetadata,
  descriptions: {
    zh: '营业执照的电子凭证，由市场监督管理部门签发，证照锚定于区块链。',
    en: 'Electronic credential of a business license, issued by the market supervision authority and anchored on the ledger.',
  },
  makeRequest: (seed, opts) => makeBusinessLicenseRequest(seed, opts),
};
