/**
 * What the sample generators of the license types share: a seeded random source, real county
 * codes, names and addresses, and the injective maps that make distinct seeds give distinct
 * holders. Samples only: nothing here is consulted when validating a real request.
 */
import { citizenIdCheckDigit, type Sex } from '../citizen-id';
import { CREDIT_CODE_CHARSET, creditCodeCheckChar } from '../credit-code';
import { addDays } from '../dates';
import { organizationCodeCheckChar } from '../organization-code';

function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item at ${index} of ${items.length}`);
  return item;
}

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast and good enough to vary sample fields; not for anything secret. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => itemAt(items, Math.floor(next() * items.length)),
  };
}

export function assertSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a sample seed must be a non-negative safe integer, got ${seed}`);
}

/**
 * Spreads consecutive seeds over [0, size): multiplying by a prime that does not divide `size` is
 * a bijection, so distinct seeds below `size` stay distinct, while the golden-ratio prime
 * (Knuth's multiplicative hash) sends seeds 0, 1, 2… far apart: different birth years, parcels,
 * codes. BigInt because the product passes 2^53.
 */
const GOLDEN_PRIME = 2_654_435_761n;

export function spread(seed: number, size: number): number {
  if (BigInt(size) % GOLDEN_PRIME === 0n) throw new RangeError('sample space size must not be a multiple of the spreading prime');
  return Number((BigInt(seed % size) * GOLDEN_PRIME) % BigInt(size));
}

/** A real county-level division, with what the samples print for it. */
export interface SampleCounty {
  code: string;
  /** Province + city + district, the start of an address. */
  place: string;
  /** The public security bureau that signs ID cards there (签发机关). */
  police: string;
  /** The registry's place name in a real property certificate number, e.g. 成都市 in 川(2024)成都市不动产权第…号. */
  registry: string;
  /** The province's abbreviation in that number. */
  abbreviation: string;
  streets: readonly string[];
}

function counties(
  abbreviation: string,
  city: string,
  registry: string,
  streets: readonly string[],
  list: ReadonlyArray<readonly [code: string, district: string, police: string]>,
): SampleCounty[] {
  return list.map(([code, district, police]) => ({ code, place: `${city}${district}`, police, registry, abbreviation, streets }));
}

/** GB/T 2260 county-level codes, checked against the current division list. */
export const SAMPLE_COUNTIES: readonly SampleCounty[] = [
  ...counties(
    '浙',
    '浙江省杭州市',
    '杭州市',
    ['文三路', '天目山路', '延安路', '江南大道', '文一西路'],
    [
      ['330102', '上城区', '杭州市公安局上城分局'],
      ['330105', '拱墅区', '杭州市公安局拱墅分局'],
      ['330106', '西湖区', '杭州市公安局西湖分局'],
      ['330108', '滨江区', '杭州市公安局滨江分局'],
      ['330110', '余杭区', '杭州市公安局余杭分局'],
    ],
  ),
  ...counties('浙', '浙江省宁波市', '宁波市', ['中山西路', '柳汀街', '环城西路'], [['330203', '海曙区', '宁波市公安局海曙分局']]),
  ...counties(
    '川',
    '四川省成都市',
    '成都市',
    ['东大街', '人民南路', '天府大道', '蜀都大道', '一环路'],
    [
      ['510104', '锦江区', '成都市公安局锦江区分局'],
      ['510105', '青羊区', '成都市公安局青羊区分局'],
      ['510106', '金牛区', '成都市公安局金牛区分局'],
      ['510107', '武侯区', '成都市公安局武侯区分局'],
      ['510108', '成华区', '成都市公安局成华区分局'],
    ],
  ),
  ...counties('川', '四川省绵阳市', '绵阳市', ['临园路', '涪城路'], [['510703', '涪城区', '绵阳市公安局涪城区分局']]),
  ...counties('京', '北京市', '朝阳区', ['建国路', '朝阳北路', '东三环中路'], [['110105', '朝阳区', '北京市公安局朝阳分局']]),
  ...counties('京', '北京市', '海淀区', ['中关村大街', '学院路'], [['110108', '海淀区', '北京市公安局海淀分局']]),
  ...counties('沪', '上海市', '徐字', ['漕溪北路', '肇嘉浜路'], [['310104', '徐汇区', '上海市公安局徐汇分局']]),
  ...counties('沪', '上海市', '浦字', ['世纪大道', '张杨路', '浦东南路'], [['310115', '浦东新区', '上海市公安局浦东分局']]),
  ...counties('粤', '广东省广州市', '广州市', ['天河路', '体育西路', '中山大道'], [['440106', '天河区', '广州市公安局天河区分局']]),
  ...counties('粤', '广东省深圳市', '深圳市', ['深南大道', '科技园路'], [['440305', '南山区', '深圳市公安局南山分局']]),
  ...counties('苏', '江苏省南京市', '南京市', ['中山路', '珠江路'], [['320102', '玄武区', '南京市公安局玄武分局']]),
];

