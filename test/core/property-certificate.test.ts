import { expect } from 'chai';
import { citizenIdCheckDigit } from '../../core/citizen-id';
import { holderIdentifier, licenseTypeExample, validateIssueRequest, type PropertyCertificateRequest } from '../../core/license-types';
import { refusalOf } from './refusal';

function example(): PropertyCertificateRequest {
  const request = licenseTypeExample('property-certificate');
  if (request.type !== 'property-certificate') throw new Error('wrong example');
  return request;
}

function withData(data: Partial<PropertyCertificateRequest['data']> & Record<string, unknown>): Record<string, unknown> {
  return { ...example(), data: { ...example().data, ...data } };
}

const COMPANY = { name: '成都锦城商贸有限公司', creditCode: '91510104MA6CWJ3P9Y' };

describe('property-certificate issue requests', () => {
  it('the example is a flat in Jinjiang district, Chengdu', () => {
    const request = example();
    expect(validateIssueRequest(request)).to.deep.equal(request);
    expect(request.data.unitNumber.slice(0, 6)).to.equal('510104');
    expect(holderIdentifier(request)).to.equal('citizen-id:510104198806150022');
  });

  it('the right holder may be an organisation', () => {
    const request = { ...example(), holder: COMPANY };
    expect(validateIssueRequest(request).holder).to.deep.equal(COMPANY);
    expect(holderIdentifier(validateIssueRequest(request))).to.equal('credit-code:91510104MA6CWJ3P9Y');
  });

  it('a person holder with a bad number hears about the number', () => {
    const error = refusalOf({ ...example(), holder: { name: '李娜', idNumber: '510104198806150023' } });
    expect(error.message).to.equal('holder.idNumber: check digit should be 2, got 3');
  });

  it('an organisation holder with a bad code hears about the code', () => {
    const error = refusalOf({ ...example(), holder: { ...COMPANY, creditCode: '91510104MA6CWJ3P9X' } });
    expect(error.message).to.equal('holder.creditCode: check character should be Y, got X');
  });

  it('the holder carries exactly one identifier', () => {
    expect(refusalOf({ ...example(), holder: { ...COMPANY, idNumber: '510104198806150022' } }).message).to.equal(
      'holder: must carry either idNumber (a person) or creditCode (an organisation), not both',
    );
    expect(refusalOf({ ...example(), holder: { name: '李娜' } }).message).to.equal('holder: needs idNumber (a person) or creditCode (an organisation)');
    expect(refusalOf({ ...example(), holder: '李娜' }).message).to.match(/^holder: must be an object/);
    expect(refusalOf({ ...example(), holder: { name: '李娜', idNumber: '510104198806150022', phone: '138' } }).message).to.equal(
      'holder.phone: is not a field of this license type',
    );
  });

  it('a person holder born after today is refused when today is given', () => {
    const first17 = '51010420300101002';
    const request = { ...example(), holder: { name: '李娜', idNumber: first17 + citizenIdCheckDigit(first17) } };
    expect(refusalOf(request, { today: '2025-06-01' }).details).to.deep.equal({ field: 'holder.idNumber' });
  });

  describe('certificate number', () => {
    it('reads like 川(2024)成都市不动产权第0012345号, with half- or full-width brackets', () => {
      for (const certificateNumber of ['川（2024）成都市不动产权第0012345号', '川(2016)成都市不动产权第001234号', '川(2020)锦江区不动产权第0000012345号']) {
        expect(validateIssueRequest(withData({ certificateNumber })).type, certificateNumber).to.equal('property-certificate');
      }
    });

    it('refuses what does not read like one', () => {
      for (const certificateNumber of [
        '川(2024)成都市不动产证明第0012345号',
        '川2024成都市不动产权第0012345号',
        '川(2024)成都市不动产权第12345号',
        'No. 0012345',
      ]) {
        expect(refusalOf(withData({ certificateNumber })).message, certificateNumber).to.match(/^data\.certificateNumber: must read like/);
      }
    });

    it('starts with a mainland province abbreviation and a year of unified registration', () => {
      expect(refusalOf(withData({ certificateNumber: '港(2024)成都市不动产权第0012345号' })).message).to.match(/mainland province abbreviation/);
      expect(refusalOf(withData({ certificateNumber: '川(2012)成都市不动产权第0012345号' })).message).to.match(/predates unified real property registration/);
    });

    it('names the same province as the unit number', () => {
      expect(refusalOf(withData({ certificateNumber: '浙(2024)杭州市不动产权第0012345号' })).message).to.equal(
        'data.certificateNumber: is issued in 浙 (浙江省) but data.unitNumber lies in 四川省',
      );
    });
  });

  it('a malformed unit number names data.unitNumber and what is wrong', () => {
    expect(refusalOf(withData({ unitNumber: '510104007002GB00123F0003050' })).message).to.equal('data.unitNumber: must be 28 characters, got 27');
    expect(refusalOf(withData({ unitNumber: '510104007002GB00123W00030502' })).details).to.deep.equal({ field: 'data.unitNumber' });
    expect(validateIssueRequest(withData({ unitNumber: ' 510104007002gb00123f00030502 ' })).type).to.equal('property-certificate');
  });

  it('area is positive square metres with at most two decimals', () => {
    expect(validateIssueRequest(withData({ area: 120 })).type).to.equal('property-certificate');
    expect(refusalOf(withData({ area: 89.565 })).message).to.equal('data.area: must have at most 2 decimal places');
    expect(refusalOf(withData({ area: 0.1 + 0.2 })).message).to.equal('data.area: must have at most 2 decimal places');
    expect(refusalOf(withData({ area: -5 })).message).to.equal('data.area: must be greater than 0');
  });

  it('co-ownership is optional', () => {
    const { coOwnership: _omitted, ...data } = example().data;
    expect(validateIssueRequest({ ...example(), data }).type).to.equal('property-certificate');
  });

  it('the land use term ends after it starts, or has no end', () => {
    expect(refusalOf({ ...example(), validUntil: '2008-06-18' }).message).to.equal('validUntil: must be after validFrom (2008-06-18), got 2008-06-18');
    expect(validateIssueRequest({ ...example(), validUntil: null }).validUntil).to.equal(null);
  });
});
