/**
 * The checks a holder-bound presentation adds to a verification (OpenID4VP 1.0 §8.6 / RFC 9901 §7.3):
 *   holder-binding     a credential with `cnf` must come with a KB-JWT (typ kb+jwt, ES256) signed by
 *                      cnf.jwk whose sd_hash covers the SD-JWT as presented; a credential without
 *                      `cnf` (the printed form) is `binding: "none"`, accepted unless the service refuses it
 *   freshness          the KB-JWT's nonce and aud are the request's (counter asks), or the holder-shown
 *                      rule (aud = urn:cn:elicense:holder-shown, a wallet nonce, iat within 60 s)
 *   replay             each KB-JWT is accepted once, on any counter of this node, also after a restart
 *                      (the store remembers it); a holder-shown nonce likewise
 *   data-minimisation  a presentation answering a request discloses nothing the request did not ask
 * Signatures are checked with jose; nothing here is hand-rolled crypto.
 */
import { createHash } from 'node:crypto';
import { errors as joseErrors, importJWK, jwtVerify, type JWTPayload } from 'jose';
import { disclosedPaths, notAsked } from '../../../core/presentation/claim-paths';
import { HOLDER_NONCE, HOLDER_SHOWN_AUD, HOLDER_SHOWN_WINDOW_SECONDS } from '../../../core/presentation/holder-shown';
import { jwkThumbprint, parsePublicJwk } from '../../../core/jwk';
import type { PublicJwk } from '../../../core/anchor';
import type { PresentationStore } from '../ports/presentation-store';
import { PRESENTATION_CHECK_NAMES, type BindingOutcome, type PresentationCheck, type PresentationRules, type PresentedCredential } from './presentation-rules';
import type { CheckOutcome, CredentialCheck, PresentationChecks, VerificationContext } from './verification';

/** Clock skew tolerated between a phone and the verifier. */
const SKEW_SECONDS = 10;
/** How long a used KB-JWT or holder nonce is remembered: beyond any request's life and the QR window. */
export const REPLAY_MEMORY_SECONDS = 15 * 60;

function cnfKey(payload: Record<string, unknown>): { jwk: PublicJwk } | { problem: string } | null {
  const cnf = payload.cnf;
  if (cnf === undefined) return null;
  if (typeof cnf !== 'object' || cnf === null || !Object.hasOwn(cnf, 'jwk')) return { problem: 'cnf does not carry a jwk' };
  try {
    return { jwk: parsePublicJwk((cnf as { jwk: unknown }).jwk) };
  } catch {
    return { problem: 'cnf.jwk is not a P-256 public key' };
  }
}

function sdHash(presented: string): string {
  return createHash('sha256').update(presented, 'ascii').digest('base64url');
}

function kbSignatureRef(kbJwt: string): string {
  return createHash('sha256')
    .update(kbJwt.slice(kbJwt.lastIndexOf('.') + 1), 'ascii')
    .digest('hex');
}

async function verifyKeyBinding(kbJwt: string, jwk: PublicJwk, presented: string, now: Date): Promise<{ payload: JWTPayload } | { problem: string }> {
  let payload: JWTPayload;
  try {
    const key = await importJWK({ ...jwk }, 'ES256');
    ({ payload } = await jwtVerify(kbJwt, key, { algorithms: ['ES256'], typ: 'kb+jwt', currentDate: now, clockTolerance: SKEW_SECONDS }));
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed)
      return { problem: 'the KB-JWT is not signed by the holder key in cnf (another key, or altered)' };
    if (error instanceof joseErrors.JOSEError) return { problem: `the KB-JWT is refused: ${error.message}` };
    throw error;
  }
  if (payload.sd_hash !== sdHash(presented)) return { problem: 'sd_hash does not match the SD-JWT as presented (a disclosure added, removed or altered)' };
  return { payload };
}

function freshnessProblem(payload: JWTPayload, rules: PresentationRules, now: Date): string | null {
  const iat = payload.iat;
  if (typeof iat !== 'number') return 'the KB-JWT has no iat';
  const nowSeconds = now.getTime() / 1000;
  if (iat > nowSeconds + SKEW_SECONDS) return 'the KB-JWT claims to be signed in the future';
  if (rules.mode === 'request') {
    if (payload.aud !== rules.aud) return `aud ${JSON.stringify(payload.aud)} is not this request's client_id`;
    if (payload.nonce !== rules.nonce) return "nonce is not this request's nonce";
    if (iat < rules.notBefore.getTime() / 1000 - SKEW_SECONDS) return 'the KB-JWT was signed before this request existed';
    return null;
  }
  if (payload.aud !== HOLDER_SHOWN_AUD) return `aud must be ${HOLDER_SHOWN_AUD} for a holder-shown presentation`;
  if (typeof payload.nonce !== 'string' || !HOLDER_NONCE.test(payload.nonce))
    return 'a holder-shown presentation needs a wallet nonce of 16 to 64 base64url characters';
  if (iat < nowSeconds - HOLDER_SHOWN_WINDOW_SECONDS - SKEW_SECONDS) return `the QR code is older than ${HOLDER_SHOWN_WINDOW_SECONDS} s (a screenshot?)`;
  return null;
}