export function sampleCounties(province?: string): readonly SampleCounty[] {
  if (province === undefined) return SAMPLE_COUNTIES;
  const found = SAMPLE_COUNTIES.filter((county) => `${county.code.slice(0, 2)}0000` === province);
  if (found.length === 0) {
    const known = [...new Set(SAMPLE_COUNTIES.map((county) => `${county.code.slice(0, 2)}0000`))].join(', ');
    throw new RangeError(`no sample counties for province ${province}; samples cover ${known}`);
  }
  return found;
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '高',
  '郑',
  '梁',
  '谢',
  '宋',
  '唐',
  '许',
  '韩',
  '冯',
  '邓',
  '曹',
  '彭',
  '曾',
  '肖',
  '田',
  '董',
  '潘',
  '袁',
  '蔡',
  '蒋',
  '欧阳',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '霞',
  '平',
  '刚',
  '华',
  '建',
  '玲',
  '文',
  '鑫',
  '宇',
  '浩',
  '欣',
  '怡',
  '梓',
  '睿',
  '晨',
  '雨',
  '思',
  '佳',
  '博',
  '嘉',
  '诺',
  '涵',
  '轩',
];

export function samplePersonName(random: SeededRandom): string {
  const given = random.int(1, 2) === 1 ? random.pick(GIVEN) : random.pick(GIVEN) + random.pick(GIVEN);
  return random.pick(SURNAMES) + given;
}

export function sampleStreetAddress(random: SeededRandom, county: SampleCounty): string {
  return `${county.place}${random.pick(county.streets)}${random.int(1, 999)}号`;
}

/** Every day from 1950-01-01 to 2019-12-31: births that span every validity bracket of the ID card law. */
const BIRTH_EPOCH = '1950-01-01';
const BIRTH_DAYS = 25_567;
const SEQUENCES = 999;

export interface SampleCitizen {
  name: string;
  idNumber: string;
  birthDate: string;
  sex: Sex;
  county: SampleCounty;
}

/**
 * A citizen whose number is a bijection of the seed: sequence 001-999, birth date and county are
 * the digits of spread(seed) in mixed radix, so seeds below 999 × 25,567 × (number of counties)
 * give distinct numbers.
 */
export function sampleCitizen(seed: number, random: SeededRandom, among: readonly SampleCounty[]): SampleCitizen {
  const index = spread(seed, SEQUENCES * BIRTH_DAYS * among.length);
  const sequence = (index % SEQUENCES) + 1;
  const day = Math.floor(index / SEQUENCES) % BIRTH_DAYS;
  const county = itemAt(among, Math.floor(index / SEQUENCES / BIRTH_DAYS));
  const birthDate = addDays(BIRTH_EPOCH, day);
  const first17 = `${county.code}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return {
    name: samplePersonName(random),
    idNumber: first17 + citizenIdCheckDigit(first17),
    birthDate,
    sex: sequence % 2 === 1 ? 'male' : 'female',
    county,
  };
}

/** 31^6: the six free characters after MA in a post-2015 organisation code. */
const ORGANIZATION_BODIES = 31 ** 6;

/**
 * An enterprise credit code (authority 9, category 1) whose organisation code MA + six characters
 * is a bijection of the seed, so seeds below 31^6 give distinct codes.
 */
export function sampleEnterpriseCreditCode(seed: number, county: SampleCounty): string {
  let index = spread(seed, ORGANIZATION_BODIES);
  let body = '';
  for (let i = 0; i < 6; i += 1) {
    body = CREDIT_CODE_CHARSET.charAt(index % 31) + body;
    index = Math.floor(index / 31);
  }
  const organizationBody = `MA${body}`;
  const first17 = `91${county.code}${organizationBody}${organizationCodeCheckChar(organizationBody)}`;
  return first17 + creditCodeCheckChar(first17);
}

const BRANDS = ['云栖', '西溪', '天府', '锦城', '蓉城', '钱塘', '之江', '峨眉', '青城', '明德', '致远', '恒信', '华创', '新禾'];
const TRADES = ['数字科技', '信息技术', '文化传媒', '商贸', '餐饮管理', '建筑工程', '生物科技', '物流', '教育咨询', '新能源科技'];

export function sampleEnterpriseName(random: SeededRandom, county: SampleCounty): string {
  const city = county.place.replace(/^.+?省/, '').slice(0, 2);
  return `${city}${random.pick(BRANDS)}${random.pick(TRADES)}有限公司`;
}

export function sampleDate(random: SeededRandom, from: string, to: string): string {
  const span = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  return addDays(from, random.int(0, span));
}
