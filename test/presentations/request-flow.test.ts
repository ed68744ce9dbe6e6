/**
 * A counter's request (OpenID4VP 1.0, DCQL, direct_post), over HTTP against a real registry on the
 * embedded ledger, answered by the wallet module holding a Zhejiang ID card it redeemed: the
 * counter's page is pushed the verdict, a service names what it asks, bad requests are refused with
 * a code, and every attack is refused with the check it fails named. (The journey itself, and
 * revocation, are in journey.test.ts.)
 */
import { expect } from 'chai';
import { SignJWT, generateKeyPair } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { fetchRequestObject, matchDcqlQuery, submitDirectPost, type HolderKey, type VerifierRequest } from '../../web/wallet/index';
import { citizenWithIdCard, type Citizen } from '../support/citizen-wallet';
import { startTestServer, type TestServer } from '../support/registry-server';
import { ifStarted } from '../support/defined';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
interface Verdict {
  valid: boolean;
  verdict: string;
  reason?: string;
  binding: string | null;
  checks: Check[];
  license: { id: string; claims: Record<string, unknown> } | null;
}

interface FailedAttempt {
  at: string;
  reason: string;
  binding: string | null;
  checks: Check[];
}
interface RequestState {
  status: string;
  verdict: Verdict | null;
  claims: string[];
  failedAttempts: number;
  lastFailedAttempt: FailedAttempt | null;
}

const failed = (verdict: { checks: Check[] }) => verdict.checks.filter((check) => !check.ok).map((check) => check.name);
const codeOf = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

