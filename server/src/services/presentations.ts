/**
 * Presentations: the counter asks (OpenID4VP 1.0, cross-device, DCQL, response_mode direct_post)
 * or the holder shows (the wallet's dynamic QR code); one verifier answers both.
 *
 * Client identifier: `decentralized_identifier:did:jwk:…` (OpenID4VP 1.0 §5.9.3). The node signs
 * every request object (typ oauth-authz-req+jwt) with its own P-256 verifier key, and the client_id
 * is that key as a did:jwk, so a wallet checks the signature with no certificate authority and no
 * network lookup, and the KB-JWT's `aud` names this verifier. `redirect_uri:` would need the whole
 * request in the QR code (it may not be signed, so it cannot come by request_uri), and `x509_*`
 * needs a CA wallets trust, which we do not have. Who the counter is travels in client_metadata
 * (its name and province), as the counter's own registry node states it.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createOpenid4vpAuthorizationRequest,
  validateOpenid4vpAuthorizationResponsePayload,
  parseOpenid4VpAuthorizationResponsePayload,
} from '@openid4vc/openid4vp';
import { RegistryError } from '../../../core/errors';
import { CLAIM_PATH } from '../../../core/presentation/claim-paths';
import { CREDENTIAL_QUERY_ID, dcqlQueryFor } from '../../../core/presentation/dcql';
import type { Clock } from '../ports/clock';
import { allowLoopbackBase } from './loopback-http';
import type { KeyPair, Keys } from '../ports/keys';
import type { QrRenderer } from '../ports/qr';
import type { CounterServiceRow, PresentationRequestRow } from '../ports/presentation-store';
import type { CounterRow, Store } from '../ports/store';
import type { PresentationRules } from './presentation-rules';
import type { ReceiptsService } from './receipts';
import type { VerificationResult, VerificationService, Verifier } from './verification';

export interface PresentationsDeps {
  store: Store;
  keys: Keys;
  clock: Clock;
  verification: VerificationService;
  receipts: ReceiptsService;
  qr: QrRenderer;
  /** The node's request-signing key (the did:jwk of client_id). */
  verifierKey: KeyPair;
  requestTtlSeconds: number;
  /** Pending requests a counter may hold at once. */
  maxOpenRequestsPerCounter: number;
  /** Event streams (a waiting page each) a counter may hold open at once, on this process. */
  maxStreamsPerCounter: number;
  /** The vct of a license type, as the credentials carry it. */
  vctOf(licenseType: string): string;
  /** The claim paths the type's Type Metadata lists, or null for an unknown type. */
  claimPathsOf(licenseType: string): string[] | null;
  /** The ledger identity a counter of this province reads through. */
  readerFor(province: string | null): string;
}

export type RequestInput = { licenseType: string; claims: string[] } | { service: string };

/** A request naming one of the counter's services rather than a type and claims (an own key of the parsed body). */
function asksForService(input: RequestInput): input is { service: string } {
  return Object.hasOwn(input, 'service');
}

export interface CreatedRequest {
  id: string;
  uri: string;
  /** The uri as a QR code for the counter's screen: a PNG data URL and an SVG document. */
  qr: { png: string; svg: string };
  expiresAt: string;
  clientId: string;
}

/** An answer refused for holder binding, as the counter is shown it: why, never the claims it carried. */
export interface FailedAttempt {
  at: string;
  reason: string;
  binding: NonNullable<VerificationResult['binding']> | null;
  checks: VerificationResult['checks'];
}

