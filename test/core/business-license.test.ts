import { expect } from 'chai';
import { provinceCodeOf } from '../../core/admin-divisions';
import { creditCodeCheckChar, parseCreditCode } from '../../core/credit-code';
import { licenseTypeExample, validateIssueRequest, type BusinessLicenseRequest } from '../../core/license-types';
import { refusalOf } from './refusal';

function example(): BusinessLicenseRequest {
  const request = licenseTypeExample('business-license');
  if (request.type !== 'business-license') throw new Error('wrong example');
  return request;
}

function withCode(first17: string): string {
  return first17 + creditCodeCheckChar(first17);
}

describe('business-license issue requests', () => {
  it('the example is a Zhejiang company whose credit code checks', () => {
    const request = example();
    expect(validateIssueRequest(request)).to.deep.equal(request);
    const code = parseCreditCode(request.holder.creditCode);
    expect(code.ok && provinceCodeOf(code.regionCode)).to.equal('330000');
  });

  it('a mistyped credit code names holder.creditCode', () => {
    const error = refusalOf({ ...example(), holder: { ...example().holder, creditCode: '91330106MA2H7XKQ45' } });
    expect(error.message).to.equal('holder.creditCode: check character should be 4, got 5');
    expect(error.details).to.deep.equal({ field: 'holder.creditCode' });
  });

  it('only entities registered by market regulation hold a business license', () => {
    // A public institution (12…) and a social organisation (51…) have valid codes but no business license.
    for (const creditCode of ['121200004013590816', withCode('51330106MA2H7XKQ4')]) {
      expect(parseCreditCode(creditCode).ok).to.equal(true);
      expect(refusalOf({ ...example(), holder: { ...example().holder, creditCode } }).message).to.match(
        /^holder\.creditCode: must be a code registered by market regulation, starting 91 .*, got (12|51)$/,
      );
    }
    // Individual businesses (92…) and farmers' cooperatives (93…) do.
    expect(validateIssueRequest({ ...example(), holder: { ...example().holder, creditCode: withCode('92330106MA2H7XKQ4') } }).type).to.equal(
      'business-license',
    );
  });

  it('the business term starts on or after establishment and ends after it starts', () => {
    expect(refusalOf({ ...example(), validFrom: '2019-08-19' }).details).to.deep.equal({ field: 'validFrom' });
    expect(refusalOf({ ...example(), validUntil: '2019-08-19' }).message).to.equal('validUntil: must not be before validFrom (2019-08-20), got 2019-08-19');
    expect(validateIssueRequest({ ...example(), validUntil: '2039-08-19' }).validUntil).to.equal('2039-08-19');
    expect(validateIssueRequest({ ...example(), validUntil: null }).validUntil).to.equal(null);
  });

  it('an establishment date after today is refused when today is given', () => {
    const future = { ...example(), data: { ...example().data, establishedDate: '2026-01-05' }, validFrom: '2026-01-05' };
    expect(validateIssueRequest(future).type).to.equal('business-license');
    expect(refusalOf(future, { today: '2025-06-01' }).message).to.equal('data.establishedDate: must not be after today (2025-06-01), got 2026-01-05');
  });

  it('registered capital is a positive amount of 万元 to the yuan, and may be absent', () => {
    expect(refusalOf({ ...example(), data: { ...example().data, registeredCapital: 0 } }).message).to.equal('data.registeredCapital: must be greater than 0');
    expect(refusalOf({ ...example(), data: { ...example().data, registeredCapital: 100.00001 } }).message).to.equal(
      'data.registeredCapital: must have at most 4 decimal places (one yuan in 万元)',
    );
    expect(refusalOf({ ...example(), data: { ...example().data, registeredCapital: '100万元人民币' } }).message).to.equal(
      'data.registeredCapital: must be a number, got a string',
    );
    const { registeredCapital: _omitted, ...withoutCapital } = example().data;
    expect(validateIssueRequest({ ...example(), data: withoutCapital }).type).to.equal('business-license');
  });

  it('the business scope is bounded', () => {
    expect(refusalOf({ ...example(), data: { ...example().data, businessScope: '经'.repeat(2001) } }).message).to.equal(
      'data.businessScope: must be at most 2000 characters',
    );
  });

  it('a date that is not on the calendar is refused', () => {
    expect(refusalOf({ ...example(), data: { ...example().data, establishedDate: '2019-02-29' } }).message).to.equal(
      'data.establishedDate: is not a real calendar date',
    );
    expect(refusalOf({ ...example(), validFrom: '20190820' }).message).to.equal('validFrom: must be a date written YYYY-MM-DD');
  });
});