describe('presentations: the counter asks (OpenID4VP, DCQL, direct_post)', function () {
  this.timeout(120000);
  let server: TestServer;
  let zjPsb: string;
  let scCounter: string;
  let zjCounter: string;
  let citizen: Citizen;
  /** The wallet's key for the card: the attacks below sign with it (or pointedly not) by hand. */
  let holder: HolderKey;

  const ask = async (body: object, key = scCounter) => {
    const response = await server.api('POST', '/api/v1/presentation-requests', { key, body });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    return response.body as { id: string; uri: string; qr: { png: string; svg: string }; expiresAt: string };
  };
  const stateOf = async (id: string, key = scCounter) => {
    const response = await server.api('GET', `/api/v1/presentation-requests/${id}`, { key });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return response.body as RequestState;
  };
  const request = (uri: string) => fetchRequestObject(uri);
  const post = (req: VerifierRequest, vpToken: Record<string, string[]>, state = req.state) =>
    fetch(req.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ vp_token: JSON.stringify(vpToken), ...(state ? { state } : {}) }),
    });
  /** A KB-JWT built by hand, to get each field wrong on purpose. */
  const withKb = async (presented: string, payload: Record<string, unknown>, key: HolderKey['privateKey'] = holder.privateKey) =>
    presented + (await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' }).sign(key));
  const sdHash = (presented: string) => createHash('sha256').update(presented).digest('base64url');
  /** What a thief keeps of a presentation: the issuer-signed JWT and the name's disclosure, its KB-JWT cut off. */
  const nameOnly = async () => {
    const presentation = await citizen.wallet.createPresentation({
      credentialId: citizen.held.id,
      disclose: [['name']],
      nonce: 'seen-once',
      aud: 'https://elsewhere.example',
    });
    return presentation.slice(0, presentation.lastIndexOf('~') + 1);
  };
  const answer = (uri: string) => citizen.wallet.answerRequest(uri, { approve: () => true });
  const vpTokenFor = async (req: VerifierRequest) =>
    citizen.wallet.createVpToken(req, (await matchDcqlQuery(req.dcqlQuery, await citizen.wallet.heldCredentials())) ?? expect.fail('no match'));

  before(async () => {
    server = await startTestServer();
    zjPsb = server.agencyKey('zj-psb');
    scCounter = server.counterKey('510000');
    zjCounter = server.counterKey('330000');
    citizen = await citizenWithIdCard(server, zjPsb);
    holder = await citizen.wallet.holderKeyFor(citizen.held.id);
  });
  after(() => ifStarted(server, (started) => started.remove()));

  it('pushes the verdict to a waiting counter page (Server-Sent Events)', async () => {
    const created = await ask({ service: 'identity-check' });
    const stream = await fetch(`${server.url}/api/v1/presentation-requests/${created.id}/events`, { headers: { authorization: `Bearer ${scCounter}` } });
    expect(stream.headers.get('content-type')).to.match(/^text\/event-stream/);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const first = await reader.read();
    text += new TextDecoder().decode(first.value);
    expect(text).to.include('"status":"pending"');
    await answer(created.uri);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).to.include('"status":"presented"').and.to.include('"verdict":"valid"');
  });

  it('a counter service names what it asks; the hotel refuses the printed form, and the request waits for the wallet', async () => {
    const services = await server.api('GET', '/api/v1/counter/services', { key: scCounter });
    expect(services.body.services.map((service: { id: string }) => service.id)).to.include.members(['hotel-check-in', 'identity-check']);
    const verdict = (await server.api('POST', '/api/v1/verify', { key: scCounter, body: { credential: citizen.issued.printed } })).body as Verdict;
    expect(verdict).to.include({ valid: true, binding: 'none' });
    const created = await ask({ service: 'hotel-check-in' });
    const req = await request(created.uri);
    expect(req.dcqlQuery.credentials[0]?.claims?.map((claim) => claim.path.join('/'))).to.deep.equal(['name', 'age_equal_or_over/18']);
    // Whoever holds a printed copy (or a photo of it) can post it: refused to them, shown to the counter, the request stays open.
    const printed = await post(req, { license: [citizen.issued.printed] });
    expect(printed.status).to.equal(400);
    expect(await codeOf(printed)).to.equal('HOLDER_BINDING_FAILED');
    const state = await stateOf(created.id);
    expect(state).to.deep.include({ status: 'pending', verdict: null, failedAttempts: 1 });
    expect(state.lastFailedAttempt).to.include({ reason: 'holder-binding', binding: 'none' });
    expect(failed(state.lastFailedAttempt as FailedAttempt)).to.include('holder-binding');
    expect(JSON.stringify(state.lastFailedAttempt)).to.not.include(citizen.issued.name);
    expect(await answer(created.uri)).to.include({ status: 200 });
    const answered = await stateOf(created.id);
    expect(answered.status).to.equal('presented');
    expect(answered.verdict).to.include({ valid: true, binding: 'cnf' });
  });

  it('the wallet answers the hotel: name and age 18 or over, nothing else', async () => {
    const created = await ask({ service: 'hotel-check-in' });
    expect(await answer(created.uri)).to.include({ status: 200 });
    const state = await stateOf(created.id);
    expect(state.verdict, JSON.stringify(state.verdict)).to.include({ valid: true });
    expect(Object.keys(state.verdict?.license?.claims ?? {}).sort()).to.deep.equal(['age_equal_or_over', 'name']);
    expect(Object.keys(state.verdict?.license?.claims.age_equal_or_over as object)).to.deep.equal(['18']);
  });

  it('refuses bad requests with a code: unknown claim, unknown service, no counter key', async () => {
    const unknownClaim = await server.api('POST', '/api/v1/presentation-requests', { key: scCounter, body: { licenseType: 'id-card', claims: ['idNumber'] } });
    expect(unknownClaim.status).to.equal(400);
    const unknownService = await server.api('POST', '/api/v1/presentation-requests', { key: scCounter, body: { service: 'casino' } });
    expect(unknownService.status).to.equal(400);
    expect(unknownService.body.error.field).to.equal('service');
    const agency = await server.api('POST', '/api/v1/presentation-requests', { key: zjPsb, body: { service: 'identity-check' } });
    expect(agency.status).to.equal(403);
    const anonymous = await server.api('POST', '/api/v1/presentation-requests', { body: { service: 'identity-check' } });
    expect(anonymous.status).to.equal(401);
    const created = await ask({ service: 'identity-check' });
    expect((await server.api('GET', `/api/v1/presentation-requests/${created.id}`, { key: zjCounter })).status).to.equal(403);
  });

  describe('attacks, each refused with its named check', () => {
    it('the same vp_token twice: 409 and nothing changes', async () => {
      const created = await ask({ licenseType: 'id-card', claims: ['name'] });
      const req = await request(created.uri);
      const token = await vpTokenFor(req);
      expect(await submitDirectPost(req, token)).to.equal(200);
      const before = await stateOf(created.id);
      const again = await post(req, token);
      expect(again.status).to.equal(409);
      expect(await codeOf(again)).to.equal('REQUEST_ANSWERED');
      expect(await stateOf(created.id)).to.deep.equal(before);
      expect(before.verdict?.valid).to.equal(true);

      // The same vp_token to another counter (Zhejiang) is refused: not its nonce or aud, and already used.
      // It does not use up Zhejiang's request: that counter sees the attempt and still takes the citizen's answer.
      const other = await ask({ licenseType: 'id-card', claims: ['name'] }, zjCounter);
      const otherReq = await request(other.uri);
      const replayed = await post(otherReq, token);
      expect(replayed.status).to.equal(400);
      expect(await codeOf(replayed)).to.equal('HOLDER_BINDING_FAILED');
      const seen = await stateOf(other.id, zjCounter);
      expect(seen).to.deep.include({ status: 'pending', verdict: null, failedAttempts: 1 });
      expect(failed(seen.lastFailedAttempt as FailedAttempt)).to.include.members(['freshness', 'replay']);
      expect(await answer(other.uri)).to.include({ status: 200 });
      expect((await stateOf(other.id, zjCounter)).verdict?.valid).to.equal(true);
    });

    it('unbound or replayed answers posted first are pushed to the counter as attempts, five at most; the request stays open and the citizen’s answer is taken', async () => {
      const created = await ask({ service: 'hotel-check-in' });
      const stream = await fetch(`${server.url}/api/v1/presentation-requests/${created.id}/events`, { headers: { authorization: `Bearer ${scCounter}` } });
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      const req = await request(created.uri);
      const refusals: Array<[number, string]> = [];
      for (let attempt = 1; attempt <= 7; attempt++) {
        const response = await post(req, attempt % 2 === 1 ? { license: [citizen.issued.printed] } : { license: [await nameOnly()] });
        refusals.push([response.status, await codeOf(response)]);
      }
      expect(refusals).to.deep.equal([
        ...Array.from({ length: 5 }, () => [400, 'HOLDER_BINDING_FAILED']),
        [429, 'TOO_MANY_ATTEMPTS'],
        [429, 'TOO_MANY_ATTEMPTS'],
      ]);
      const open = await stateOf(created.id);
      expect(open).to.deep.include({ status: 'pending', verdict: null, failedAttempts: 5 });
      expect(failed(open.lastFailedAttempt as FailedAttempt)).to.include('holder-binding');
      // The citizen's own answer is still taken after the junk.
      expect(await answer(created.uri)).to.include({ status: 200 });
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      const events = text.split('\n\n').filter((block) => block.startsWith('event: '));
      expect(
        events.filter((block) => block.startsWith('event: attempt')),
        'only the counted attempts reach the screen',
      ).to.have.length(5);
      expect(events.at(-1)).to.include('"status":"presented"').and.to.include('"valid":true');
    });

    it("a stranger's printed card posted to a request of a service that accepts the printed form is an attempt, not the answer, unless it passes every check", async () => {
      const created = await ask({ service: 'identity-check' });
      const req = await request(created.uri);
      // The printed form discloses every claim: more than the name asked, so not the answer.
      const printed = await post(req, { license: [citizen.issued.printed] });
      expect(printed.status).to.equal(400);
      expect(await codeOf(printed)).to.equal('HOLDER_BINDING_FAILED');
      const open = await stateOf(created.id);
      expect(open).to.deep.include({ status: 'pending', failedAttempts: 1 });
      expect(failed(open.lastFailedAttempt as FailedAttempt)).to.include('data-minimisation');
      expect(await answer(created.uri)).to.include({ status: 200 });
      expect((await stateOf(created.id)).verdict?.valid).to.equal(true);
    });

    it('junk posted to response_uri by whoever read the QR code is refused (400) and does not use up the request: the wallet still answers', async () => {
      const created = await ask({ licenseType: 'id-card', claims: ['name'] });
      // request_uri is public and carries state: anyone who scans the counter's screen can post.
      const req = await request(created.uri);
      for (const junk of ['junk', 'a.b.c~', `${citizen.held.credential.split('~')[0] ?? ''}x~`]) {
        const refused = await post(req, { license: [junk] });
        expect(refused.status, junk).to.equal(400);
        expect(await codeOf(refused)).to.equal('INVALID_PRESENTATION');
        expect((await stateOf(created.id)).status).to.equal('pending');
      }
      expect(await answer(created.uri)).to.deep.include({ answered: true, status: 200 });
      const state = await stateOf(created.id);
      expect(state.status).to.equal('presented');
      expect(state.verdict?.valid).to.equal(true);
    });

    /** Posts a hand-made presentation to a fresh request: the HTTP status, its error code if any, and the request's state after. */
    const answerWith = async (build: (req: VerifierRequest, presented: string) => Promise<string>) => {
      const created = await ask({ licenseType: 'id-card', claims: ['name'] });
      const req = await request(created.uri);
      const response = await post(req, { license: [await build(req, await nameOnly())] });
      return { status: response.status, code: response.ok ? null : await codeOf(response), state: await stateOf(created.id) };
    };
    /** A presentation the request cannot take (not bound to it): 400, the request still pending, the attempt shown to the counter. */
    const refusedAttempt = async (build: (req: VerifierRequest, presented: string) => Promise<string>) => {
      const { status, code, state } = await answerWith(build);
      expect({ status, code }).to.deep.equal({ status: 400, code: 'HOLDER_BINDING_FAILED' });
      expect(state).to.deep.include({ status: 'pending', verdict: null, failedAttempts: 1 });
      return state.lastFailedAttempt as FailedAttempt;
    };
    /** A bound presentation invalid for another reason: it is the answer, and closes the request with its verdict. */
    const answeredVerdict = async (build: (req: VerifierRequest, presented: string) => Promise<string>) => {
      const { status, state } = await answerWith(build);
      expect(status).to.equal(200);
      expect(state.status).to.equal('presented');
      return state.verdict as Verdict;
    };
    const now = () => Math.floor(Date.now() / 1000);

    it('a presentation signed by another key fails holder-binding: refused, the request stays open', async () => {
      const thief = await generateKeyPair('ES256');
      const attempt = await refusedAttempt((req, presented) =>
        withKb(presented, { iat: now(), nonce: req.nonce, aud: req.clientId, sd_hash: sdHash(presented) }, thief.privateKey),
      );
      expect(failed(attempt)).to.deep.equal(['holder-binding']);
    });

    it('a KB-JWT with the wrong nonce or aud fails freshness; with the wrong sd_hash, holder-binding: each refused, the request stays open', async () => {
      const wrongNonce = await refusedAttempt((req, presented) =>
        withKb(presented, { iat: now(), nonce: 'x'.repeat(22), aud: req.clientId, sd_hash: sdHash(presented) }),
      );
      expect(failed(wrongNonce)).to.deep.equal(['freshness']);
      const wrongAud = await refusedAttempt((req, presented) =>
        withKb(presented, { iat: now(), nonce: req.nonce, aud: 'https://elsewhere.example', sd_hash: sdHash(presented) }),
      );
      expect(failed(wrongAud)).to.deep.equal(['freshness']);
      const wrongHash = await refusedAttempt((req, presented) =>
        withKb(presented, { iat: now(), nonce: req.nonce, aud: req.clientId, sd_hash: sdHash(`${presented}x`) }),
      );
      expect(failed(wrongHash)).to.deep.equal(['holder-binding']);
    });

    it('a disclosure that was not asked fails data-minimisation, and the counter does not see it', async () => {
      const verdict = await answeredVerdict(async (req) =>
        citizen.wallet.createPresentation({ credentialId: citizen.held.id, disclose: [['name'], ['birthdate']], nonce: req.nonce, aud: req.clientId }),
      );
      expect(failed(verdict)).to.deep.equal(['data-minimisation']);
      expect(verdict.license?.claims).to.not.have.property('birthdate');
    });

    it('a disclosure the issuer never signed fails the disclosures check', async () => {
      const forged = Buffer.from(JSON.stringify([randomBytes(16).toString('base64url'), 'age_equal_or_over', { 18: true }])).toString('base64url');
      const verdict = await answeredVerdict(async (req, presented) => {
        const withForged = `${presented}${forged}~`;
        return withKb(withForged, { iat: now(), nonce: req.nonce, aud: req.clientId, sd_hash: sdHash(withForged) });
      });
      expect(verdict.valid).to.equal(false);
      expect(failed(verdict)).to.deep.equal(['disclosures']);
    });

    it('a bare bound credential (no KB-JWT) fails holder-binding: holder binding required', async () => {
      const verdict = (await server.api('POST', '/api/v1/verify', { key: scCounter, body: { credential: await nameOnly() } })).body as Verdict;
      expect(verdict.valid).to.equal(false);
      expect(failed(verdict)).to.deep.equal(['holder-binding']);
      expect(verdict.checks.find((check) => check.name === 'holder-binding')?.detail).to.match(/holder binding required/);
    });

    it('an expired request is refused (410) and reads as expired', async () => {
      const created = await ask({ licenseType: 'id-card', claims: ['name'] });
      const req = await request(created.uri);
      const token = await vpTokenFor(req);
      server.setClockOffset(6 * 60 * 1000);
      try {
        const late = await post(req, token);
        expect(late.status).to.equal(410);
        expect(await codeOf(late)).to.equal('REQUEST_EXPIRED');
        expect((await stateOf(created.id)).status).to.equal('expired');
      } finally {
        server.setClockOffset(0);
      }
    });
  });
});
