/**
 * OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, the issuer's side: each
 * agency is a Credential Issuer (`<base>/issuers/<agencyId>`) and its own OAuth authorization
 * server. Messages are parsed, validated and built with the OpenWallet Foundation's
 * `@openid4vc/openid4vci` and `@openid4vc/oauth2`; the state (offers, codes, PIN attempts, access
 * tokens, nonces) lives in the store, hashed.
 *
 *   createOffer / reoffer        an offer per license: pre-authorized code + 6-digit PIN (tx_code)
 *   credentialOffer              §4.1.3 the offer object behind `credential_offer_uri`
 *   credentialIssuerMetadata     §12.2 one configuration per license type the agency may issue
 *   authorizationServerMetadata  RFC 8414, `pre-authorized_grant_anonymous_access_supported`
 *   token                        §6 pre-authorized_code + tx_code → opaque Bearer access token
 *   nonce                        §7 c_nonce
 *   credential                   §8 proof (openid4vci-proof+jwt) → SD-JWT VC bound to the proven key
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import {
  Oauth2AuthorizationServer,
  Oauth2ServerErrorResponseError,
  preAuthorizedCodeGrantIdentifier,
  type AuthorizationServerMetadata,
  type CallbackContext,
} from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion, type CredentialIssuerMetadata, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { LRUCache } from 'lru-cache';
import type { PublicJwk } from '../../../core/anchor';
import { RegistryError } from '../../../core/errors';
import { sha256Hex } from '../../../core/hash';
import { jwkThumbprint, parsePublicJwk } from '../../../core/jwk';
import { getLicenseType } from '../../../core/license-types';
import type { Clock } from '../ports/clock';
import type { Keys } from '../ports/keys';
import type { QrRenderer } from '../ports/qr';
import type { AgencyRow, CredentialOfferRow, LicenseRow, Store } from '../ports/store';
import type { HolderBoundIssuer } from './holder-bound-credential';
import { GroupCommit } from './group-commit';
import { OAuthError } from './oid4vci-errors';
import { allowLoopbackBase } from './loopback-http';

export const CREDENTIAL_FORMAT = 'dc+sd-jwt';
const VCT_PREFIX = 'urn:cn:elicense:vct:';
/** Wrong PINs an offer survives: the fifth ends it (a 6-digit PIN then falls with odds of 5 in 10⁶). */
export const MAX_TX_CODE_ATTEMPTS = 5;
const TX_CODE_LENGTH = 6;
const ACCESS_TOKEN_TTL_S = 300;
const NONCE_TTL_S = 300;
/** A proof's `iat` may be this far from our clock: a phone's clock drifts, a proof is used at once. */
const PROOF_IAT_SKEW_S = 300;

export interface IssuedOffer {
  /** `openid-credential-offer://?credential_offer_uri=…`: by reference, so its QR stays small. */
  uri: string;
  /** The PIN (tx_code) the agency hands the citizen separately (printed, or by SMS). */
  txCode: string;
  expiresAt: string;
  /**
   * The offer URI as a QR code: a PNG served while the offer is open. A URL, not inline: a PNG
   * costs ~10 ms of the one main thread per issuance, paid then only by a clerk who shows it.
   */
  qr: string;
}

export interface Oid4vciDeps {
  store: Store;
  clock: Clock;
  keys: Keys;
  qr: QrRenderer;
  boundIssuer: HolderBoundIssuer;
  /** The node's public base URL (no trailing slash). */
  baseUrl: () => string;
  offerTtlMs: number;
  log?: (line: string) => void;
}

interface RequestLike {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string | undefined>;
}

