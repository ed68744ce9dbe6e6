/**
 * The privacy scan of DATA_DIR can see what it is meant to catch: a name inside a credential's
 * base64url payload at any offset, a credential stored as is, a reply stored as JSON.
 */
import { expect } from 'chai';
import { base64urlForms, findNeedles, personalDataNeedles } from '../support/privacy-scan';

describe('privacy scan', () => {
  const name = '欧阳测试甲乙';
  const idNumber = '330106199001011237';
  const needles = personalDataNeedles({ name, idNumber });

  it('finds a name inside base64url-encoded JSON whatever its offset, as in a credential payload', () => {
    for (const prefix of ['{"name":"', '{"a":1,"name":"', '{"ab":1,"name":"']) {
      const payload = Buffer.from(`${prefix}${name}","birthdate":"1990-01-01"}`, 'utf8').toString('base64url');
      const page = Buffer.concat([Buffer.from('some store page bytes '), Buffer.from(`eyJhbGciOiJFUzI1NiJ9.${payload}.c2ln~`), Buffer.alloc(64)]);
      expect(findNeedles(page, needles), prefix).to.include.members([`name (base64url, offset ${(Buffer.byteLength(prefix) % 3).toString()})`]);
    }
  });

  it('finds raw UTF-8 and an ID number in a stored reply, and nothing in bytes that hold neither', () => {
    const reply = Buffer.from(JSON.stringify({ holder: { name, idNumber } }), 'utf8');
    expect(findNeedles(reply, needles)).to.include.members(['name (UTF-8)', 'idNumber (UTF-8)']);
    expect(findNeedles(Buffer.from(JSON.stringify({ holder: { name: '张三丰测试', idNumber: '110101199003071234' } })), needles)).to.deep.equal([]);
  });

  it('computes the three base64url forms from the value alone', () => {
    const forms = base64urlForms(Buffer.from('abcdefghi'));
    expect(forms[0]).to.equal('YWJjZGVmZ2hp');
    for (const [offset, form] of forms.entries()) {
      const encoded = Buffer.concat([Buffer.from('xyz'.slice(0, offset)), Buffer.from('abcdefghi')]).toString('base64url');
      expect(encoded, `offset ${offset}`).to.contain(form);
      expect(form.length).to.be.greaterThan(9);
    }
  });
});
