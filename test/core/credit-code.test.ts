import { expect } from 'chai';
import { creditCodeCheckChar, parseCreditCode } from '../../core/credit-code';
import { organizationCodeCheckChar } from '../../core/organization-code';

function reasonFor(value: string): string {
  const result = parseCreditCode(value);
  if (result.ok) throw new Error(`expected ${value} to be refused`);
  return result.reason;
}

/**
 * Valid codes published by others, chosen so many organisation codes contain letters (the new
 * MA… series) and many check characters are letters or X. Source: python-stdnum,
 * tests/test_cn_uscc.doctest ("These have been found online and should all be valid numbers").
 */
const PUBLISHED_VALID = [
  '121200004013590816',
  '91110000600037341L',
  '91110000710926094P',
  '91120224064012553U',
  '911522010783710635',
  '91152201078371135X',
  '9115220107837757XE',
  '9115220107837941X1',
  '9115220107839138X8',
  '91310000631696382C',
  '91310115MA1K3BTP2B',
  '9131012056010553X5',
  '913304007429141869',
  '91340600MA2PBM9HXD',
  '91340600MA2PBMA74B',
  '91340600MA2PBMBL5H',
  '91340600MA2PBMDH5R',
  '91340600MA2PBMQB9E',
  '91340600MA2PBN188W',
  '91340600MA2PBNE723',
  '91340600MA2PBP6A1W',
  '91340600MA2PBPAG69',
  '91340600MA2PENCC7K',
  '91340600MA2PENWF9P',
  '91340600MA2PEP3Y54',
  '91340600MA2UJYG49B',
  '91340603MA2UJXXCXF',
  '91340603MA2UJYNU67',
  '91420684MA4927PJ7B',
  '9144030071526726XG',
  '9144060573144633XL',
  '9162010555628132X1',
  '91620105L015101280',
  '91620105MA71T4YW8Q',
  '91620105MA73NBBLXE',
  '92340602MA2PBMEM24',
  '92340602MA2PEL8AXA',
  '92340603MA2PBMYMX1',
  '92340603MA2PBN17X5',
  '92340603MA2UK2ECXU',
  '92340604MA2PBNQNXM',
  '92340621MA2PBKRXXG',
  '92340621MA2UJWYPX8',
  '92340621MA2UK3PJXE',
  '92340621MA2UJYJPXJ',
  '92340603MA2UK2QAXJ',
  '92340621MA2PBMNMXM',
  '92340621MA2UJW4UXQ',
];

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts every published valid code, both check characters included', () => {
    const refused = PUBLISHED_VALID.filter((code) => !parseCreditCode(code).ok);
    expect(refused).to.deep.equal([]);
  });

  it('splits a code into its parts', () => {
    expect(parseCreditCode('91310115MA1K3BTP2B')).to.deep.equal({
      ok: true,
      value: '91310115MA1K3BTP2B',
      registrationAuthority: '9',
      entityCategory: '1',
      regionCode: '310115',
      organizationCode: 'MA1K3BTP2',
    });
  });

  // The worked example that circulates with the standard (e.g. www.yc00.com/web/1713075042a2177900.html):
  // the weighted sum of 91350100M000100Y4 is 1640, 1640 mod 31 = 28, so the check character is 3.
  it('follows the worked example of the standard', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).to.equal('3');
    expect(parseCreditCode('91350100M000100Y43').ok).to.equal(true);
    expect(reasonFor('91350100M000100Y44')).to.equal('check character should be 3, got 4');
    // The example's own wrong character, Z, is not even in the code set.
    expect(reasonFor('91350100M000100Y4Z')).to.match(/^character 18 'Z' is not allowed/);
  });

  it('accepts lower case and returns the code upper-case', () => {
    const result = parseCreditCode('91310115ma1k3btp2b');
    expect(result.ok && result.value).to.equal('91310115MA1K3BTP2B');
  });

  it('a mistyped last character is refused with the character it should be', () => {
    expect(reasonFor('91110000600037341N')).to.equal('check character should be L, got N');
  });

  it('an organisation code whose own check character is wrong is refused even when character 18 computes', () => {
    const first17 = '91110000600037342';
    expect(reasonFor(first17 + creditCodeCheckChar(first17))).to.equal('organisation code check character (character 17) should be 1, got 2');
  });

  it('letters outside the GB 32100 set are named by position', () => {
    expect(reasonFor('9111000060003IOZSV')).to.match(/^character 14 'I' is not allowed/);
  });

  it('the division code must be six digits in a known province', () => {
    expect(reasonFor('91A10000600037341L')).to.equal("characters 3-8 must be the registering authority's six-digit division code, got 'A10000'");
    expect(reasonFor('91990000600037341L')).to.match(/^division code 990000 is not in a known province/);
  });

  it('a code of the wrong length says how long it is', () => {
    expect(reasonFor('12345')).to.equal('must be 18 characters, got 5');
  });
});

describe('organisation code (GB 11714-1997)', () => {
  // GB 11714 values letters A-Z as 10-35; the MA… codes above only pass with that table.
  it('computes the check character, writing 10 as X and 11 as 0', () => {
    expect(organizationCodeCheckChar('60003734')).to.equal('1');
    expect(organizationCodeCheckChar('MA2PBM9H')).to.equal('X');
    expect(organizationCodeCheckChar('L0151012')).to.equal('8');
    expect(organizationCodeCheckChar('12345678')).to.equal('8');
    expect(() => organizationCodeCheckChar('1234567')).to.throw(RangeError);
  });
});