export interface RequestState {
  id: string;
  status: 'pending' | 'presented' | 'expired';
  service: string | null;
  licenseType: string;
  claims: string[];
  expiresAt: string;
  presentedAt: string | null;
  verdict: VerificationResult | null;
  /** Answers refused as not bound to this request, counted up to MAX_FAILED_ATTEMPTS (later ones are refused uncounted). */
  failedAttempts: number;
  lastFailedAttempt: FailedAttempt | null;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{22}$/;

export function didJwkOf(key: KeyPair): string {
  return `did:jwk:${Buffer.from(JSON.stringify(key.publicJwk)).toString('base64url')}`;
}

/**
 * Checks a presentation must pass to use up a request. request_uri is public and the request object
 * carries `state`, so anyone who scans the counter's screen can post to response_uri; text that is
 * not even an issuer-signed credential is refused there (400) and the request stays open for the
 * holder's wallet, instead of showing the counter an "invalid" verdict and answering the wallet 409.
 */
const ANSWERING_CHECKS: ReadonlySet<string> = new Set(['format', 'issuer-key', 'signature']);

function refuseUnsigned(result: VerificationResult): void {
  const failed = result.checks.find((check) => !check.ok && ANSWERING_CHECKS.has(check.name));
  if (failed) throw new RegistryError('INVALID_PRESENTATION', `the vp_token is not a credential signed by a known issuer (${failed.name}: ${failed.detail})`);
}

/**
 * Checks that tie a presentation to this request and its holder. A genuine credential failing one
 * of them (the printed form where a wallet is required, a KB-JWT for another nonce or aud, a
 * replayed or foreign-signed one) proves nothing about who is at the counter: anyone who saw a
 * printed copy or an old presentation can post it. So it does not use up the request (400, the
 * counter is shown the attempt) and the citizen's own answer is still taken. The same holds for an
 * unbound (printed) form that fails any check where the service accepts that form: nothing ties it
 * to this request either. A bound presentation that is invalid for another reason (revoked, too
 * much disclosed) is the answer. A valid printed form where the service accepts one is the answer
 * too: such a service trusts the clerk to compare the name with the person (README).
 */
const BINDING_CHECKS: ReadonlySet<string> = new Set(['holder-binding', 'freshness', 'replay']);

/**
 * Refused attempts recorded and pushed to the counter per request. Later ones are refused (429)
 * without being recorded, so response_uri cannot flood the counter's screen, and the request stays
 * open for the citizen's own answer: closing it would let five junk posts deny that answer.
 */
export const MAX_FAILED_ATTEMPTS = 5;

export class PresentationsService {
  private readonly events = new EventEmitter();
  /** Open event streams per counter id (this process's connections; they end with it). */
  private readonly streams = new Map<string, number>();
  readonly clientId: string;

  constructor(private readonly deps: PresentationsDeps) {
    this.clientId = `decentralized_identifier:${didJwkOf(deps.verifierKey)}`;
    // One listener per open counter page (Server-Sent Events); many counters may wait at once.
    this.events.setMaxListeners(0);
  }

  services(counterId: string): Promise<CounterServiceRow[]> {
    return this.deps.store.listCounterServices(counterId);
  }

  private async resolveAsk(counter: CounterRow, input: RequestInput): Promise<{ service: CounterServiceRow | null; licenseType: string; claims: string[] }> {
    if (asksForService(input)) {
      const service = (await this.deps.store.listCounterServices(counter.id)).find((candidate) => candidate.id === input.service);
      if (!service) throw new RegistryError('INVALID_FIELD', `service: counter ${counter.id} has no service ${input.service}`, { field: 'service' });
      return { service, licenseType: service.licenseType, claims: service.claims };
    }
    const known = this.deps.claimPathsOf(input.licenseType);
    if (!known) throw new RegistryError('UNKNOWN_LICENSE_TYPE', `license type ${input.licenseType} is not known`, { field: 'licenseType' });
    const unknown = input.claims.filter((claim) => !CLAIM_PATH.test(claim) || !known.includes(claim));
    if (unknown.length > 0) {
      throw new RegistryError('INVALID_FIELD', `claims: ${unknown.join(', ')} not in the Type Metadata of ${input.licenseType} (${known.join(', ')})`, {
        field: 'claims',
      });
    }
    return { service: null, licenseType: input.licenseType, claims: [...new Set(input.claims)] };
  }

  async createRequest(counter: CounterRow, input: RequestInput, baseUrl: string): Promise<CreatedRequest> {
    const ask = await this.resolveAsk(counter, input);
    const now = this.deps.clock();
    // Not atomic with the insert: concurrent asks of one counter may pass it together; a cap, not an exact count.
    const open = await this.deps.store.countOpenPresentationRequests(counter.id, now.toISOString());
    if (open >= this.deps.maxOpenRequestsPerCounter) {
      throw new RegistryError(
        'TOO_MANY_OPEN_REQUESTS',
        `counter ${counter.id} has ${open} open presentation requests (at most ${this.deps.maxOpenRequestsPerCounter}); wait for one to be answered or expire`,
      );
    }
    const id = randomBytes(16).toString('base64url');
    const row: PresentationRequestRow = {
      id,
      counterId: counter.id,
      province: counter.province,
      service: ask.service?.id ?? null,
      licenseType: ask.licenseType,
      claims: ask.claims,
      acceptsUnbound: ask.service?.acceptsUnbound ?? true,
      nonce: randomBytes(16).toString('base64url'),
      state: randomBytes(16).toString('base64url'),
      clientId: this.clientId,
      responseUri: `${baseUrl}/api/v1/presentation-requests/${id}/response`,
      status: 'pending',
      verdict: null,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.requestTtlSeconds * 1000).toISOString(),
      presentedAt: null,
      failedAttempts: 0,
      lastFailedAttempt: null,
    };
    await this.deps.store.insertPresentationRequest(row);
    const requestUri = `${baseUrl}/api/v1/presentation-requests/${id}/request`;
    const uri = `openid4vp://?${new URLSearchParams({ client_id: this.clientId, request_uri: requestUri }).toString()}`;
    const png = `data:image/png;base64,${(await this.deps.qr.png(uri)).toString('base64')}`;
    return { id, uri, qr: { png, svg: await this.deps.qr.svg(uri) }, expiresAt: row.expiresAt, clientId: this.clientId };
  }

