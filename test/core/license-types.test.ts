import { expect } from 'chai';
import { isProvinceCode } from '../../core/admin-divisions';
import { canonicalize } from '../../core/canonical-json';
import { parseCitizenId } from '../../core/citizen-id';
import { parseCreditCode } from '../../core/credit-code';
import { LICENSE_TYPE_SEEDS } from '../../core/license-type-seeds';
import {
  DISPLAY_CLAIMS_MAX_BYTES,
  displayClaims,
  getLicenseType,
  holderIdentifier,
  licenseTypeExample,
  licenseTypeJsonSchema,
  listLicenseTypes,
  makeBusinessLicenseRequest,
  makeIdCardRequest,
  makePropertyCertificateRequest,
  validateIssueRequest,
} from '../../core/license-types';
import { refusalOf } from './refusal';

const TODAY = '2025-07-01';

describe('license type registry', () => {
  it("holds the ledger's seeded types, with the same ids and names", () => {
    expect(listLicenseTypes().map((type) => ({ id: type.id, names: type.names }))).to.deep.equal(
      LICENSE_TYPE_SEEDS.map((seed) => ({ id: seed.id, names: seed.names })),
    );
    expect(getLicenseType('business-license')?.names.zh).to.equal('营业执照');
    expect(getLicenseType('driving-licence')).to.equal(undefined);
  });

  it('every example validates, and validates to itself', () => {
    for (const type of listLicenseTypes()) {
      const example = licenseTypeExample(type.id);
      expect(validateIssueRequest(example, { today: TODAY }), type.id).to.deep.equal(example);
    }
  });

  it('an example handed out is a copy the caller may change', () => {
    const example = licenseTypeExample('id-card');
    example.holder.name = '改';
    expect(licenseTypeExample('id-card').holder.name).to.equal('张伟');
  });
});

describe('issue request refusals common to every type', () => {
  it('a body that is not an object names the body', () => {
    for (const [body, got] of [
      [null, 'null'],
      [[], 'an array'],
      ['id-card', 'a string'],
      [42, 'a number'],
    ] as const) {
      const error = refusalOf(body);
      expect(error.code).to.equal('INVALID_FIELD');
      expect(error.details).to.deep.equal({ field: 'body' });
      expect(error.message).to.equal(`body: must be a JSON object, got ${got}`);
    }
  });

  it('a body without a type says which types there are', () => {
    expect(refusalOf({ holder: {} }).message).to.equal('type: is required (one of id-card, business-license, property-certificate)');
    expect(refusalOf({ type: 7 }).details).to.deep.equal({ field: 'type' });
  });

  it('an unknown type is UNKNOWN_LICENSE_TYPE, echoing at most 40 characters of it', () => {
    const error = refusalOf({ type: 'driving-licence' });
    expect(error.code).to.equal('UNKNOWN_LICENSE_TYPE');
    expect(error.status).to.equal(400);
    expect(error.details).to.deep.equal({ field: 'type', type: 'driving-licence' });
    const long = refusalOf({ type: 'x'.repeat(10_000) });
    expect(long.message.length).to.be.below(200);
  });

  it('a field outside the request is refused by name', () => {
    expect(refusalOf({ ...licenseTypeExample('business-license'), note: 'hi' }).message).to.equal('note: is not a field of this license type');
  });

  it('validUntil must be given, as a date or as null', () => {
    const { validUntil: _omitted, ...body } = licenseTypeExample('business-license');
    expect(refusalOf(body).message).to.equal('validUntil: is required (null for long-term, 长期)');
    expect(refusalOf({ ...body, validUntil: 20300101 }).message).to.equal('validUntil: must be a date written YYYY-MM-DD, or null for long-term (长期)');
  });
});

describe('holder identifiers and display claims', () => {
  it('the holder identifier is the kind of number, a colon and the normalised number', () => {
    expect(holderIdentifier(licenseTypeExample('id-card'))).to.equal('citizen-id:330106199003071236');
    expect(holderIdentifier(licenseTypeExample('business-license'))).to.equal('credit-code:91330106MA2H7XKQ44');
    expect(holderIdentifier(licenseTypeExample('property-certificate'))).to.equal('citizen-id:510104198806150022');
  });

  it('the claims a counter sees are few and short, and leave the ID number out', () => {
    expect(displayClaims(licenseTypeExample('id-card'))).to.deep.equal({ name: '张伟', birthdate: '1990-03-07' });
    expect(displayClaims(licenseTypeExample('business-license'))).to.deep.equal({ name: '杭州西溪数字科技有限公司', uscc: '91330106MA2H7XKQ44' });
    expect(displayClaims(licenseTypeExample('property-certificate'))).to.deep.equal({ name: '李娜', certNo: '川(2024)成都市不动产权第0012345号' });
  });

  // Worst cases: every displayed field at its longest, in three-byte characters.
  it(`even the longest valid fields keep display claims within ${DISPLAY_CLAIMS_MAX_BYTES} bytes`, () => {
    const longName = '龘'.repeat(30);
    const longOrganization = '龘'.repeat(50);
    const idCard = licenseTypeExample('id-card');
    const business = licenseTypeExample('business-license');
    const property = licenseTypeExample('property-certificate');
    const worst: unknown[] = [
      { ...idCard, holder: { ...idCard.holder, name: longName } },
      { ...business, holder: { ...business.holder, name: longOrganization } },
      {
        ...property,
        holder: { name: longOrganization, creditCode: '91510104MA6CWJ3P9Y' },
        data: { ...property.data, certificateNumber: `川（2024）${'龘'.repeat(12)}不动产权第0123456789号` },
      },
    ];
    for (const request of worst) {
      const validated = validateIssueRequest(request);
      const bytes = Buffer.byteLength(canonicalize(displayClaims(validated)), 'utf8');
      expect(bytes, validated.type).to.be.at.most(DISPLAY_CLAIMS_MAX_BYTES);
    }
  });
});

