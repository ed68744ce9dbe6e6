/**
 * The mission's journey, "show license, get served" (亮证即办), end to end over HTTP on the embedded
 * ledger with the wallet module as the citizen's phone: a Zhejiang agency issues an ID card, the
 * citizen's wallet redeems the offer with the PIN, a Sichuan counter asks for the name, the wallet
 * shows the counter who is asking and presents the name only, and the counter's verdict is valid
 * with exactly the name. Zhejiang revokes; the next presentation at Sichuan is invalid within 5 s.
 */
import { expect } from 'chai';
import type { DcqlMatch, VerifierRequest } from '../../web/wallet/index';
import { citizenWithIdCard, type Citizen } from '../support/citizen-wallet';
import { ifStarted } from '../support/defined';
import { startTestServer, type TestServer } from '../support/registry-server';

interface Verdict {
  valid: boolean;
  verdict: string;
  binding: string | null;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  license: { id: string; claims: Record<string, unknown> } | null;
}

describe('the journey: a Zhejiang ID card in a wallet, shown at a Sichuan counter', function () {
  this.timeout(120000);
  let server: TestServer;
  let citizen: Citizen;

  before(async () => {
    server = await startTestServer();
    // Issue in Zhejiang; the agency hands over the offer QR and, separately, the PIN; the wallet redeems both.
    citizen = await citizenWithIdCard(server, server.agencyKey('zj-psb'));
  });
  after(() => ifStarted(server, (started) => started.remove()));

  /** The Sichuan counter asks for the name; the wallet answers once the holder approved; the counter reads the verdict. */
  const presentAtSichuan = async (approve: (request: VerifierRequest, match: DcqlMatch) => boolean = () => true) => {
    const counterKey = server.counterKey('510000');
    const created = await server.api('POST', '/api/v1/presentation-requests', { key: counterKey, body: { licenseType: 'id-card', claims: ['name'] } });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const outcome = await citizen.wallet.answerRequest(created.body.uri as string, { approve });
    const state = await server.api('GET', `/api/v1/presentation-requests/${created.body.id as string}`, { key: counterKey });
    return { created: created.body as { uri: string; qr: { png: string } }, outcome, state: state.body as { status: string; verdict: Verdict | null } };
  };

  it('the wallet holds the license it was offered, bound to its own key, labelled from the Type Metadata', async () => {
    expect(citizen.held.licenseId).to.equal(citizen.issued.licenseId);
    const [card] = await citizen.wallet.listCredentials('en');
    expect(card?.licenseId).to.equal(citizen.issued.licenseId);
    expect(card?.claims.find((claim) => claim.path.join('/') === 'name')).to.deep.include({ value: citizen.issued.name });
    const plan = await citizen.wallet.disclosurePlan(citizen.held.id, [['name']], 'en');
    expect(plan.disclosed.map((claim) => claim.path)).to.deep.equal([['name']]);
    expect(plan.withheld.map((claim) => claim.path.join('/'))).to.include('birthdate');
  });

  it('the Sichuan counter asks for the name, the holder sees who asks and what, and the verdict is valid with exactly the name', async () => {
    let shown: { request: VerifierRequest; match: DcqlMatch } | null = null;
    const { created, outcome, state } = await presentAtSichuan((request, match) => {
      shown = { request, match };
      return true;
    });
    expect(created.uri).to.match(/^openid4vp:\/\/\?client_id=decentralized_identifier%3Adid%3Ajwk%3A[^&]+&request_uri=/);
    expect(created.uri.length, 'the QR code stays small').to.be.below(400);
    expect(created.qr.png).to.match(/^data:image\/png;base64,/);
    expect(outcome).to.deep.include({ answered: true, status: 200 });
    const asked = shown as { request: VerifierRequest; match: DcqlMatch } | null;
    expect(asked?.request.verifier).to.deep.equal({ name: '成都市政务服务中心窗口', province: '510000', counterId: 'sc-chengdu-counter' });
    expect(asked?.match).to.deep.include({ credentialId: citizen.held.id, claims: [['name']] });

    expect(state.status).to.equal('presented');
    expect(state.verdict).to.include({ valid: true, verdict: 'valid', binding: 'cnf' });
    expect(state.verdict?.license?.id).to.equal(citizen.issued.licenseId);
    expect(state.verdict?.license?.claims).to.deep.equal({ name: citizen.issued.name });
    expect(state.verdict?.checks.map((check) => check.name)).to.include.members(['holder-binding', 'freshness', 'replay', 'data-minimisation', 'status-list']);

    // The holder's own log (kept by the wallet, not the state) says where the license was shown.
    const [logged] = await citizen.wallet.listPresentations();
    expect(logged).to.deep.include({ credentialId: citizen.held.id, licenseId: citizen.issued.licenseId, disclosed: [['name']] });
    expect(logged?.verifier).to.deep.equal({ name: '成都市政务服务中心窗口', province: '510000' });
  });

  it('the holder declines: nothing is sent and the request stays pending', async () => {
    const { outcome, state } = await presentAtSichuan(() => false);
    expect(outcome).to.deep.equal({ answered: false, reason: 'declined' });
    expect(state).to.deep.include({ status: 'pending', verdict: null });
  });

  it('revoked in Zhejiang, the next presentation at Sichuan is invalid within 5 s', async () => {
    const revoked = await server.api('POST', `/api/v1/licenses/${citizen.issued.licenseId}/revoke`, {
      key: server.agencyKey('zj-psb'),
      body: { reason: 'stolen' },
    });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    const started = Date.now();
    let verdict = (await presentAtSichuan()).state.verdict;
    while (verdict?.valid === true && Date.now() - started < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      verdict = (await presentAtSichuan()).state.verdict;
    }
    expect(Date.now() - started, 'still valid 5 s after the revocation').to.be.below(5000);
    expect(verdict).to.include({ valid: false });
    expect(verdict?.checks.filter((check) => !check.ok).map((check) => check.name)).to.include('status');
  });
});
