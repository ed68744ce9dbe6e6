/**
 * Another vendor's wallet, written from the OpenID4VCI 1.0 text with plain fetch and jose (none of
 * our wallet module or the protocol library): discovery through the two well-known documents, the
 * token request as a form, the nonce, a proof JWT, the credential. And every proof a careful issuer
 * must refuse: a wrong or replayed nonce, a wrong audience, a key in the header that did not sign.
 */
import { expect } from 'chai';
import { calculateJwkThumbprint, decodeJwt, type JWK } from 'jose';
import { issuingRegistry } from '../support/citizen-wallet';
import { PRE_AUTH, credential, discover, holder, json, nonce, proof, token, type Discovered } from '../support/outside-wallet';

describe('OpenID4VCI: an outside client from the spec (fetch + jose)', function () {
  this.timeout(60000);
  const registry = issuingRegistry();

  async function offered(): Promise<{ licenseId: string; found: Discovered; pin: string }> {
    const { licenseId, offer } = await registry.issue();
    return { licenseId, found: await discover(offer.uri), pin: offer.txCode };
  }

  async function accessToken(found: Discovered, pin: string): Promise<string> {
    const response = await token(found, pin);
    const body = await json(response);
    expect(response.status, JSON.stringify(body)).to.equal(200);
    expect(body.token_type).to.equal('Bearer');
    expect(response.headers.get('cache-control')).to.equal('no-store');
    return body.access_token as string;
  }

  it('redeems an offer: the credential is the same license, bound to its key', async () => {
    const { licenseId, found, pin } = await offered();
    const access = await accessToken(found, pin);
    const key = await holder();
    const response = await credential(found, access, await proof(key, { aud: found.issuer, nonce: await nonce(found) }));
    const body = await json(response);
    expect(response.status, JSON.stringify(body)).to.equal(200);
    const issued = (body.credentials as Array<{ credential: string }>)[0]?.credential ?? '';
    const payload = decodeJwt(issued.split('~')[0] ?? '');
    expect(payload.lid).to.equal(licenseId);
    const cnf = payload.cnf as { jwk: JWK };
    expect(await calculateJwkThumbprint(cnf.jwk)).to.equal(await calculateJwkThumbprint(key.jwk));

    // One credential per access token.
    const again = await credential(found, access, await proof(key, { aud: found.issuer, nonce: await nonce(found) }));
    expect(again.status).to.equal(401);
    expect((await json(again)).error).to.equal('invalid_token');
  });

  it('refuses proofs with a wrong nonce, a replayed nonce, a wrong audience or a header key that did not sign', async () => {
    const { found, pin } = await offered();
    const access = await accessToken(found, pin);
    const key = await holder();
    const other = await holder();
    const expectRefused = async (proofJwt: string, error: string) => {
      const response = await credential(found, access, proofJwt);
      const body = await json(response);
      expect(response.status, JSON.stringify(body)).to.equal(400);
      expect(body.error, JSON.stringify(body)).to.equal(error);
    };
    await expectRefused(await proof(key, { aud: found.issuer, nonce: 'not-a-nonce-of-this-issuer' }), 'invalid_nonce');
    await expectRefused(await proof(key, { aud: `${registry.server.url}/issuers/zj-amr`, nonce: await nonce(found) }), 'invalid_proof');
    await expectRefused(await proof(other, { aud: found.issuer, nonce: await nonce(found) }, key.jwk), 'invalid_proof');
    const forged = (await proof(key, { aud: found.issuer, nonce: await nonce(found) })).split('.').slice(0, 2).join('.') + `.${'A'.repeat(86)}`;
    await expectRefused(forged, 'invalid_proof');

    // A nonce is good once.
    const used = await nonce(found);
    const first = await credential(found, access, await proof(key, { aud: found.issuer, nonce: used }));
    expect(first.status).to.equal(200);
  });

  it('refuses a nonce used twice', async () => {
    const first = await offered();
    const second = await offered();
    const key = await holder();
    const shared = await nonce(first.found);
    const ok = await credential(first.found, await accessToken(first.found, first.pin), await proof(key, { aud: first.found.issuer, nonce: shared }));
    expect(ok.status).to.equal(200);
    const replay = await credential(second.found, await accessToken(second.found, second.pin), await proof(key, { aud: second.found.issuer, nonce: shared }));
    expect(replay.status).to.equal(400);
    expect((await json(replay)).error).to.equal('invalid_nonce');
  });

  it('the OpenAPI document shows the token request as a form (RFC 6749 §4.1.3), the credential request as JSON', async () => {
    const document = (await registry.server.api('GET', '/api/v1/openapi.json')).body as {
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } } }>;
    };
    const content = document.paths['/issuers/{agencyId}/token']?.post?.requestBody?.content ?? {};
    expect(Object.keys(content)).to.deep.equal(['application/x-www-form-urlencoded']);
    const schema = content['application/x-www-form-urlencoded']?.schema;
    expect(schema?.properties).to.have.keys(['grant_type', 'pre-authorized_code', 'tx_code']);
    expect(schema?.required).to.have.members(['grant_type', 'pre-authorized_code']);
    const credentialRequest = document.paths['/issuers/{agencyId}/credential']?.post?.requestBody?.content ?? {};
    expect(Object.keys(credentialRequest)).to.deep.equal(['application/json']);
    expect(credentialRequest['application/json']?.schema.properties).to.have.keys(['credential_configuration_id', 'proofs']);
  });

  it('the token endpoint refuses a missing PIN, an expired code and an unknown code in OAuth terms', async () => {
    const { found, pin } = await offered();
    const missing = await fetch(found.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: PRE_AUTH, 'pre-authorized_code': found.code }).toString(),
    });
    expect(missing.status).to.equal(400);
    expect(await json(missing)).to.include({ error: 'invalid_request' });

    const unknown = await token({ ...found, code: 'A'.repeat(43) }, pin);
    expect(await json(unknown)).to.include({ error: 'invalid_grant' });

    const wrongGrant = await fetch(found.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    expect(await json(wrongGrant)).to.include({ error: 'unsupported_grant_type' });

    registry.server.setClockOffset(7 * 86400000 + 1000);
    try {
      const expired = await token(found, pin);
      const body = await json(expired);
      expect(expired.status).to.equal(400);
      expect(body.error).to.equal('invalid_grant');
      expect(body.error_description).to.match(/expired/);
    } finally {
      registry.server.setClockOffset(0);
    }
  });

  it('refuses a credential request without a valid access token', async () => {
    const { found } = await offered();
    const key = await holder();
    const response = await credential(found, 'x'.repeat(43), await proof(key, { aud: found.issuer, nonce: await nonce(found) }));
    expect(response.status).to.equal(401);
    expect(response.headers.get('www-authenticate')).to.match(/^Bearer error="invalid_token"/);
  });
});
