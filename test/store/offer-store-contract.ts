/**
 * The credential-offer part of the Store contract (OpenID4VCI), run on PGlite and on PostgreSQL:
 * codes and PINs only as hashes, PIN attempts counted atomically up to a lock, single use of the
 * code and of the access token under concurrency, and single-use nonces that expire.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import type { CredentialOfferRow } from '../../server/src/ports/store';
import { licenseRow, refusal, uniqueId, type StoreUnderTest } from './store-contract';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const AT = '2026-06-01T02:00:00.000Z';

function offerRow(licenseId: string, overrides: Partial<CredentialOfferRow> = {}): CredentialOfferRow {
  return {
    id: uniqueId('OFFER'),
    licenseId,
    agencyId: 'zj-amr',
    configurationId: 'food-business',
    codeHash: sha256(randomBytes(32).toString('base64url')),
    txCodeHash: sha256(randomBytes(8).toString('hex')),
    state: 'offered',
    failedAttempts: 0,
    expiresAt: '2026-06-08T02:00:00.000Z',
    tokenHash: null,
    tokenExpiresAt: null,
    holderJkt: null,
    credentialRef: null,
    credentialStatus: null,
    statusInvalidatedAt: null,
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

export function describeOfferStoreContract(subject: () => StoreUnderTest): void {
  describe('credential offers', () => {
    async function licensed(): Promise<string> {
      const license = licenseRow();
      await subject().store.insertLicense(license);
      return license.id;
    }

    it('stores an offer and finds it by its code hash, and refuses one for an unknown license', async () => {
      const { store } = subject();
      const offer = offerRow(await licensed());
      await store.insertCredentialOffer(offer);
      expect(await store.getCredentialOfferByCode(offer.codeHash)).to.deep.equal(offer);
      expect(await store.getCredentialOfferByCode(sha256('unknown'))).to.equal(null);
      expect((await refusal(store.insertCredentialOffer(offerRow('LIC-unknown')))).code).to.equal('LICENSE_NOT_FOUND');
      expect((await refusal(store.insertCredentialOffer({ ...offerRow(offer.licenseId), codeHash: offer.codeHash }))).code).to.equal('ALREADY_EXISTS');
    });

    it('counts wrong PINs atomically and locks the offer at the limit', async () => {
      const { store } = subject();
      const offer = offerRow(await licensed());
      await store.insertCredentialOffer(offer);
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => store.recordTxCodeFailure(offer.id, 5, AT)));
      const counted = results.filter((row) => row !== null);
      expect(counted, 'only five attempts are counted').to.have.length(5);
      expect(counted.map((row) => row.failedAttempts).sort()).to.deep.equal([1, 2, 3, 4, 5]);
      expect((await store.getCredentialOfferByCode(offer.codeHash))?.state).to.equal('locked');
      expect(await store.redeemCredentialOffer(offer.id, sha256('token'), AT, AT)).to.equal(false);
    });

    it('redeems a code once, issues once per token, and can release a failed issuance', async () => {
      const { store } = subject();
      const offer = offerRow(await licensed());
      await store.insertCredentialOffer(offer);
      const token = sha256(randomBytes(32).toString('hex'));
      const redeemed = await Promise.all([1, 2, 3].map(() => store.redeemCredentialOffer(offer.id, token, '2026-06-01T02:05:00.000Z', AT)));
      expect(redeemed.filter(Boolean)).to.have.length(1);
      expect((await store.getCredentialOfferByToken(token))?.state).to.equal('token-issued');

      const claims = await Promise.all([1, 2].map(() => store.claimCredentialOfferIssuance(offer.id, 'jkt-1', AT)));
      expect(claims.filter(Boolean)).to.have.length(1);
      await store.releaseCredentialOfferIssuance(offer.id, AT);
      expect(await store.getCredentialOfferByToken(token)).to.include({ state: 'token-issued', holderJkt: null });

      expect(await store.claimCredentialOfferIssuance(offer.id, 'jkt-2', AT)).to.equal(true);
      await store.recordOfferCredential(offer.id, sha256('credential'), { status_list: { idx: 7, uri: 'https://x/lists/1' } }, AT);
      await store.releaseCredentialOfferIssuance(offer.id, AT);
      expect(await store.getCredentialOfferByToken(token)).to.include({ state: 'redeemed', holderJkt: 'jkt-2', credentialRef: sha256('credential') });
      expect((await store.getCredentialOfferByToken(token))?.credentialStatus).to.deep.equal({ status_list: { idx: 7, uri: 'https://x/lists/1' } });
    });

    it('supersedes the open offers of a license, not the redeemed ones', async () => {
      const { store } = subject();
      const licenseId = await licensed();
      const open = offerRow(licenseId);
      const used = offerRow(licenseId, { state: 'redeemed', credentialRef: sha256('old') });
      await store.insertCredentialOffer(open);
      await store.insertCredentialOffer(used);
      expect(await store.supersedeCredentialOffers(licenseId, AT)).to.equal(1);
      const listed = await store.listCredentialOffers(licenseId);
      expect(listed.map((row) => [row.id, row.state])).to.have.deep.members([
        [open.id, 'superseded'],
        [used.id, 'redeemed'],
      ]);
      await store.markOfferStatusInvalidated(used.id, AT);
      expect((await store.getCredentialOfferByCode(used.codeHash))?.statusInvalidatedAt).to.equal(AT);
    });

    it('consumes a nonce once, and not after it expires', async () => {
      const { store } = subject();
      const nonce = sha256(randomBytes(16).toString('hex'));
      const stale = sha256(randomBytes(16).toString('hex'));
      await store.insertIssuanceNonce(nonce, '2026-06-01T02:05:00.000Z', AT);
      await store.insertIssuanceNonce(stale, '2026-06-01T02:01:00.000Z', AT);
      const consumed = await Promise.all([1, 2].map(() => store.consumeIssuanceNonce(nonce, AT)));
      expect(consumed.filter(Boolean)).to.have.length(1);
      expect(await store.consumeIssuanceNonce(stale, '2026-06-01T02:02:00.000Z')).to.equal(false);
    });
  });
}
