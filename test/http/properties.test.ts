/**
 * Properties of the real server over HTTP, with fast-check: no single-character change to a valid
 * credential is accepted at a counter, and no request body, however odd, gets a 5xx; every 400 to
 * an issuance names the field. Sized for a small machine: PROPERTY_RUNS (default 2,000) mutations,
 * a quarter as many issuance bodies.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../support/registry-server';
import { idCardBody } from '../support/requests';
import { ifStarted } from '../support/defined';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** What a mutation may write: base64url, the separators of the compact form, and a few troublemakers. */
const ALPHABET = [...BASE64URL.split(''), '.', '~', '=', '+', '/', ' ', '\n', '\u0000', '\u00e9', '\u{1f600}'];

type Mutation = { kind: 'replace' | 'insert'; at: number; text: string } | { kind: 'delete'; at: number };

function mutate(credential: string, mutation: Mutation): string {
  const at = mutation.at % (credential.length + (mutation.kind === 'insert' ? 1 : 0));
  if (mutation.kind === 'delete') return credential.slice(0, at) + credential.slice(at + 1);
  return credential.slice(0, at) + mutation.text + credential.slice(at + (mutation.kind === 'replace' ? 1 : 0));
}

/**
 * The bytes a credential stands for: each base64url segment decoded. Two spellings of the same
 * bytes (the spare bits of a segment's last character, surrounding white space) are one credential.
 */
function meaning(credential: string): string {
  return credential
    .trim()
    .split('~')
    .map((piece) =>
      piece
        .split('.')
        .map((segment) => (/^[A-Za-z0-9_-]*$/.test(segment) ? Buffer.from(segment, 'base64url').toString('hex') : `raw:${segment}`))
        .join('.'),
    )
    .join('~');
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...ALPHABET) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...ALPHABET) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

const dateLike = fc.oneof(fc.constant('2026-06-01'), fc.constant(null), fc.string({ maxLength: 12 }), fc.integer(), fc.constant('2026-02-30'));
const issueBody = fc.oneof(
  fc.record(
    {
      type: fc.oneof(fc.constantFrom('id-card', 'business-license', 'property-certificate'), fc.string({ maxLength: 20 })),
      holder: fc.oneof(fc.object({ maxDepth: 2 }), fc.record({ name: fc.string({ maxLength: 40 }), idNumber: fc.string({ maxLength: 20 }) })),
      data: fc.oneof(fc.object({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 })),
      validFrom: dateLike,
      validUntil: dateLike,
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

describe('registry HTTP API: properties (fast-check)', function () {
  this.timeout(30 * 60 * 1000);
  let server: TestServer;
  let credential: string;
  let agencyKey: string;
  let counterKey: string;

  before(async () => {
    server = await startTestServer();
    agencyKey = server.agencyKey('zj-psb');
    counterKey = server.counterKey('510000');
    const issued = await server.api('POST', '/api/v1/licenses', { key: agencyKey, body: idCardBody() });
    expect(issued.status).to.equal(201);
    credential = issued.body.credential as string;
    const control = await server.api('POST', '/api/v1/verify', { key: counterKey, body: { credential } });
    expect(control.body.verdict, 'the unmutated credential is the control').to.equal('valid');
  });
  after(() => ifStarted(server, (started) => started.remove()));

  it(`accepts none of ${RUNS} single-character mutations of a valid credential, and answers each without a 5xx`, async () => {
    const original = meaning(credential);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (change) => {
        const mutated = mutate(credential, change);
        fc.pre(meaning(mutated) !== original);
        tried += 1;
        const response = await server.api('POST', '/api/v1/verify', { key: counterKey, body: { credential: mutated } });
        expect(response.status, JSON.stringify(response.body)).to.equal(200);
        expect(response.body.valid, `accepted: ${JSON.stringify(change)}`).to.equal(false);
      }),
      { numRuns: RUNS },
    );
    expect(tried).to.be.greaterThan(RUNS / 2);
  });

  it(`answers ${Math.ceil(RUNS / 4)} random issuance bodies without a 5xx, and names the field of every 400`, async () => {
    await fc.assert(
      fc.asyncProperty(issueBody, async (body) => {
        const response = await server.api('POST', '/api/v1/licenses', { key: agencyKey, body });
        expect(response.status, JSON.stringify(response.body)).to.be.below(500);
        if (response.status === 400) expect(response.body.error.field, JSON.stringify(response.body)).to.be.a('string');
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