describe('JSON Schema of each type', () => {
  for (const type of listLicenseTypes()) {
    it(`${type.id}: generated from the same zod schema, closed, with every field of the example`, () => {
      const schema = licenseTypeJsonSchema(type.id);
      expect(schema.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
      expect(schema.title).to.match(/issue request$/);
      expect(schema.additionalProperties).to.equal(false);
      expect(schema.required).to.deep.equal(['type', 'holder', 'data', 'validFrom', 'validUntil']);
      const properties = schema.properties as Record<string, { const?: string; properties?: Record<string, unknown> }>;
      expect(properties.type?.const).to.equal(type.id);
      const data = properties.data?.properties ?? {};
      expect(Object.keys(type.example.data).every((key) => key in data)).to.equal(true);
      expect(JSON.parse(JSON.stringify(schema))).to.deep.equal(schema);
    });
  }

  it('describes the property holder as a person or an organisation', () => {
    const properties = licenseTypeJsonSchema('property-certificate').properties as Record<string, { anyOf?: Array<{ required: string[] }> }>;
    expect(properties.holder?.anyOf?.map((branch) => branch.required)).to.deep.equal([
      ['name', 'idNumber'],
      ['name', 'creditCode'],
    ]);
  });

  it('states the date format and the ID card fields in Chinese and English', () => {
    const properties = licenseTypeJsonSchema('id-card').properties as Record<
      string,
      { format?: string; properties?: Record<string, { description?: string }> }
    >;
    expect(properties.validFrom?.format).to.equal('date');
    expect(properties.data?.properties?.issuingAuthority?.description).to.match(/^签发机关/);
  });

  it('an unknown type has no schema', () => {
    expect(() => licenseTypeJsonSchema('driving-licence')).to.throw(/unknown license type/);
  });
});

describe('sample request generators', () => {
  const COUNT = 2000;
  const generators = [
    { id: 'id-card', make: (seed: number) => makeIdCardRequest(seed) },
    { id: 'business-license', make: (seed: number) => makeBusinessLicenseRequest(seed) },
    { id: 'property-certificate', make: (seed: number) => makePropertyCertificateRequest(seed) },
  ];

  for (const { id, make } of generators) {
    it(`${id}: ${COUNT} seeds give ${COUNT} distinct valid requests, the same ones every time`, () => {
      const seen = new Set<string>();
      const keys = new Set<string>();
      for (let seed = 0; seed < COUNT; seed += 1) {
        const request = make(seed);
        expect(validateIssueRequest(request, { today: TODAY }), `seed ${seed}`).to.deep.equal(request);
        seen.add(canonicalize(request));
        // The identifying number itself is distinct, not just the request.
        keys.add(request.type === 'property-certificate' ? request.data.unitNumber : holderIdentifier(request));
      }
      expect(seen.size).to.equal(COUNT);
      expect(keys.size).to.equal(COUNT);
      expect(make(1234)).to.deep.equal(make(1234));
    });
  }

  it('id-card samples cover every validity bracket of the law', () => {
    const brackets = new Set<string>();
    for (let seed = 0; seed < 300; seed += 1) {
      const request = makeIdCardRequest(seed);
      brackets.add(request.validUntil === null ? 'long-term' : String(Number(request.validUntil.slice(0, 4)) - Number(request.validFrom.slice(0, 4))));
    }
    expect([...brackets].sort()).to.deep.equal(['10', '20', '5', 'long-term']);
  });

  it('samples stay in a chosen province', () => {
    for (let seed = 0; seed < 100; seed += 1) {
      const idCard = parseCitizenId(makeIdCardRequest(seed, { province: '510000' }).holder.idNumber);
      expect(idCard.ok && idCard.regionCode.slice(0, 2)).to.equal('51');
      const business = parseCreditCode(makeBusinessLicenseRequest(seed, { province: '330000' }).holder.creditCode);
      expect(business.ok && business.regionCode.slice(0, 2)).to.equal('33');
      expect(makePropertyCertificateRequest(seed, { province: '510000' }).data.unitNumber.slice(0, 2)).to.equal('51');
    }
    expect(isProvinceCode('540000')).to.equal(true);
    expect(() => makeIdCardRequest(1, { province: '540000' })).to.throw(RangeError, /no sample counties for province 540000/);
  });

  it('options fix the ID card start and the property holder kind', () => {
    const card = makeIdCardRequest(7, { validFrom: '2025-01-02' });
    expect(card.validFrom).to.equal('2025-01-02');
    expect(validateIssueRequest(card).validFrom).to.equal('2025-01-02');
    expect('creditCode' in makePropertyCertificateRequest(8, { holder: 'organization' }).holder).to.equal(true);
    expect('idNumber' in makePropertyCertificateRequest(9, { holder: 'person' }).holder).to.equal(true);
  });

  it('a seed must be a non-negative integer', () => {
    expect(() => makeIdCardRequest(-1)).to.throw(RangeError);
    expect(() => makeBusinessLicenseRequest(1.5)).to.throw(RangeError);
  });

  it('each descriptor makes requests of its own type', () => {
    for (const type of listLicenseTypes()) expect(type.makeRequest(3).type).to.equal(type.id);
  });
});