  private async pendingRequest(id: string): Promise<PresentationRequestRow> {
    if (!REQUEST_ID.test(id)) throw new RegistryError('NOT_FOUND', 'no such presentation request');
    const row = await this.deps.store.getPresentationRequest(id);
    if (!row) throw new RegistryError('NOT_FOUND', 'no such presentation request');
    return row;
  }

  private expired(row: PresentationRequestRow, now = this.deps.clock()): boolean {
    return row.status === 'pending' && Date.parse(row.expiresAt) <= now.getTime();
  }

  /** Refuses a request that no longer takes an answer: expired or answered. */
  private refuseClosed(row: PresentationRequestRow, now: Date): void {
    if (this.expired(row, now)) throw new RegistryError('REQUEST_EXPIRED', 'this presentation request has expired');
    if (row.status !== 'pending')
      throw new RegistryError('REQUEST_ANSWERED', 'this presentation request was already answered; a request accepts one presentation');
  }

  /** The signed request object (JAR, RFC 9101) the wallet fetches from request_uri. */
  async requestObject(id: string): Promise<string> {
    const row = await this.pendingRequest(id);
    this.refuseClosed(row, this.deps.clock());
    const counter = await this.deps.store.getCounter(row.counterId);
    // The library insists on https URIs; a node without PUBLIC_URL serves plain http on 127.0.0.1.
    allowLoopbackBase(row.responseUri);
    const key = this.deps.verifierKey;
    const didUrl = `${didJwkOf(key)}#0`;
    const seconds = Math.max(1, Math.floor((Date.parse(row.expiresAt) - this.deps.clock().getTime()) / 1000));
    const created = await createOpenid4vpAuthorizationRequest({
      authorizationRequestPayload: {
        response_type: 'vp_token',
        client_id: row.clientId,
        response_mode: 'direct_post',
        response_uri: row.responseUri,
        nonce: row.nonce,
        state: row.state,
        dcql_query: dcqlQueryFor(this.deps.vctOf(row.licenseType), row.claims, !row.acceptsUnbound),
        client_metadata: {
          client_name: counter?.name ?? row.counterId,
          vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
          // Not registered by OpenID4VP: what a wallet shows besides the name.
          province: row.province,
          counter_id: row.counterId,
        },
      },
      jar: {
        requestUri: row.responseUri.replace(/\/response$/, '/request'),
        jwtSigner: { method: 'did', didUrl, alg: 'ES256' },
        expiresInSeconds: seconds,
      },
      callbacks: {
        signJwt: async (_signer, jwt) => ({
          jwt: await this.deps.keys.sign(key.privateJwk, didUrl, 'oauth-authz-req+jwt', jwt.payload),
          signerJwk: { ...key.publicJwk },
        }),
        encryptJwe: () => {
          throw new RegistryError('INTERNAL', 'request objects are not encrypted');
        },
      },
      now: this.deps.clock(),
    });
    const jwt = created.jar?.authorizationRequestJwt;
    if (!jwt) throw new RegistryError('INTERNAL', 'the request object was not signed');
    return jwt;
  }