export class HolderBinding implements PresentationChecks {
  constructor(private readonly store: PresentationStore) {}

  /**
   * The verifier's checks for these rules, to run after the credential's own (after validity):
   * the first runs them all and leaves the outcome in `found`; each reports its own check.
   */
  checks(rules: PresentationRules, found: { outcome?: BindingOutcome }): CredentialCheck[] {
    let running: Promise<BindingOutcome> | null = null;
    const run = (ctx: VerificationContext): Promise<BindingOutcome> => {
      const { parsed } = ctx;
      if (!parsed) return Promise.resolve({ checks: [], binding: 'none', holder: null, disclosed: [] });
      running ??= this.check(
        { payload: parsed.payload, kbJwt: parsed.kbJwt?.jwt ?? null, presented: parsed.sdJwt, disclosures: parsed.disclosures },
        rules,
        ctx.now,
      );
      return running.then((outcome) => (found.outcome = outcome));
    };
    return PRESENTATION_CHECK_NAMES.map((name): CredentialCheck => async (ctx) => {
      const check = (await run(ctx)).checks.find((candidate) => candidate.name === name);
      return check ? ({ check } satisfies CheckOutcome) : null;
    });
  }

  async check(credential: PresentedCredential, rules: PresentationRules, now: Date): Promise<BindingOutcome> {
    const disclosed = disclosedPaths(credential.payload, credential.disclosures);
    const checks: PresentationCheck[] = [];
    const minimisation = (): void => {
      if (rules.mode !== 'request') return;
      const extra = notAsked(disclosed, rules.claims);
      checks.push({
        name: 'data-minimisation',
        ok: extra.length === 0,
        detail: extra.length === 0 ? `discloses ${disclosed.join(', ') || 'nothing'}, as asked` : `discloses what was not asked: ${extra.join(', ')}`,
      });
    };
    const key = cnfKey(credential.payload);
    if (key === null) {
      if (credential.kbJwt !== null) checks.push({ name: 'holder-binding', ok: false, detail: 'a KB-JWT was presented but the credential has no cnf key' });
      // The printed form where it is accepted: no check to report; `binding: "none"` says it.
      else if (!rules.acceptsUnbound)
        checks.push({ name: 'holder-binding', ok: false, detail: 'this service does not accept the printed form: present it from a wallet' });
      minimisation();
      return { checks, binding: 'none', holder: null, disclosed };
    }
    const outcome = await this.bound(credential, key, rules, now, checks);
    minimisation();
    return { checks, binding: 'cnf', holder: outcome, disclosed };
  }

  /** The checks of a credential with cnf; returns the holder's thumbprint once the KB-JWT proves the key. */
  private async bound(
    credential: PresentedCredential,
    key: { jwk: PublicJwk } | { problem: string },
    rules: PresentationRules,
    now: Date,
    checks: PresentationCheck[],
  ): Promise<string | null> {
    if ('problem' in key) {
      checks.push({ name: 'holder-binding', ok: false, detail: key.problem });
      return null;
    }
    if (credential.kbJwt === null) {
      checks.push({
        name: 'holder-binding',
        ok: false,
        detail: 'holder binding required: the credential names a holder key (cnf) but no KB-JWT was presented',
      });
      return null;
    }
    const verified = await verifyKeyBinding(credential.kbJwt, key.jwk, credential.presented, now);
    if ('problem' in verified) {
      checks.push({ name: 'holder-binding', ok: false, detail: verified.problem });
      return null;
    }
    const holder = jwkThumbprint(key.jwk);
    checks.push({ name: 'holder-binding', ok: true, detail: `KB-JWT signed by the holder key ${holder.slice(0, 8)}…, sd_hash matches` });
    const stale = freshnessProblem(verified.payload, rules, now);
    checks.push({
      name: 'freshness',
      ok: stale === null,
      detail: stale ?? (rules.mode === 'request' ? 'nonce and aud of this request' : 'holder-shown, within the window'),
    });
    checks.push(await this.replay(credential.kbJwt, holder, verified.payload, rules, now));
    return holder;
  }

  private async replay(kbJwt: string, holder: string, payload: JWTPayload, rules: PresentationRules, now: Date): Promise<PresentationCheck> {
    const until = new Date(now.getTime() + REPLAY_MEMORY_SECONDS * 1000).toISOString();
    const first = await this.store.rememberOnce(`kb:${kbSignatureRef(kbJwt)}`, until, now.toISOString());
    // A holder-shown nonce is single use too, whichever KB-JWT carries it.
    const nonceFirst =
      rules.mode === 'holder-shown' && typeof payload.nonce === 'string'
        ? await this.store.rememberOnce(`nonce:${holder}:${payload.nonce}`, until, now.toISOString())
        : true;
    const ok = first && nonceFirst;
    return {
      name: 'replay',
      ok,
      detail: ok ? 'first use of this presentation' : 'this presentation was already used (a replay or a screenshot); ask for a fresh one',
    };
  }
}
