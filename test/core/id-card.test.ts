import { expect } from 'chai';
import { citizenIdCheckDigit } from '../../core/citizen-id';
import { addYears, fullYearsOn } from '../../core/dates';
import { idCardValidityYears, idCardValidUntil, licenseTypeExample, validateIssueRequest, type IdCardRequest } from '../../core/license-types';
import { refusalOf } from './refusal';

function example(): IdCardRequest {
  const request = licenseTypeExample('id-card');
  if (request.type !== 'id-card') throw new Error('wrong example');
  return request;
}

/** A card for a woman born on birthDate in Xihu district, Hangzhou, with the validity given. */
function cardFor(birthDate: string, validFrom: string, validUntil: string | null): IdCardRequest {
  const first17 = `330106${birthDate.replaceAll('-', '')}124`;
  return {
    ...example(),
    holder: { name: '林静', idNumber: first17 + citizenIdCheckDigit(first17) },
    data: { ...example().data, sex: 'female', birthDate },
    validFrom,
    validUntil,
  };
}

describe('id-card issue requests', () => {
  it('the example is a card the law would issue', () => {
    expect(validateIssueRequest(example())).to.deep.equal(example());
  });

  it('a check digit off by one names holder.idNumber and the digit it should be', () => {
    const error = refusalOf({ ...example(), holder: { name: '张伟', idNumber: '330106199003071237' } });
    expect(error.code).to.equal('INVALID_FIELD');
    expect(error.status).to.equal(400);
    expect(error.details).to.deep.equal({ field: 'holder.idNumber' });
    expect(error.message).to.equal('holder.idNumber: check digit should be 6, got 7');
  });

  it('trims what the clerk typed and writes a lower-case x as X', () => {
    const first17 = '11010519491231002';
    const request = cardFor('1949-12-31', '2020-01-02', null);
    const typed = { ...request, holder: { name: '  林静 ', idNumber: ` ${first17}x ` } };
    const parsed = validateIssueRequest(typed);
    expect(parsed.holder).to.deep.equal({ name: '林静', idNumber: `${first17}X` });
  });

  it('sex and birth date must be what the number encodes', () => {
    expect(refusalOf({ ...example(), data: { ...example().data, sex: 'female' } }).message).to.equal(
      'data.sex: must be male as holder.idNumber encodes it, got female',
    );
    expect(refusalOf({ ...example(), data: { ...example().data, birthDate: '1990-03-08' } }).message).to.equal(
      'data.birthDate: must be 1990-03-07 as holder.idNumber encodes it, got 1990-03-08',
    );
  });

  it('a card cannot start before its holder was born', () => {
    const error = refusalOf({ ...example(), validFrom: '1990-03-06', validUntil: '1995-03-06' });
    expect(error.details).to.deep.equal({ field: 'validFrom' });
  });

  it('a holder born after today is refused when the server says what today is', () => {
    const request = cardFor('2030-01-01', '2030-01-01', '2035-01-01');
    expect(validateIssueRequest(request).validUntil).to.equal('2035-01-01');
    const error = refusalOf(request, { today: '2025-06-01' });
    expect(error.message).to.equal('holder.idNumber: birth date 2030-01-01 is after today (2025-06-01)');
  });

  it("a malformed today is the caller's error, not the applicant's", () => {
    const error = refusalOf(example(), { today: '2025/06/01' });
    expect(error.code).to.equal('INVALID_ARGUMENT');
  });

  it('each printed field is bounded, trimmed and free of control characters', () => {
    expect(refusalOf({ ...example(), holder: { ...example().holder, name: '   ' } }).message).to.equal('holder.name: must not be empty');
    expect(refusalOf({ ...example(), holder: { ...example().holder, name: '张'.repeat(31) } }).message).to.equal('holder.name: must be at most 30 characters');
    expect(refusalOf({ ...example(), data: { ...example().data, address: '文三路\u202e100号' } }).details).to.deep.equal({
      field: 'data.address',
    });
    expect(refusalOf({ ...example(), data: { ...example().data, issuingAuthority: undefined } }).message).to.equal('data.issuingAuthority: is required');
  });

  it('the ethnic group is one of the 56, written as the card prints it', () => {
    const parsed = validateIssueRequest({ ...example(), data: { ...example().data, ethnicity: '维吾尔' } });
    expect(parsed.type === 'id-card' && parsed.data.ethnicity).to.equal('维吾尔');
    expect(refusalOf({ ...example(), data: { ...example().data, ethnicity: '汉族' } }).message).to.match(
      /^data\.ethnicity: must be one of the 56 ethnic groups .* got "汉族"$/,
    );
  });

  it('a field the card does not have is refused by name', () => {
    expect(refusalOf({ ...example(), data: { ...example().data, photo: 'base64…' } }).message).to.equal('data.photo: is not a field of this license type');
  });

  it('the first failing field is the one named', () => {
    const error = refusalOf({ ...example(), holder: { name: '', idNumber: 'x' }, data: { ...example().data, address: '' } });
    expect(error.details).to.deep.equal({ field: 'holder.name' });
  });

  describe('validity by age (Resident Identity Card Law art. 5)', () => {
    // Born 2000-05-10: each bracket starts on a birthday.
    const birth = '2000-05-10';
    const cases: Array<[validFrom: string, age: number, validUntil: string | null]> = [
      ['2000-05-10', 0, '2005-05-10'],
      ['2016-05-09', 15, '2021-05-09'],
      ['2016-05-10', 16, '2026-05-10'],
      ['2026-05-09', 25, '2036-05-09'],
      ['2026-05-10', 26, '2046-05-10'],
      ['2046-05-09', 45, '2066-05-09'],
      ['2046-05-10', 46, null],
      ['2080-01-01', 79, null],
    ];
    for (const [validFrom, age, validUntil] of cases) {
      it(`a holder aged ${age} on ${validFrom} gets ${validUntil === null ? 'a long-term card' : `a card until ${validUntil}`}`, () => {
        expect(fullYearsOn(birth, validFrom)).to.equal(age);
        expect(idCardValidUntil(birth, validFrom)).to.equal(validUntil);
        expect(validateIssueRequest(cardFor(birth, validFrom, validUntil)).validUntil).to.equal(validUntil);
      });
    }

    it('the brackets are 5, 10, 20 years and long-term', () => {
      expect([0, 15, 16, 25, 26, 45, 46, 100].map(idCardValidityYears)).to.deep.equal([5, 5, 10, 10, 20, 20, null, null]);
    });

    it('a 20-year card given 10 years is refused with the date it should end', () => {
      const error = refusalOf(cardFor(birth, '2026-05-10', '2036-05-10'));
      expect(error.details).to.deep.equal({ field: 'validUntil' });
      expect(error.message).to.equal(
        'validUntil: a holder aged 26 on validFrom gets a 20-year card (居民身份证法 art. 5), so validUntil must be 2046-05-10, got 2036-05-10',
      );
    });

    it('long-term is refused below 46, and a date is refused from 46', () => {
      expect(refusalOf(cardFor(birth, '2046-05-09', null)).message).to.match(
        /must be 2066-05-09, got null \(长期\), which is only for holders aged 46 and over$/,
      );
      expect(refusalOf(cardFor(birth, '2046-05-10', '2066-05-10')).message).to.match(/long-term card .* must be null \(长期\), got 2066-05-10$/);
    });

    it('a date off by one day is refused: validity ends on the same month and day', () => {
      expect(refusalOf(cardFor(birth, '2016-05-10', '2026-05-09')).details).to.deep.equal({ field: 'validUntil' });
    });

    it('someone born on 29 February comes of age on 1 March in a common year, and a card from 29 February ends on 28 February', () => {
      expect(fullYearsOn('2008-02-29', '2024-02-28')).to.equal(15);
      expect(fullYearsOn('2008-02-29', '2024-02-29')).to.equal(16);
      expect(fullYearsOn('2004-02-29', '2021-02-28')).to.equal(16);
      expect(fullYearsOn('2004-02-29', '2021-03-01')).to.equal(17);
      expect(addYears('2024-02-29', 10)).to.equal('2034-02-28');
      expect(validateIssueRequest(cardFor('2008-02-29', '2024-02-29', '2034-02-28')).validUntil).to.equal('2034-02-28');
    });
  });
});
