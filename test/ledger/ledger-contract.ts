/**
 * The ledger contract suite: the chaincode driven through a Ledger port exactly as the server
 * drives it — every transaction's happy path and each refusal, with the code the refusal carries.
 * It runs unchanged on the embedded ledger and on a real Fabric network.
 */
import { expect } from 'chai';
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { createCa, enroll } from '../../server/src/adapters/identity/local-ca';
import type { Agency, AnchorVerdict, LicenseAnchor } from '../../core/anchor';
import { EventLog, anchorFor, publicJwk, sha256, type LedgerFixture } from '../support/ledger-fixture';
import { refusedWith } from '../support/refusal';
import { defined, ifStarted } from '../support/defined';

export function describeLedgerContract(name: string, createFixture: () => Promise<LedgerFixture>, timeoutMs = 30000): void {
  describe(`ledger contract: ${name}`, function () {
    this.timeout(timeoutMs);
    let net: LedgerFixture;
    let events: EventLog;
    // Names this run creates, unique so the suite can run again on a long-lived network.
    const run = randomBytes(4).toString('hex');
    const newAgency = `zj-nr-${run}`;
    const newType = `dl-${run}`;

    const submit = async <T>(identity: string, fn: string, ...args: string[]): Promise<T> =>
      JSON.parse((await net.ledger.submit(identity, fn, args)).payload.toString('utf8')) as T;
    const evaluate = async <T>(identity: string, fn: string, ...args: string[]): Promise<T> =>
      JSON.parse((await net.ledger.evaluate(identity, fn, args)).toString('utf8')) as T;
    const issue = (identity: string, anchor: object) => submit<LicenseAnchor>(identity, 'license:IssueLicense', JSON.stringify(anchor));

    /** A refused transaction must leave no block behind. */
    async function refusedWithoutChange(work: () => Promise<unknown>, code: Parameters<typeof refusedWith>[1]) {
      const height = await net.height();
      const error = await refusedWith(work(), code);
      expect(await net.height(), 'a refused transaction wrote a block').to.equal(height);
      return error;
    }

    before(async () => {
      net = await createFixture();
      events = new EventLog(net.ledger);
    });
    after(async () => {
      await ifStarted(events, (started) => started.stop());
      await ifStarted(net, (started) => started.close());
    });

    describe('trust registry', () => {
      it('binds each MSP to its one province and lists them', async () => {
        const provinces = await evaluate<Array<{ code: string; mspId: string }>>(net.ids.zjClerk, 'trust:ListProvinces');
        expect(provinces.map((p) => [p.code, p.mspId])).to.deep.include.members([
          ['330000', 'ZhejiangMSP'],
          ['510000', 'SichuanMSP'],
        ]);
      });

      it('refuses to rebind a province or an MSP, and refuses non-admins and bad codes', async () => {
        await refusedWithoutChange(() => net.ledger.submit(net.ids.scAdmin, 'trust:RegisterProvince', ['330000']), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterProvince', ['320000']), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjClerk, 'trust:RegisterProvince', ['330000']), 'FORBIDDEN');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterProvince', ['330100']), 'INVALID_ARGUMENT');
      });

      it('registers an agency with its key, resolvable by kid from any province', async () => {
        const agency = await submit<Agency>(
          net.ids.zjAdmin,
          'trust:RegisterAgency',
          JSON.stringify({ id: newAgency, name: '浙江省自然资源厅', province: '330000', licenseTypes: ['property-certificate'], jwk: publicJwk() }),
        );
        expect(agency).to.include({ id: newAgency, province: '330000', mspId: 'ZhejiangMSP', status: 'active' });
        expect(agency.keys).to.have.length(1);
        const resolved = await evaluate<{ kid: string; agency: { id: string } }>(net.ids.scNr, 'trust:ResolveKey', defined(agency.keys[0]).kid);
        expect(resolved.agency.id).to.equal(newAgency);
        expect(resolved.kid).to.equal(agency.keys[0]?.kid);
      });

      it('refuses an agency for another province, by a non-admin, twice, with an unknown type or a private key', async () => {
        const body = (over: object) =>
          JSON.stringify({ id: `zj-tax-${run}`, name: '浙江省税务局', province: '330000', licenseTypes: ['business-license'], jwk: publicJwk(), ...over });
        await refusedWithoutChange(() => net.ledger.submit(net.ids.scAdmin, 'trust:RegisterAgency', [body({})]), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'trust:RegisterAgency', [body({})]), 'FORBIDDEN');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterAgency', [body({ id: 'zj-psb' })]), 'AGENCY_EXISTS');
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterAgency', [body({ licenseTypes: ['fishing-permit'] })]),
          'UNKNOWN_LICENSE_TYPE',
        );
        const privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterAgency', [body({ jwk: privateJwk })]), 'INVALID_ARGUMENT');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterAgency', [body({ id: '../x' })]), 'INVALID_ARGUMENT');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterAgency', ['{not json']), 'INVALID_ARGUMENT');
      });

      it("lets no province touch another's agencies", async () => {
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.scAdmin, 'trust:UpdateAgency', ['zj-psb', JSON.stringify({ status: 'suspended' })]),
          'WRONG_PROVINCE',
        );
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.scAdmin, 'trust:RotateAgencyKey', ['zj-psb', JSON.stringify(publicJwk())]),
          'WRONG_PROVINCE',
        );
      });

      it('rotates a key: the old one stays resolvable, marked retired with the time', async () => {
        const before = await evaluate<Agency>(net.ids.zjClerk, 'trust:GetAgency', newAgency);
        const after = await submit<Agency>(net.ids.zjAdmin, 'trust:RotateAgencyKey', newAgency, JSON.stringify(publicJwk()));
        expect(after.keys).to.have.length(2);
        const old = defined(after.keys[0]);
        const fresh = defined(after.keys[1]);
        expect(old.kid).to.equal(before.keys[0]?.kid);
        expect(old.status).to.equal('retired');
        expect(old.retiredAt).to.be.a('string');
        expect(fresh.status).to.equal('active');
        const resolved = await evaluate<{ status: string; retiredAt: string }>(net.ids.scAdmin, 'trust:ResolveKey', old.kid);
        expect(resolved).to.include({ status: 'retired', retiredAt: old.retiredAt });
        await refusedWith(net.ledger.evaluate(net.ids.zjClerk, 'trust:ResolveKey', ['A'.repeat(43)]), 'KEY_NOT_FOUND');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAdmin, 'trust:RotateAgencyKey', [newAgency, JSON.stringify(fresh.jwk)]), 'KEY_EXISTS');
      });

      it('registers a new license type as data, which an agency may then be allowed', async () => {
        await submit(net.ids.scAdmin, 'trust:RegisterLicenseType', JSON.stringify({ id: newType, names: { zh: '机动车驾驶证', en: 'Driving License' } }));
        const types = await evaluate<Array<{ id: string }>>(net.ids.zjClerk, 'trust:ListLicenseTypes');
        expect(types.map((t) => t.id)).to.include.members(['id-card', 'business-license', 'property-certificate', newType]);
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.scAdmin, 'trust:RegisterLicenseType', [JSON.stringify({ id: newType, names: { zh: 'x', en: 'x' } })]),
          'ALREADY_EXISTS',
        );
        const updated = await submit<Agency>(
          net.ids.scAdmin,
          'trust:UpdateAgency',
          'sc-nr',
          JSON.stringify({ licenseTypes: ['property-certificate', newType] }),
        );
        expect(updated.licenseTypes).to.deep.equal(['property-certificate', newType]);
        await submit<Agency>(net.ids.scAdmin, 'trust:UpdateAgency', 'sc-nr', JSON.stringify({ licenseTypes: ['property-certificate'] }));
      });
    });

    describe('issuing', () => {
      it('anchors a license: hashes, issuer, status, validity, version and tx id', async () => {
        const input = anchorFor('zj-psb', 'id-card');
        const result = await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(input)]);
        const anchor = JSON.parse(result.payload.toString('utf8')) as LicenseAnchor;
        expect(anchor).to.deep.include({
          id: input.id,
          type: 'id-card',
          docHash: input.docHash,
          holderRef: input.holderRef,
          status: 'active',
          version: 1,
          validFrom: '2024-01-01',
          validUntil: '2034-01-01',
          supersedes: null,
          createdTxId: result.txId,
        });
        expect(anchor.issuer).to.deep.equal({ agencyId: 'zj-psb', mspId: 'ZhejiangMSP', province: '330000' });
        const event = await events.forTx(result.txId);
        expect(event.name).to.equal('LicenseIssued');
        expect(JSON.parse(event.payload.toString('utf8'))).to.deep.equal({ licenses: [{ id: input.id, status: 'active', version: 1 }] });
        expect(event.blockNumber).to.equal(result.blockNumber);
      });

      it('refuses the wrong MSP, a missing role, another agency, a type not allowed, and a duplicate', async () => {
        await refusedWithoutChange(() => issue(net.ids.scPretendsZjPsb, anchorFor('zj-psb', 'id-card')), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => issue(net.ids.zjAdmin, anchorFor('zj-psb', 'id-card')), 'NOT_AGENCY_ISSUER');
        await refusedWithoutChange(() => issue(net.ids.zjClerk, anchorFor('zj-psb', 'id-card')), 'NOT_AGENCY_ISSUER');
        await refusedWithoutChange(() => issue(net.ids.zjAmr, anchorFor('zj-psb', 'id-card')), 'NOT_AGENCY_ISSUER');
        await refusedWithoutChange(() => issue(net.ids.zjPsb, anchorFor('zj-psb', 'business-license')), 'TYPE_NOT_ALLOWED');
        await refusedWithoutChange(() => issue(net.ids.zjPsb, anchorFor('zj-psb', 'no-such-type')), 'UNKNOWN_LICENSE_TYPE');
        await refusedWithoutChange(() => issue(net.ids.zjPsb, anchorFor('no-such-agency', 'id-card')), 'AGENCY_NOT_FOUND');
        const first = anchorFor('zj-psb', 'id-card');
        await issue(net.ids.zjPsb, first);
        await refusedWithoutChange(() => issue(net.ids.zjPsb, { ...anchorFor('zj-psb', 'id-card'), id: first.id }), 'LICENSE_EXISTS');
      });

      it('validates its own input: id, hashes, dates, sizes', async () => {
        const bad = [
          { id: 'x' },
          { id: 'L'.repeat(65) },
          { docHash: 'abc' },
          { docHash: 'G'.repeat(64) },
          { holderRef: sha256('x').toUpperCase() },
          { validFrom: '2024-02-30' },
          { validUntil: '2023-12-31' },
          { validFrom: 20240101 },
        ];
        for (const override of bad) {
          await refusedWithoutChange(() => issue(net.ids.zjPsb, { ...anchorFor('zj-psb', 'id-card'), ...override }), 'INVALID_ARGUMENT');
        }
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', ['x'.repeat(600 * 1024)]), 'INVALID_ARGUMENT');
      });

      it('anchors a batch in one transaction, all or nothing', async () => {
        const batch = [anchorFor('zj-psb', 'id-card'), anchorFor('zj-psb', 'id-card'), anchorFor('zj-psb', 'id-card')];
        const result = await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(batch)]);
        const anchors = JSON.parse(result.payload.toString('utf8')) as LicenseAnchor[];
        expect(anchors.map((a) => a.id)).to.deep.equal(batch.map((a) => a.id));
        expect(anchors.every((a) => a.createdTxId === result.txId)).to.equal(true);

        const poisoned = [anchorFor('zj-psb', 'id-card'), anchorFor('zj-psb', 'business-license')];
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(poisoned)]), 'TYPE_NOT_ALLOWED');
        await refusedWith(net.ledger.evaluate(net.ids.zjClerk, 'license:ReadLicense', [defined(poisoned[0]).id]), 'LICENSE_NOT_FOUND');
        const twice = anchorFor('zj-psb', 'id-card');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify([twice, twice])]), 'INVALID_ARGUMENT');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', ['[]']), 'INVALID_ARGUMENT');
        const tooMany = Array.from({ length: 501 }, () => anchorFor('zj-psb', 'id-card'));
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(tooMany)]), 'INVALID_ARGUMENT');
      });

      it('refuses issuance by a suspended agency', async () => {
        await submit(net.ids.zjAdmin, 'trust:UpdateAgency', 'zj-amr', JSON.stringify({ status: 'suspended' }));
        await refusedWithoutChange(() => issue(net.ids.zjAmr, anchorFor('zj-amr', 'business-license')), 'AGENCY_INACTIVE');
        await submit(net.ids.zjAdmin, 'trust:UpdateAgency', 'zj-amr', JSON.stringify({ status: 'active' }));
        await issue(net.ids.zjAmr, anchorFor('zj-amr', 'business-license'));
      });
    });

    describe('lifecycle', () => {
      it('suspends, reinstates and revokes, each with a reason code and an event', async () => {
        const input = anchorFor('zj-psb', 'id-card');
        await issue(net.ids.zjPsb, input);
        const suspended = await submit<LicenseAnchor>(net.ids.zjPsb, 'license:SuspendLicense', input.id, 'investigation');
        expect(suspended).to.include({ status: 'suspended', reason: 'investigation', version: 2 });
        const reinstated = await submit<LicenseAnchor>(net.ids.zjPsb, 'license:ReinstateLicense', input.id, 'investigation-cleared');
        expect(reinstated).to.include({ status: 'active', version: 3 });
        const result = await net.ledger.submit(net.ids.zjPsb, 'license:RevokeLicense', [input.id, 'fraud']);
        expect(JSON.parse(result.payload.toString('utf8'))).to.include({ status: 'revoked', reason: 'fraud', version: 4 });
        expect((await events.forTx(result.txId)).name).to.equal('LicenseRevoked');
      });

      it('keeps revoked terminal', async () => {
        const input = anchorFor('zj-psb', 'id-card');
        await issue(net.ids.zjPsb, input);
        await submit(net.ids.zjPsb, 'license:RevokeLicense', input.id, 'lost');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:ReinstateLicense', [input.id, 'other']), 'LICENSE_REVOKED');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:SuspendLicense', [input.id, 'other']), 'LICENSE_REVOKED');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:RevokeLicense', [input.id, 'other']), 'LICENSE_REVOKED');
        const successor = anchorFor('zj-psb', 'id-card');
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjPsb, 'license:RenewLicense', [input.id, JSON.stringify(successor), 'renewal']),
          'LICENSE_REVOKED',
        );
      });

      it('refuses transitions from the wrong state, unknown reasons and unknown licenses', async () => {
        const input = anchorFor('zj-psb', 'id-card');
        await issue(net.ids.zjPsb, input);
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:ReinstateLicense', [input.id, 'other']), 'LICENSE_NOT_SUSPENDED');
        await submit(net.ids.zjPsb, 'license:SuspendLicense', input.id, 'lost');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:SuspendLicense', [input.id, 'lost']), 'LICENSE_NOT_ACTIVE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:RevokeLicense', [input.id, 'because I said so']), 'INVALID_ARGUMENT');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:SuspendLicense', ['LNOSUCHLICENSE', 'lost']), 'LICENSE_NOT_FOUND');
      });

      it('lets only the issuing agency change its licenses: not another agency, not another province', async () => {
        const input = anchorFor('zj-psb', 'id-card');
        await issue(net.ids.zjPsb, input);
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAmr, 'license:SuspendLicense', [input.id, 'lost']), 'NOT_AGENCY_ISSUER');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.scNr, 'license:RevokeLicense', [input.id, 'fraud']), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.scPretendsZjPsb, 'license:RevokeLicense', [input.id, 'fraud']), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.scAdmin, 'license:SuspendLicense', [input.id, 'lost']), 'WRONG_PROVINCE');
        const anchor = await evaluate<LicenseAnchor>(net.ids.scNr, 'license:ReadLicense', input.id);
        expect(anchor).to.include({ status: 'active', version: 1 });
      });

      it('renews: each successor supersedes its predecessor, forming a chain', async () => {
        const a = anchorFor('zj-psb', 'id-card');
        const b = anchorFor('zj-psb', 'id-card');
        const c = anchorFor('zj-psb', 'id-card');
        await issue(net.ids.zjPsb, a);
        const first = await submit<{ old: LicenseAnchor; successor: LicenseAnchor }>(net.ids.zjPsb, 'license:RenewLicense', a.id, JSON.stringify(b), 'renewal');
        expect(first.old).to.include({ id: a.id, status: 'superseded', supersededBy: b.id });
        expect(first.successor).to.include({ id: b.id, status: 'active', supersedes: a.id });
        await submit(net.ids.zjPsb, 'license:RenewLicense', b.id, JSON.stringify(c), 'replacement');
        const read = (x: { id: string }) => evaluate<LicenseAnchor>(net.ids.zjClerk, 'license:ReadLicense', x.id);
        const [ra, rb, rc] = await Promise.all([read(a), read(b), read(c)]);
        expect([ra.supersededBy, rb.supersedes, rb.supersededBy, rc.supersedes]).to.deep.equal([b.id, a.id, c.id, b.id]);
        expect([ra.status, rb.status, rc.status]).to.deep.equal(['superseded', 'superseded', 'active']);
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjPsb, 'license:RenewLicense', [a.id, JSON.stringify(anchorFor('zj-psb', 'id-card')), 'renewal']),
          'LICENSE_SUPERSEDED',
        );
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjPsb, 'license:RenewLicense', [c.id, JSON.stringify(anchorFor('zj-amr', 'business-license')), 'renewal']),
          'INVALID_ARGUMENT',
        );
      });
    });

    describe('reading', () => {
      it('verifies a license id with its docHash as data: match, mismatch, unknown, expired', async () => {
        const live = anchorFor('zj-psb', 'id-card');
        const old = anchorFor('zj-psb', 'id-card', { validFrom: '2010-01-01', validUntil: '2020-01-01' });
        await issue(net.ids.zjPsb, live);
        await issue(net.ids.zjPsb, old);
        const verify = (id: string, hash: string) => evaluate<AnchorVerdict>(net.ids.scNr, 'license:VerifyLicense', id, hash);
        const match = await verify(live.id, live.docHash);
        expect(match).to.include({ found: true, docHashMatches: true, status: 'active' });
        expect(match.anchor?.issuer.province).to.equal('330000');
        expect(await verify(live.id, sha256('forged'))).to.include({ found: true, docHashMatches: false });
        expect(await verify('LUNKNOWN0001', live.docHash)).to.include({ found: false, docHashMatches: false, status: null });
        expect(await verify(old.id, old.docHash)).to.include({ found: true, status: 'expired' });
        await refusedWith(net.ledger.evaluate(net.ids.scNr, 'license:VerifyLicense', [live.id, 'nothex']), 'INVALID_ARGUMENT');
      });

      it('returns the history of every change, oldest first, with tx ids and times', async () => {
        const input = anchorFor('zj-psb', 'id-card');
        const issued = await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(input)]);
        const suspended = await net.ledger.submit(net.ids.zjPsb, 'license:SuspendLicense', [input.id, 'lost']);
        const revoked = await net.ledger.submit(net.ids.zjPsb, 'license:RevokeLicense', [input.id, 'lost']);
        const history = await evaluate<Array<{ txId: string; timestamp: string; anchor: LicenseAnchor }>>(net.ids.scNr, 'license:GetLicenseHistory', input.id);
        expect(history.map((h) => h.txId)).to.deep.equal([issued.txId, suspended.txId, revoked.txId]);
        expect(history.map((h) => h.anchor.status)).to.deep.equal(['active', 'suspended', 'revoked']);
        expect(Date.parse(defined(history[0]).timestamp)).to.be.at.most(Date.parse(defined(history[2]).timestamp));
        await refusedWith(net.ledger.evaluate(net.ids.scNr, 'license:GetLicenseHistory', ['LNEVERISSUED']), 'LICENSE_NOT_FOUND');
      });

      it('queries by issuer, type and holderRef a page at a time', async () => {
        const holderRef = sha256(`holder-query-${Date.now()}`);
        const mine = [
          anchorFor('sc-nr', 'property-certificate', { holderRef }),
          anchorFor('sc-nr', 'property-certificate', { holderRef }),
          anchorFor('sc-nr', 'property-certificate', { holderRef }),
        ];
        await net.ledger.submit(net.ids.scNr, 'license:IssueLicenses', [JSON.stringify(mine)]);
        const page1 = await evaluate<{ licenses: LicenseAnchor[]; bookmark: string }>(
          net.ids.zjClerk,
          'license:QueryLicenses',
          JSON.stringify({ by: 'holder', value: holderRef, pageSize: 2 }),
        );
        expect(page1.licenses).to.have.length(2);
        expect(page1.bookmark).to.not.equal('');
        const page2 = await evaluate<{ licenses: LicenseAnchor[]; bookmark: string }>(
          net.ids.zjClerk,
          'license:QueryLicenses',
          JSON.stringify({ by: 'holder', value: holderRef, pageSize: 2, bookmark: page1.bookmark }),
        );
        expect(page2.licenses).to.have.length(1);
        expect(page2.bookmark).to.equal('');
        expect([...page1.licenses, ...page2.licenses].map((l) => l.id).sort()).to.deep.equal(mine.map((m) => m.id).sort());
        const all = async (by: string, value: string): Promise<LicenseAnchor[]> => {
          const found: LicenseAnchor[] = [];
          let bookmark = '';
          do {
            const page = await evaluate<{ licenses: LicenseAnchor[]; bookmark: string }>(
              net.ids.zjClerk,
              'license:QueryLicenses',
              JSON.stringify({ by, value, pageSize: 500, bookmark }),
            );
            found.push(...page.licenses);
            bookmark = page.bookmark;
          } while (bookmark !== '');
          return found;
        };
        const byIssuer = await all('issuer', 'sc-nr');
        expect(byIssuer.every((l) => l.issuer.agencyId === 'sc-nr')).to.equal(true);
        expect(byIssuer.map((l) => l.id)).to.include.members(mine.map((m) => m.id));
        const byType = await all('type', 'property-certificate');
        expect(byType.every((l) => l.type === 'property-certificate')).to.equal(true);
        expect(byType.map((l) => l.id)).to.include.members(mine.map((m) => m.id));
        await refusedWith(net.ledger.evaluate(net.ids.zjClerk, 'license:QueryLicenses', [JSON.stringify({ by: 'name', value: 'x' })]), 'INVALID_ARGUMENT');
      });
    });

    describe('status lists', () => {
      // A list of its own per run, so the suite runs again on a long-lived network.
      const listId = String(randomInt(1000, 999999));
      const at = (idx: number) => ({ listId, idx });
      interface View {
        agencyId: string;
        listId: string;
        idx: number;
        licenseId: string;
        invalidated: boolean;
        licenseStatus: string;
      }
      const entriesOf = (licenseId: string) => evaluate<View[]>(net.ids.zjClerk, 'status:GetStatusEntries', licenseId);

      it('registers a status entry with the anchor, in one transaction and one event', async () => {
        const input = anchorFor('zj-psb', 'id-card', { statusEntry: at(7) });
        const result = await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicense', [JSON.stringify(input)]);
        const event = JSON.parse((await events.forTx(result.txId)).payload.toString('utf8')) as { statusEntries: View[] };
        expect(event.statusEntries).to.have.length(1);
        expect(event.statusEntries[0]).to.deep.include({
          agencyId: 'zj-psb',
          listId,
          idx: 7,
          licenseId: input.id,
          invalidated: false,
          licenseStatus: 'active',
        });
        expect(await entriesOf(input.id)).to.have.length(1);
        const batch = [
          anchorFor('zj-psb', 'id-card', { statusEntry: at(8) }),
          anchorFor('zj-psb', 'id-card', { statusEntry: at(9) }),
          anchorFor('zj-psb', 'id-card'),
        ];
        await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(batch)]);
        expect((await entriesOf(defined(batch[1]).id)).map((entry) => entry.idx)).to.deep.equal([9]);
        expect(await entriesOf(defined(batch[2]).id)).to.deep.equal([]);
      });

      it('refuses a taken index with STATUS_INDEX_TAKEN, in a batch too, and a malformed entry', async () => {
        await issue(net.ids.zjPsb, anchorFor('zj-psb', 'id-card', { statusEntry: at(100) }));
        await refusedWithoutChange(() => issue(net.ids.zjPsb, anchorFor('zj-psb', 'id-card', { statusEntry: at(100) })), 'STATUS_INDEX_TAKEN');
        const twice = [anchorFor('zj-psb', 'id-card', { statusEntry: at(101) }), anchorFor('zj-psb', 'id-card', { statusEntry: at(101) })];
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(twice)]), 'STATUS_INDEX_TAKEN');
        // The same index in another agency's list is another entry.
        await issue(net.ids.zjAmr, anchorFor('zj-amr', 'business-license', { statusEntry: at(100) }));
        for (const statusEntry of [
          { listId, idx: 2 ** 17 },
          { listId, idx: -1 },
          { listId, idx: 1.5 },
          { listId: '0', idx: 1 },
          { listId: 'a', idx: 1 },
        ]) {
          await refusedWithoutChange(() => issue(net.ids.zjPsb, { ...anchorFor('zj-psb', 'id-card'), statusEntry }), 'INVALID_ARGUMENT');
        }
      });

      it('registers a further entry for a standing license, by its own agency only', async () => {
        const input = anchorFor('zj-psb', 'id-card', { statusEntry: at(200) });
        await issue(net.ids.zjPsb, input);
        const entry = (idx: number, over: object = {}) => JSON.stringify({ agencyId: 'zj-psb', listId, idx, licenseId: input.id, ...over });
        const view = await submit<View>(net.ids.zjPsb, 'status:RegisterStatusEntry', entry(201));
        expect(view).to.deep.include({ idx: 201, licenseId: input.id, invalidated: false, licenseStatus: 'active' });
        expect((await entriesOf(input.id)).map((e) => e.idx).sort()).to.deep.equal([200, 201]);
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'status:RegisterStatusEntry', [entry(201)]), 'STATUS_INDEX_TAKEN');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAmr, 'status:RegisterStatusEntry', [entry(202)]), 'NOT_AGENCY_ISSUER');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.scNr, 'status:RegisterStatusEntry', [entry(202)]), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAmr, 'status:RegisterStatusEntry', [entry(202, { agencyId: 'zj-amr' })]), 'FORBIDDEN');
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjPsb, 'status:RegisterStatusEntry', [entry(202, { licenseId: 'LNOSUCHLICENSE' })]),
          'LICENSE_NOT_FOUND',
        );
        await submit(net.ids.zjPsb, 'license:RevokeLicense', input.id, 'fraud');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'status:RegisterStatusEntry', [entry(202)]), 'LICENSE_REVOKED');
      });

      it('invalidates one entry while the license stands; lists entries with their license status', async () => {
        const input = anchorFor('zj-psb', 'id-card', { statusEntry: at(300) });
        await issue(net.ids.zjPsb, input);
        await submit(net.ids.zjPsb, 'status:RegisterStatusEntry', JSON.stringify({ agencyId: 'zj-psb', listId, idx: 301, licenseId: input.id }));
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjAmr, 'status:InvalidateStatusEntry', ['zj-psb', listId, '301']), 'NOT_AGENCY_ISSUER');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjPsb, 'status:InvalidateStatusEntry', ['zj-psb', listId, '302']), 'STATUS_ENTRY_NOT_FOUND');
        const result = await net.ledger.submit(net.ids.zjPsb, 'status:InvalidateStatusEntry', ['zj-psb', listId, '301']);
        expect(JSON.parse(result.payload.toString('utf8'))).to.deep.include({ idx: 301, invalidated: true, licenseStatus: 'active' });
        expect((await events.forTx(result.txId)).name).to.equal('StatusEntryInvalidated');
        await submit(net.ids.zjPsb, 'license:SuspendLicense', input.id, 'lost');
        const page = await evaluate<{ entries: View[] }>(net.ids.scNr, 'status:ListStatusEntries', JSON.stringify({ agencyId: 'zj-psb', listId }));
        const mine = page.entries.filter((e) => e.licenseId === input.id).map((e) => [e.idx, e.invalidated, e.licenseStatus]);
        expect(mine).to.deep.equal([
          [300, false, 'suspended'],
          [301, true, 'suspended'],
        ]);
        const one = await evaluate<View>(net.ids.scNr, 'status:GetStatusEntry', 'zj-psb', listId, '300');
        expect(one).to.deep.include({ licenseId: input.id, licenseStatus: 'suspended' });
        await refusedWith(net.ledger.evaluate(net.ids.scNr, 'status:GetStatusEntry', ['zj-psb', listId, '302']), 'STATUS_ENTRY_NOT_FOUND');
        // An agency with no entries at all has an empty list (a peer then sends no page metadata).
        const none = await evaluate<{ entries: View[]; bookmark: string }>(net.ids.scNr, 'status:ListStatusEntries', JSON.stringify({ agencyId: newAgency }));
        expect(none).to.deep.include({ entries: [], bookmark: '' });
      });

      it("registers a province's status-list key by its own admin only; a new key retires the old", async () => {
        const first = publicJwk();
        const key = await submit<{ kid: string; status: string; purpose: string }>(
          net.ids.zjAdmin,
          'trust:RegisterProvinceKey',
          '330000',
          JSON.stringify(first),
          'status-list',
        );
        expect(key).to.include({ status: 'active', purpose: 'status-list' });
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.scAdmin, 'trust:RegisterProvinceKey', ['330000', JSON.stringify(publicJwk()), 'status-list']),
          'WRONG_PROVINCE',
        );
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjClerk, 'trust:RegisterProvinceKey', ['330000', JSON.stringify(publicJwk()), 'status-list']),
          'FORBIDDEN',
        );
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterProvinceKey', ['330000', JSON.stringify(publicJwk()), 'signing']),
          'INVALID_ARGUMENT',
        );
        await refusedWithoutChange(
          () => net.ledger.submit(net.ids.zjAdmin, 'trust:RegisterProvinceKey', ['330000', JSON.stringify(first), 'status-list']),
          'KEY_EXISTS',
        );
        const second = await submit<{ kid: string }>(net.ids.zjAdmin, 'trust:RegisterProvinceKey', '330000', JSON.stringify(publicJwk()), 'status-list');
        const keys = await evaluate<Array<{ kid: string; status: string; retiredAt: string | null }>>(net.ids.scNr, 'trust:ListProvinceKeys', '330000');
        expect(keys.find((k) => k.kid === key.kid)).to.include({ status: 'retired' });
        expect(keys.find((k) => k.kid === second.kid)).to.include({ status: 'active', retiredAt: null });
        expect(keys.filter((k) => k.status === 'active')).to.have.length(1);
      });
    });

    describe('identities', () => {
      it('refuses an identity whose CA is not a channel member', async () => {
        const rogue = createCa({ organization: 'Zhejiang', commonName: 'ca.zhejiangmsp' });
        const cert = enroll(rogue, { enrollmentId: 'zj-psb-issuer', attributes: { role: 'issuer', agency: 'zj-psb' } });
        await net.putIdentity('rogue@ZhejiangMSP', { mspId: 'ZhejiangMSP', ...cert });
        await refusedWithoutChange(() => issue('rogue@ZhejiangMSP', anchorFor('zj-psb', 'id-card')), 'UNAUTHENTICATED');
        await net.putIdentity('stranger@NowhereMSP', { mspId: 'NowhereMSP', ...cert });
        await refusedWithoutChange(() => issue('stranger@NowhereMSP', anchorFor('zj-psb', 'id-card')), 'UNAUTHENTICATED');
        await refusedWith(net.ledger.evaluate('nobody@ZhejiangMSP', 'license:ReadLicense', ['LX123']), 'UNAUTHENTICATED');
      });
    });

    describe('MVCC', () => {
      it('commits exactly one of two concurrent conflicting updates', async () => {
        const input = anchorFor('zj-psb', 'id-card');
        await issue(net.ids.zjPsb, input);
        const outcomes = await Promise.allSettled([
          net.ledger.submit(net.ids.zjPsb, 'license:SuspendLicense', [input.id, 'lost']),
          net.ledger.submit(net.ids.zjPsb, 'license:RevokeLicense', [input.id, 'fraud']),
        ]);
        const committed = outcomes.filter((o) => o.status === 'fulfilled');
        const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(committed).to.have.length(1);
        expect(rejected).to.have.length(1);
        expect(defined(rejected[0]).reason.code).to.equal('MVCC_CONFLICT');
        const loser = defined(rejected[0]).reason.details.txId as string;
        expect(await net.ledger.transactionStatus(net.ids.zjPsb, loser)).to.include({ valid: false, code: 'MVCC_READ_CONFLICT' });
        const anchor = await evaluate<LicenseAnchor>(net.ids.zjClerk, 'license:ReadLicense', input.id);
        expect(anchor.version).to.equal(2);
      });

      it('lets only one of two concurrent issues of the same id in', async () => {
        const id = anchorFor('zj-psb', 'id-card').id;
        const outcomes = await Promise.allSettled([
          issue(net.ids.zjPsb, anchorFor('zj-psb', 'id-card', { id })),
          issue(net.ids.zjPsb, anchorFor('zj-psb', 'id-card', { id })),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
        const history = await evaluate<unknown[]>(net.ids.zjClerk, 'license:GetLicenseHistory', id);
        expect(history).to.have.length(1);
      });

      it('commits concurrent updates of different licenses together', async () => {
        const inputs = Array.from({ length: 20 }, () => anchorFor('zj-psb', 'id-card'));
        await net.ledger.submit(net.ids.zjPsb, 'license:IssueLicenses', [JSON.stringify(inputs)]);
        const results = await Promise.all(inputs.map((input) => net.ledger.submit(net.ids.zjPsb, 'license:SuspendLicense', [input.id, 'lost'])));
        expect(new Set(results.map((r) => r.txId)).size).to.equal(20);
        expect(new Set(results.map((r) => r.blockNumber)).size, 'concurrent submits should share blocks').to.be.lessThan(20);
      });
    });
    describe('receipt chain heads', () => {
      it('anchors a node head that only moves forward, only by its own province, and reads it back', async () => {
        const node = `330000-r${run}`;
        expect(await evaluate<unknown>(net.ids.zjClerk, 'receipts:GetHead', node)).to.equal(null);
        const first = await submit<{ seq: number; hash: string; mspId: string }>(net.ids.zjClerk, 'receipts:AnchorHead', node, '3', sha256('head-3'));
        expect(first).to.include({ seq: 3, hash: sha256('head-3'), mspId: 'ZhejiangMSP' });
        // The same head again is a no-op answer, not an error (a retried anchor).
        await submit(net.ids.zjClerk, 'receipts:AnchorHead', node, '3', sha256('head-3'));
        await submit(net.ids.zjClerk, 'receipts:AnchorHead', node, '7', sha256('head-7'));
        expect(await evaluate<{ seq: number; hash: string }>(net.ids.scAdmin, 'receipts:GetHead', node)).to.include({ seq: 7, hash: sha256('head-7') });
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjClerk, 'receipts:AnchorHead', [node, '5', sha256('older')]), 'INVALID_TRANSITION');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjClerk, 'receipts:AnchorHead', [node, '7', sha256('rewritten')]), 'INVALID_TRANSITION');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.scAdmin, 'receipts:AnchorHead', [node, '8', sha256('head-8')]), 'WRONG_PROVINCE');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjClerk, 'receipts:AnchorHead', ['zj-node', '8', sha256('x')]), 'INVALID_ARGUMENT');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjClerk, 'receipts:AnchorHead', [node, '0', sha256('x')]), 'INVALID_ARGUMENT');
        await refusedWithoutChange(() => net.ledger.submit(net.ids.zjClerk, 'receipts:AnchorHead', [node, '8', 'not-a-hash']), 'INVALID_ARGUMENT');
      });
    });
  });
}