function random(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The PIN's hash is keyed by the code: a stolen table does not give up a 6-digit PIN. */
function txCodeHash(code: string, txCode: string): string {
  return sha256Hex(`${code}:${txCode}`);
}

export class Oid4vciIssuerService {
  private readonly issuer: Openid4vciIssuer;
  private readonly authorizationServer: Oauth2AuthorizationServer;
  /** Offers of licenses issued together (a bulk upload's batch) are written in one INSERT. */
  private readonly offerRows: GroupCommit<CredentialOfferRow>;
  private readonly metadataResults = new LRUCache<string, IssuerMetadataResult>({ max: 64 });

  constructor(private readonly deps: Oid4vciDeps) {
    this.offerRows = new GroupCommit((rows) => deps.store.insertCredentialOffers(rows), { windowMs: 1, splitOnError: true });
    const callbacks: Omit<CallbackContext, 'decryptJwe' | 'encryptJwe'> = {
      hash: (data) => new Uint8Array(Buffer.from(sha256Hex(data), 'hex')),
      generateRandom: random,
      clientAuthentication: () => undefined,
      signJwt: () => {
        throw new Error('the issuer signs credentials through the keys port, not through the protocol library');
      },
      // Only `jwk` proofs are offered (cryptographic_binding_methods_supported): the key in the
      // header, a P-256 point, checked by the keys port with ES256 pinned.
      verifyJwt: async (signer, jwt) => {
        if (signer.method !== 'jwk' || signer.alg !== 'ES256') return { verified: false };
        let jwk: PublicJwk;
        try {
          jwk = parsePublicJwk(signer.publicJwk);
        } catch {
          return { verified: false };
        }
        return (await this.deps.keys.verify(jwt.compact, jwk)) ? { verified: true, signerJwk: signer.publicJwk } : { verified: false };
      },
    };
    this.issuer = new Openid4vciIssuer({ callbacks });
    this.authorizationServer = new Oauth2AuthorizationServer({ callbacks });
  }

  private now(): Date {
    return this.deps.clock();
  }

  issuerUrl(agencyId: string): string {
    const base = this.deps.baseUrl();
    // The protocol library refuses http URLs unless told; only a loopback base (the local default) is.
    allowLoopbackBase(base);
    return `${base}/issuers/${agencyId}`;
  }

  private async agency(agencyId: string): Promise<AgencyRow> {
    const agency = await this.deps.store.getAgency(agencyId);
    if (!agency) throw new RegistryError('AGENCY_NOT_FOUND', `no issuer ${agencyId} on this node`);
    return agency;
  }

  // --- metadata ------------------------------------------------------------------------------

  /** §12.2.4: one credential configuration per license type the agency may issue. */
  async credentialIssuerMetadata(agencyId: string): Promise<CredentialIssuerMetadata> {
    return this.buildIssuerMetadata(await this.agency(agencyId));
  }

  private buildIssuerMetadata(agency: AgencyRow): CredentialIssuerMetadata {
    const iss = this.issuerUrl(agency.id);
    const configurations: CredentialIssuerMetadata['credential_configurations_supported'] = {};
    for (const typeId of agency.licenseTypes) {
      const type = getLicenseType(typeId);
      if (!type) continue;
      configurations[typeId] = {
        format: CREDENTIAL_FORMAT,
        vct: `${VCT_PREFIX}${typeId}`,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: {
          display: [
            { name: type.names.zh, locale: 'zh-CN' },
            { name: type.names.en, locale: 'en' },
          ],
        },
      };
    }
    return this.issuer.createCredentialIssuerMetadata({
      credential_issuer: iss,
      credential_endpoint: `${iss}/credential`,
      nonce_endpoint: `${iss}/nonce`,
      display: [{ name: agency.name, locale: 'zh-CN' }],
      credential_configurations_supported: configurations,
    });
  }

  /** RFC 8414 metadata of the agency's authorization server (the issuer itself). */
  async authorizationServerMetadata(agencyId: string): Promise<AuthorizationServerMetadata> {
    await this.agency(agencyId);
    return this.buildAuthorizationServerMetadata(agencyId);
  }

  private buildAuthorizationServerMetadata(agencyId: string): AuthorizationServerMetadata {
    const iss = this.issuerUrl(agencyId);
    return this.authorizationServer.createAuthorizationServerMetadata({
      issuer: iss,
      token_endpoint: `${iss}/token`,
      grant_types_supported: [preAuthorizedCodeGrantIdentifier],
      'pre-authorized_grant_anonymous_access_supported': true,
    });
  }

  /**
   * Built once per agency as it stands (name, types, base URL): the protocol library schema-checks
   * the metadata each time it is built, which cost ~1.5 ms a license in a bulk upload's profile.
   */
  private issuerMetadataResult(agency: AgencyRow): IssuerMetadataResult {
    const cacheKey = JSON.stringify([this.deps.baseUrl(), agency.id, agency.name, agency.licenseTypes]);
    const cached = this.metadataResults.get(cacheKey);
    if (cached) return cached;
    const credentialIssuer = this.buildIssuerMetadata(agency);
    const result: IssuerMetadataResult = {
      originalDraftVersion: Openid4vciVersion.V1,
      credentialIssuer,
      authorizationServers: [this.buildAuthorizationServerMetadata(agency.id)],
      knownCredentialConfigurations: this.issuer.getKnownCredentialConfigurationsSupported(credentialIssuer),
    };
    this.metadataResults.set(cacheKey, result);
    return result;
  }

  // --- offers ----------------------------------------------------------------------------------

  /** A new offer for an issued license of `agency`: part of the answer to POST /licenses. */
  async createOffer(license: LicenseRow, agency: AgencyRow): Promise<IssuedOffer> {
    const code = Buffer.from(random(32)).toString('base64url');
    const txCode = String(randomInt(0, 10 ** TX_CODE_LENGTH)).padStart(TX_CODE_LENGTH, '0');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.deps.offerTtlMs).toISOString();
    const metadata = this.issuerMetadataResult(agency);
    const { credentialOffer } = await this.issuer.createCredentialOffer({
      issuerMetadata: metadata,
      credentialConfigurationIds: [license.type],
      grants: { [preAuthorizedCodeGrantIdentifier]: { 'pre-authorized_code': code, tx_code: txCodeDescription() } },
      credentialOfferUri: this.offerUri(agency.id, code),
    });
    await this.offerRows.add({
      id: Buffer.from(random(16)).toString('base64url'),
      licenseId: license.id,
      agencyId: agency.id,
      configurationId: license.type,
      codeHash: sha256Hex(code),
      txCodeHash: txCodeHash(code, txCode),
      state: 'offered',
      failedAttempts: 0,
      expiresAt,
      tokenHash: null,
      tokenExpiresAt: null,
      holderJkt: null,
      credentialRef: null,
      credentialStatus: null,
      statusInvalidatedAt: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    return { uri: credentialOffer, txCode, expiresAt, qr: `${this.offerUri(agency.id, code)}/qr.png` };
  }

  /**
   * A lost phone: a new offer for the same license; open offers are superseded. When the new offer
   * is redeemed, the credential bound to the old key gets its status entry set INVALID.
   */
  async reoffer(agency: AgencyRow, license: LicenseRow): Promise<IssuedOffer> {
    if (license.agencyId !== agency.id) throw new RegistryError('FORBIDDEN', `license ${license.id} was issued by another agency`);
    if (license.state !== 'anchored') throw new RegistryError('LICENSE_PENDING', `license ${license.id} is not anchored yet`);
    if (license.status !== 'active')
      throw new RegistryError('LICENSE_NOT_ACTIVE', `license ${license.id} is ${license.status}: only an active license is offered`);
    await this.deps.store.supersedeCredentialOffers(license.id, this.now().toISOString());
    return this.createOffer(license, agency);
  }

  private offerUri(agencyId: string, code: string): string {
    // The code is the offer's address: the offer object (which must carry it) is then served
    // without the code ever being stored in the clear.
    return `${this.issuerUrl(agencyId)}/credential-offers/${code}`;
  }

  private async openOffer(agencyId: string, code: string): Promise<CredentialOfferRow> {
    const offer = await this.deps.store.getCredentialOfferByCode(sha256Hex(code));
    if (offer?.agencyId !== agencyId || offer.state !== 'offered' || Date.parse(offer.expiresAt) <= this.now().getTime()) {
      throw new RegistryError('NOT_FOUND', 'no open credential offer at this address (used, expired, ended or replaced)');
    }
    return offer;
  }

  /** The offer URI as a QR code (PNG, error correction M), while the offer is open. */
  async offerQrPng(agencyId: string, code: string): Promise<Buffer> {
    await this.openOffer(agencyId, code);
    const uri = new URL('openid-credential-offer://');
    uri.searchParams.set('credential_offer_uri', this.offerUri(agencyId, code));
    return this.deps.qr.png(uri.toString());
  }

  /** §4.1.3: the offer object behind `credential_offer_uri`, while the offer is open. */
  async credentialOffer(agencyId: string, code: string): Promise<Record<string, unknown>> {
    const offer = await this.openOffer(agencyId, code);
    return {
      credential_issuer: this.issuerUrl(agencyId),
      credential_configuration_ids: [offer.configurationId],
      grants: { [preAuthorizedCodeGrantIdentifier]: { 'pre-authorized_code': code, tx_code: txCodeDescription() } },
    };
  }

  // --- token endpoint --------------------------------------------------------------------------

  /** §6: the pre-authorized code and its PIN for a single-use Bearer token. */
  async token(agencyId: string, request: RequestLike, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const grant = this.parseTokenRequest(request, body);
    const offer = await this.deps.store.getCredentialOfferByCode(sha256Hex(grant.preAuthorizedCode));
    if (offer?.agencyId !== agencyId) throw new OAuthError('invalid_grant', 'the pre-authorized code is unknown');
    this.requireRedeemable(offer);
    if (grant.txCode === undefined) throw new OAuthError('invalid_request', 'tx_code (the PIN the agency gave you) is required');
    if (!sameHash(txCodeHash(grant.preAuthorizedCode, grant.txCode), offer.txCodeHash)) await this.refuseTxCode(offer);
    const token = Buffer.from(random(32)).toString('base64url');
    const now = this.now();
    const redeemed = await this.deps.store.redeemCredentialOffer(
      offer.id,
      sha256Hex(token),
      new Date(now.getTime() + ACCESS_TOKEN_TTL_S * 1000).toISOString(),
      now.toISOString(),
    );
    if (!redeemed) throw new OAuthError('invalid_grant', 'the pre-authorized code has already been used');
    return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S };
  }

  private parseTokenRequest(request: RequestLike, body: Record<string, unknown>): { preAuthorizedCode: string; txCode: string | undefined } {
    let parsed;
    try {
      parsed = this.authorizationServer.parseAccessTokenRequest({ request: libraryRequest(request), accessTokenRequest: body });
    } catch (error) {
      if (error instanceof Oauth2ServerErrorResponseError) {
        const code = error.errorResponse.error === 'unsupported_grant_type' ? 'unsupported_grant_type' : 'invalid_request';
        throw new OAuthError(code, error.errorResponse.error_description ?? error.message);
      }
      throw error;
    }
    if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) {
      throw new OAuthError('unsupported_grant_type', `only ${preAuthorizedCodeGrantIdentifier} is supported`);
    }
    return { preAuthorizedCode: parsed.grant.preAuthorizedCode, txCode: parsed.grant.txCode };
  }

  private requireRedeemable(offer: CredentialOfferRow): void {
    if (offer.state === 'locked')
      throw new OAuthError('invalid_grant', `the offer has ended after ${MAX_TX_CODE_ATTEMPTS} wrong PINs; ask the agency for a new one`);
    if (offer.state === 'superseded') throw new OAuthError('invalid_grant', 'the offer has been replaced by a newer one');
    if (offer.state !== 'offered') throw new OAuthError('invalid_grant', 'the pre-authorized code has already been used');
    if (Date.parse(offer.expiresAt) <= this.now().getTime()) throw new OAuthError('invalid_grant', 'the offer has expired; ask the agency for a new one');
  }

  private async refuseTxCode(offer: CredentialOfferRow): Promise<never> {
    const after = await this.deps.store.recordTxCodeFailure(offer.id, MAX_TX_CODE_ATTEMPTS, this.now().toISOString());
    if (!after) throw new OAuthError('invalid_grant', 'the pre-authorized code can no longer be used');
    if (after.state === 'locked') throw new OAuthError('invalid_grant', `wrong PIN; the offer has ended after ${MAX_TX_CODE_ATTEMPTS} wrong PINs`);
    throw new OAuthError('invalid_grant', `wrong PIN; ${MAX_TX_CODE_ATTEMPTS - after.failedAttempts} attempt(s) left`);
  }

  // --- nonce endpoint --------------------------------------------------------------------------

  /** §7: a c_nonce, single use, for the next key proof. */
  async nonce(): Promise<{ c_nonce: string }> {
    const nonce = Buffer.from(random(24)).toString('base64url');
    const now = this.now();
    await this.deps.store.insertIssuanceNonce(sha256Hex(nonce), new Date(now.getTime() + NONCE_TTL_S * 1000).toISOString(), now.toISOString());
    return { c_nonce: nonce };
  }

  // --- credential endpoint ---------------------------------------------------------------------

  /** §8: the license as an SD-JWT VC bound to the key the proof was signed with. */
  async credential(agencyId: string, request: RequestLike, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const offer = await this.offerOfToken(agencyId, request.headers.authorization);
    const agency = await this.agency(agencyId);
    const metadata = this.issuerMetadataResult(agency);
    const parsed = this.parseCredentialRequest(metadata, body, offer);
    const holderJwk = await this.verifyProof(metadata, parsed.proofJwt);
    const license = await this.deps.store.getLicense(offer.licenseId);
    if (license?.state !== 'anchored' || license.status !== 'active') {
      throw new OAuthError('credential_request_denied', `license ${offer.licenseId} is not active`);
    }
    const at = this.now().toISOString();
    if (!(await this.deps.store.claimCredentialOfferIssuance(offer.id, jwkThumbprint(holderJwk), at))) {
      throw new OAuthError('invalid_token', 'this access token has already been used for a credential');
    }
    let issued;
    try {
      issued = await this.deps.boundIssuer.issue(license, holderJwk);
    } catch (error) {
      await this.deps.store.releaseCredentialOfferIssuance(offer.id, this.now().toISOString());
      throw error;
    }
    await this.deps.store.recordOfferCredential(offer.id, issued.ref, issued.status, this.now().toISOString());
    await this.invalidateEarlierBoundCredentials(offer);
    return this.issuer.createCredentialResponse({ credentialRequest: parsed.request, credentials: [{ credential: issued.credential }] });
  }

  private async offerOfToken(agencyId: string, authorization: string | undefined): Promise<CredentialOfferRow> {
    const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '');
    if (!match?.[1]) throw new OAuthError('invalid_token', 'an access token from the token endpoint is required (Authorization: Bearer …)');
    const offer = await this.deps.store.getCredentialOfferByToken(sha256Hex(match[1]));
    if (offer?.agencyId !== agencyId) throw new OAuthError('invalid_token', 'the access token is unknown');
    if (offer.tokenExpiresAt === null || Date.parse(offer.tokenExpiresAt) <= this.now().getTime())
      throw new OAuthError('invalid_token', 'the access token has expired');
    if (offer.state !== 'token-issued') throw new OAuthError('invalid_token', 'this access token has already been used for a credential');
    return offer;
  }

  private parseCredentialRequest(
    metadata: IssuerMetadataResult,
    body: Record<string, unknown>,
    offer: CredentialOfferRow,
  ): { request: ReturnType<Openid4vciIssuer['parseCredentialRequest']>; proofJwt: string } {
    let request;
    try {
      request = this.issuer.parseCredentialRequest({ issuerMetadata: metadata, credentialRequest: body });
    } catch (error) {
      throw new OAuthError('invalid_credential_request', (error as Error).message);
    }
    if (request.credentialConfigurationId === undefined) throw new OAuthError('invalid_credential_request', 'credential_configuration_id is required');
    if (request.credentialConfigurationId !== offer.configurationId) {
      throw new OAuthError('unknown_credential_configuration', `this token is for ${offer.configurationId}, not ${request.credentialConfigurationId}`);
    }
    const proofs = request.proofs?.jwt ?? [];
    const [proofJwt] = proofs;
    if (proofs.length !== 1 || proofJwt === undefined) throw new OAuthError('invalid_proof', 'exactly one jwt proof (proofs.jwt) is required');
    return { request, proofJwt };
  }

  /** Appendix F.1: typ, aud = this issuer, a c_nonce of ours (consumed), a fresh iat, the signature by the header's jwk. */
  private async verifyProof(metadata: IssuerMetadataResult, jwt: string): Promise<PublicJwk> {
    const now = this.now();
    let verified;
    try {
      verified = await this.issuer.verifyCredentialRequestJwtProof({ issuerMetadata: metadata, jwt, now });
    } catch (error) {
      throw new OAuthError('invalid_proof', proofFailure(error));
    }
    const { header, payload } = verified;
    if (Math.abs(payload.iat - Math.floor(now.getTime() / 1000)) > PROOF_IAT_SKEW_S) throw new OAuthError('invalid_proof', 'the proof iat is not current');
    if (typeof payload.nonce !== 'string' || !(await this.deps.store.consumeIssuanceNonce(sha256Hex(payload.nonce), now.toISOString()))) {
      throw new OAuthError('invalid_nonce', 'the proof nonce is not a current c_nonce of this issuer; get one from the nonce endpoint');
    }
    return parsePublicJwk(header.jwk);
  }

  /**
   * A newly bound credential replaces the ones bound to earlier keys (a lost or replaced phone):
   * their own status entries become INVALID; the license and its printed form are not touched.
   */
  private async invalidateEarlierBoundCredentials(current: CredentialOfferRow): Promise<void> {
    const earlier = (await this.deps.store.listCredentialOffers(current.licenseId)).filter(
      (offer) => offer.id !== current.id && offer.credentialRef !== null && offer.statusInvalidatedAt === null,
    );
    for (const offer of earlier) {
      if (await this.deps.boundIssuer.invalidate(offer.agencyId, offer.credentialStatus)) {
        await this.deps.store.markOfferStatusInvalidated(offer.id, this.now().toISOString());
      } else {
        this.deps.log?.(`oid4vci: credential ${offer.credentialRef ?? ''} of license ${offer.licenseId} has no status entry to invalidate`);
      }
    }
  }
}

function txCodeDescription(): { input_mode: 'numeric'; length: number; description: string } {
  return { input_mode: 'numeric', length: TX_CODE_LENGTH, description: '发证机关另行提供的 6 位数字码 / the 6-digit PIN the issuing agency gave you' };
}

function libraryRequest(request: RequestLike): { method: 'GET' | 'POST'; url: string; headers: Headers } {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers.set(name, value);
  return { method: request.method, url: request.url, headers };
}

function proofFailure(error: unknown): string {
  if (error instanceof Oauth2ServerErrorResponseError) return error.errorResponse.error_description ?? error.message;
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return `${(error as Error).message}${detail}`;
}
