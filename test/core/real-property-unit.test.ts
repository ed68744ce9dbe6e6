import { expect } from 'chai';
import { parseRealPropertyUnitNumber } from '../../core/real-property-unit';

function reasonFor(value: string): string {
  const result = parseRealPropertyUnitNumber(value);
  if (result.ok) throw new Error(`expected ${value} to be refused`);
  return result.reason;
}

describe('real property unit number (GB/T 37346-2019)', () => {
  // Annex A's parcel examples (340123 002004 GB00011, …) extended with a fixture layer.
  it('reads a flat in a building on state-owned construction land', () => {
    expect(parseRealPropertyUnitNumber('340123002004GB00011F00010001')).to.deep.equal({
      ok: true,
      value: '340123002004GB00011F00010001',
      countyCode: '340123',
      parcelCode: '340123002004GB00011',
      fixtureLetter: 'F',
    });
    expect(parseRealPropertyUnitNumber('510104003004GX00020W00000000').ok).to.equal(true);
    expect(parseRealPropertyUnitNumber('510104003004JC00007F00010000').ok).to.equal(true);
  });

  it('refuses each malformed layer with its position', () => {
    expect(reasonFor('510104003004GB00011F0001000')).to.equal('must be 28 characters, got 27');
    expect(reasonFor('51010A003004GB00011F00010001')).to.match(/^characters 1-6 must be a six-digit county-level/);
    expect(reasonFor('990104003004GB00011F00010001')).to.match(/^division code 990104 is not in a known province/);
    expect(reasonFor('510000003004GB00011F00010001')).to.match(/is a province/);
    expect(reasonFor('51010400300AGB00011F00010001')).to.match(/^characters 7-12/);
    expect(reasonFor('510104003004KB00011F00010001')).to.equal("character 13 must be the parcel owner letter G, J or Z, got 'K'");
    expect(reasonFor('510104003004GK00011F00010001')).to.match(/^character 14 must be a parcel right letter/);
    expect(reasonFor('510104003004GB00000F00010001')).to.match(/^characters 15-19 must be the parcel sequence number/);
    expect(reasonFor('510104003004GB00011M00010001')).to.equal("character 20 must be the fixture letter F, L, Q or W, got 'M'");
    expect(reasonFor('510104003004GB00011F0001000A')).to.match(/^characters 21-28/);
    expect(reasonFor('510104003004GB00011W00010001')).to.match(/no fixture \(W\) has fixture unit number 00000000/);
    expect(reasonFor('510104003004GB00011F00000000')).to.match(/needs a fixture unit number other than 00000000/);
  });
});