  /** The wallet's direct_post to response_uri: verify, record, answer the counter. */
  async receiveResponse(id: string, body: unknown): Promise<void> {
    const row = await this.pendingRequest(id);
    const now = this.deps.clock();
    this.refuseClosed(row, now);
    const presentation = this.presentationIn(row, body);
    const counter = await this.deps.store.getCounter(row.counterId);
    const verifier: Verifier = { kind: 'counter', id: row.counterId, province: row.province, ledgerIdentity: this.deps.readerFor(row.province) };
    const rules: PresentationRules = {
      mode: 'request',
      nonce: row.nonce,
      aud: row.clientId,
      notBefore: new Date(row.createdAt),
      claims: row.claims,
      acceptsUnbound: row.acceptsUnbound,
    };
    const outcome = await this.deps.verification.verifyPresentation(presentation, verifier, rules);
    refuseUnsigned(outcome.result);
    await this.refuseUnbound(row, outcome.result, now);
    if (!(await this.deps.store.completePresentationRequest(id, outcome.result, now.toISOString()))) {
      throw new RegistryError('REQUEST_ANSWERED', 'this presentation request was already answered; a request accepts one presentation');
    }
    if (outcome.holder) {
      await this.deps.receipts.record({
        holder: outcome.holder,
        at: now.toISOString(),
        counterId: row.counterId,
        province: row.province,
        service: row.service,
        licenseType: row.licenseType,
        claims: outcome.disclosed,
        verdict: outcome.result.verdict,
      });
    }
    this.events.emit(id, counter?.id ?? row.counterId);
  }

  /** An answer failing a binding check: counted and shown to the counter, refused to the poster; the request stays open. */
  private async refuseUnbound(row: PresentationRequestRow, result: VerificationResult, now: Date): Promise<void> {
    const failed = result.checks.filter((check) => !check.ok);
    const unbound = result.binding === 'none' ? failed : failed.filter((check) => BINDING_CHECKS.has(check.name));
    const [first] = unbound;
    if (!first) return;
    const attempt: FailedAttempt = { at: now.toISOString(), reason: first.name, binding: result.binding ?? null, checks: result.checks };
    const recorded = await this.deps.store.recordFailedAttempt(row.id, attempt, MAX_FAILED_ATTEMPTS);
    if (recorded === 'not-pending') {
      throw new RegistryError('REQUEST_ANSWERED', 'this presentation request was already answered; a request accepts one presentation');
    }
    const why = unbound.map((check) => `${check.name}: ${check.detail}`).join('; ');
    if (recorded === 'at-limit') {
      throw new RegistryError(
        'TOO_MANY_ATTEMPTS',
        `the presentation is not bound to this request (${why}); ${MAX_FAILED_ATTEMPTS} such answers were already refused`,
      );
    }
    this.events.emit(row.id);
    throw new RegistryError('HOLDER_BINDING_FAILED', `the presentation is not bound to this request (${why}); the request stays open for the holder's answer`);
  }

  /** The one presentation of the vp_token (DCQL: `{ "license": ["<SD-JWT+KB>"] }`), with its state checked by the library. */
  private presentationIn(row: PresentationRequestRow, body: unknown): string {
    if (typeof body !== 'object' || body === null) throw new RegistryError('INVALID_ARGUMENT', 'the response must carry vp_token and state');
    let entries: unknown;
    try {
      const payload = parseOpenid4VpAuthorizationResponsePayload(body as Record<string, unknown>);
      const validated = validateOpenid4vpAuthorizationResponsePayload({
        authorizationRequestPayload: {
          response_type: 'vp_token',
          client_id: row.clientId,
          nonce: row.nonce,
          state: row.state,
          dcql_query: {},
          response_uri: row.responseUri,
        },
        authorizationResponsePayload: payload,
      });
      entries = validated.type === 'dcql' ? validated.dcql.presentations[CREDENTIAL_QUERY_ID] : undefined;
    } catch (error) {
      throw new RegistryError('INVALID_ARGUMENT', `the authorization response is refused: ${(error as Error).message}`);
    }
    const list = Array.isArray(entries) ? (entries as unknown[]) : [entries];
    if (list.length !== 1 || typeof list[0] !== 'string') {
      throw new RegistryError('INVALID_ARGUMENT', `vp_token must hold exactly one presentation under "${CREDENTIAL_QUERY_ID}"`);
    }
    return list[0];
  }

  async state(id: string, counterId: string): Promise<RequestState> {
    const row = await this.pendingRequest(id);
    if (row.counterId !== counterId) throw new RegistryError('FORBIDDEN', 'this request belongs to another counter');
    return {
      id: row.id,
      status: this.expired(row) ? 'expired' : row.status,
      service: row.service,
      licenseType: row.licenseType,
      claims: row.claims,
      expiresAt: row.expiresAt,
      presentedAt: row.presentedAt,
      verdict: row.verdict as VerificationResult | null,
      failedAttempts: row.failedAttempts,
      lastFailedAttempt: row.lastFailedAttempt as FailedAttempt | null,
    };
  }

