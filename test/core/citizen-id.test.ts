import { expect } from 'chai';
import { citizenIdCheckDigit, parseCitizenId } from '../../core/citizen-id';

function reasonFor(value: string, today?: string): string {
  const result = parseCitizenId(value, today === undefined ? {} : { today });
  if (result.ok) throw new Error(`expected ${value} to be refused`);
  return result.reason;
}

describe('citizen identity number (GB 11643-1999)', () => {
  // The two examples printed in the standard's annex A: a woman from Chaoyang, Beijing, and a man
  // from Chaoyang county, Guangdong; the second needs the X check character.
  it("reads the standard's own examples", () => {
    expect(parseCitizenId('11010519491231002X')).to.deep.equal({
      ok: true,
      value: '11010519491231002X',
      regionCode: '110105',
      birthDate: '1949-12-31',
      sex: 'female',
    });
    expect(parseCitizenId('440524188001010014')).to.deep.equal({
      ok: true,
      value: '440524188001010014',
      regionCode: '440524',
      birthDate: '1880-01-01',
      sex: 'male',
    });
  });

  // Independently published valid numbers: python-stdnum, tests/test_cn_ric.doctest.
  it('accepts numbers another implementation accepts, and writes a lower-case x upper-case', () => {
    for (const value of ['360426199101010071', '412723199010050012', '110102199101010078']) {
      expect(parseCitizenId(value).ok, value).to.equal(true);
    }
    const lower = parseCitizenId('44011320141005001x');
    expect(lower.ok && lower.value).to.equal('44011320141005001X');
  });

  it('computes the MOD 11-2 check character, writing 10 as X', () => {
    expect(citizenIdCheckDigit('11010519491231002')).to.equal('X');
    expect(citizenIdCheckDigit('44052418800101001')).to.equal('4');
    expect(() => citizenIdCheckDigit('1101051949123100')).to.throw(RangeError);
    expect(() => citizenIdCheckDigit('1101051949123100A')).to.throw(RangeError);
  });

  it('a check digit off by one is refused with the digit it should be', () => {
    expect(reasonFor('440524188001010015')).to.equal('check digit should be 4, got 5');
    expect(reasonFor('110105194912310021')).to.equal('check digit should be X, got 1');
  });

  it('a number of the wrong length says how long it is', () => {
    expect(reasonFor('44052418800101001')).to.equal('must be 18 characters, got 17');
    expect(reasonFor('4405241880010100144')).to.equal('must be 18 characters, got 19');
    expect(reasonFor('')).to.equal('must be 18 characters, got 0');
  });

  it('a letter among the first 17 characters is named by its position', () => {
    expect(reasonFor('4405A4188001010014')).to.equal("character 5 must be a digit, got 'A'");
    expect(reasonFor('44052418800101001Y')).to.equal("the last character must be a digit or X, got 'Y'");
  });

  it('an address code outside every province is refused', () => {
    expect(reasonFor('990426199112010074')).to.match(/^address code 990426 is not in a known province/);
  });

  it('a birth date that is not on the calendar is refused before the check digit', () => {
    const first17 = '36042619910230007';
    expect(reasonFor(first17 + citizenIdCheckDigit(first17))).to.equal('birth date 19910230 is not a real date');
  });

  it('a birth date after today is refused only when today is given', () => {
    const first17 = '33010620300101001';
    const value = first17 + citizenIdCheckDigit(first17);
    expect(reasonFor(value, '2025-06-01')).to.equal('birth date 2030-01-01 is after today (2025-06-01)');
    expect(parseCitizenId(value).ok).to.equal(true);
    expect(parseCitizenId(value, { today: '2030-01-01' }).ok).to.equal(true);
  });

  it("a malformed today is the caller's mistake, not the holder's", () => {
    expect(() => parseCitizenId('440524188001010014', { today: '2025-6-1' })).to.throw(/today must be a date/);
  });
});
