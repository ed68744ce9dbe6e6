/**
 * RFC 8785 canonical JSON against the test vectors its authors publish (cyberphone/
 * json-canonicalization testdata, the RFC's own examples; outputs as UTF-8 hex) and the number
 * serialisations of RFC 8785 Appendix B; and what it must refuse: lone surrogates (not I-JSON)
 * and anything that is not plain JSON data.
 */
import { expect } from 'chai';
import { canonicalize } from '../../core/canonical-json';

const RFC8785_VECTORS: ReadonlyArray<{ name: string; input: string; outputHex: string }> = [
  {
    name: 'arrays',
    input: '[\n  56,\n  {\n    "d": true,\n    "10": null,\n    "1": [ ]\n  }\n]\n',
    outputHex: '5b35362c7b2231223a5b5d2c223130223a6e756c6c2c2264223a747275657d5d',
  },
  {
    name: 'french',
    input:
      '{\n  "peach": "This sorting order",\n  "p\u00e9ch\u00e9": "is wrong according to French",\n  "p\u00eache": "but canonicalization MUST",\n  "sin":   "ignore locale"\n}\n',
    outputHex:
      '7b227065616368223a225468697320736f7274696e67206f72646572222c2270c3a96368c3a9223a2269732077726f6e67206163636f7264696e6720746f204672656e6368222c2270c3aa636865223a226275742063616e6f6e6963616c697a6174696f6e204d555354222c2273696e223a2269676e6f7265206c6f63616c65227d',
  },
  {
    name: 'structures',
    input: '{\n  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},\n  "10": { },\n  "": "empty",\n  "a": { },\n  "111": [ {"e": "yes","E": "no" } ],\n  "A": { }\n}',
    outputHex:
      '7b22223a22656d707479222c2231223a7b225c6e223a35362c2266223a7b2246223a352c2266223a226869227d7d2c223130223a7b7d2c22313131223a5b7b2245223a226e6f222c2265223a22796573227d5d2c2241223a7b7d2c2261223a7b7d7d',
  },
  { name: 'unicode', input: '{\n  "Unnormalized Unicode":"A\\u030a"\n}\n', outputHex: '7b22556e6e6f726d616c697a656420556e69636f6465223a2241cc8a227d' },
  {
    name: 'values',
    input:
      '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}',
    outputHex:
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d',
  },
  {
    name: 'weird',
    input:
      '{\n  "\\u20ac": "Euro Sign",\n  "\\r": "Carriage Return",\n  "\\u000a": "Newline",\n  "1": "One",\n  "\\u0080": "Control\\u007f",\n  "\\ud83d\\ude02": "Smiley",\n  "\\u00f6": "Latin Small Letter O With Diaeresis",\n  "\\ufb33": "Hebrew Letter Dalet With Dagesh",\n  "</script>": "Browser Challenge"\n}\n',
    outputHex:
      '7b225c6e223a224e65776c696e65222c225c72223a2243617272696167652052657475726e222c2231223a224f6e65222c223c2f7363726970743e223a2242726f77736572204368616c6c656e6765222c22c280223a22436f6e74726f6c7f222c22c3b6223a224c6174696e20536d616c6c204c6574746572204f205769746820446961657265736973222c22e282ac223a224575726f205369676e222c22f09f9882223a22536d696c6579222c22efacb3223a22486562726577204c65747465722044616c6574205769746820446167657368227d',
  },
];

/** RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text. */
const NUMBER_VECTORS: ReadonlyArray<[string, string]> = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];

describe('canonical JSON (RFC 8785)', () => {
  for (const vector of RFC8785_VECTORS) {
    it(`canonicalises the published "${vector.name}" vector byte for byte`, () => {
      expect(Buffer.from(canonicalize(JSON.parse(vector.input)), 'utf8').toString('hex')).to.equal(vector.outputHex);
    });
  }

  it('serialises every number of Appendix B as the RFC does, and refuses NaN and Infinity', () => {
    for (const [bits, text] of NUMBER_VECTORS) expect(canonicalize(Buffer.from(bits, 'hex').readDoubleBE(0)), bits).to.equal(text);
    expect(() => canonicalize(Number.NaN)).to.throw(TypeError);
    expect(() => canonicalize(Number.POSITIVE_INFINITY)).to.throw(TypeError);
  });

  it('refuses a lone surrogate in a value or a key, and keeps a paired one', () => {
    expect(() => canonicalize({ name: 'a\ud800b' })).to.throw(TypeError, /lone surrogate/);
    expect(() => canonicalize({ name: 'end\udc00' })).to.throw(TypeError, /lone surrogate/);
    expect(() => canonicalize({ ['\udfff']: 1 })).to.throw(TypeError, /lone surrogate/);
    expect(() => canonicalize(['\ud83d'])).to.throw(TypeError, /lone surrogate/);
    expect(canonicalize({ name: '\ud842\udfb7' })).to.equal('{"name":"𠮷"}');
  });

  it('refuses what is not plain JSON data instead of hashing it as {} or a string', () => {
    class Holder {
      name = '张三';
    }
    for (const value of [new Date(0), new Map([['a', 1]]), new Set([1]), new Holder(), /x/, Buffer.from('x'), { nested: new Date(0) }]) {
      expect(() => canonicalize(value)).to.throw(TypeError);
    }
    expect(() => canonicalize(() => 1)).to.throw(TypeError);
    expect(() => canonicalize(1n)).to.throw(TypeError);
    expect(canonicalize(Object.assign(Object.create(null) as object, { b: 1, a: 2 }))).to.equal('{"a":2,"b":1}');
  });
});