  /** Takes one of the counter's event-stream places; the returned release gives it back (idempotent). */
  holdStream(counterId: string): () => void {
    const held = this.streams.get(counterId) ?? 0;
    if (held >= this.deps.maxStreamsPerCounter) {
      throw new RegistryError(
        'TOO_MANY_STREAMS',
        `counter ${counterId} has ${held} event streams open (at most ${this.deps.maxStreamsPerCounter}); close a waiting page`,
      );
    }
    this.streams.set(counterId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.streams.get(counterId) ?? 1) - 1;
      if (left > 0) this.streams.set(counterId, left);
      else this.streams.delete(counterId);
    };
  }

  /** Ends every waiting event stream (the server is stopping). */
  endStreams(): void {
    this.events.emit('close');
  }

  /**
   * Calls `listener(false)` each time the request changes (answered, a failed attempt, closed) and
   * `listener(true)` when the server stops; returns an unsubscribe.
   */
  onChange(id: string, listener: (stopping: boolean) => void): () => void {
    const changed = () => listener(false);
    const stopping = () => listener(true);
    this.events.on(id, changed);
    this.events.on('close', stopping);
    return () => {
      this.events.off(id, changed);
      this.events.off('close', stopping);
    };
  }

  /** /verify: a scanned credential or holder-shown QR code (EL1 encoding or the compact form). */
  async verifyShown(text: string, verifier: Verifier): Promise<VerificationResult> {
    // The format check reads every QR form (printed ELC1, holder EL1) and names a damaged one.
    const outcome = await this.deps.verification.verifyPresentation(text, verifier, { mode: 'holder-shown', acceptsUnbound: true });
    if (outcome.holder && verifier.kind === 'counter' && outcome.result.license) {
      await this.deps.receipts.record({
        holder: outcome.holder,
        at: this.deps.clock().toISOString(),
        counterId: verifier.id,
        province: verifier.province ?? '',
        service: null,
        licenseType: outcome.result.license.type,
        claims: outcome.disclosed,
        verdict: outcome.result.verdict,
      });
    }
    return outcome.result;
  }
}

/** The demo counters' services: data, as an administrator would enter them. */
export const DEMO_COUNTER_SERVICES: ReadonlyArray<Omit<CounterServiceRow, 'counterId' | 'createdAt'>> = [
  {
    id: 'hotel-check-in',
    names: { zh: '酒店入住', en: 'Hotel check-in' },
    licenseType: 'id-card',
    claims: ['name', 'age_equal_or_over/18'],
    acceptsUnbound: false,
  },
  { id: 'identity-check', names: { zh: '身份核验', en: 'Identity check' }, licenseType: 'id-card', claims: ['name'], acceptsUnbound: true },
  {
    id: 'business-services',
    names: { zh: '企业办事', en: 'Business services' },
    licenseType: 'business-license',
    claims: ['name', 'uscc'],
    acceptsUnbound: true,
  },
];

/** Gives each listed counter the demo services when it has none yet (an administrator's edits stay). */
export async function seedCounterServices(store: Store, counterIds: readonly string[], now: string): Promise<void> {
  for (const counterId of counterIds) {
    if (!(await store.getCounter(counterId))) continue;
    if ((await store.listCounterServices(counterId)).length > 0) continue;
    for (const service of DEMO_COUNTER_SERVICES) await store.upsertCounterService({ ...service, counterId, createdAt: now });
  }
}

const VERIFIER_KEY_OWNER = '@verifier';

/** The node's request-signing key, kept like agency keys (private part encrypted in the store); made once. */
export async function verifierKeyOf(store: Store, keys: Keys, clock: Clock): Promise<KeyPair> {
  const held = (await store.listSigningKeys(VERIFIER_KEY_OWNER)).find((key) => key.status === 'active');
  if (held) return { kid: held.kid, publicJwk: held.publicJwk, privateJwk: held.privateJwk };
  const pair = await keys.generate();
  await store.insertSigningKey({
    kid: pair.kid,
    agencyId: VERIFIER_KEY_OWNER,
    publicJwk: pair.publicJwk,
    privateJwk: pair.privateJwk,
    status: 'active',
    createdAt: clock().toISOString(),
    retiredAt: null,
  });
  return pair;
}
