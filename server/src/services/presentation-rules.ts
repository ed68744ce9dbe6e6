/**
 * What a presentation is held to and what its checks find: shared by the verifier's check list
 * (verification.ts) and the checks themselves (holder-binding.ts).
 */
export const PRESENTATION_CHECK_NAMES = ['holder-binding', 'freshness', 'replay', 'data-minimisation'] as const;
export type PresentationCheckName = (typeof PRESENTATION_CHECK_NAMES)[number];

export interface PresentationCheck {
  name: PresentationCheckName;
  ok: boolean;
  detail: string;
}

/** What the verifier expects of the presentation. */
export type PresentationRules =
  | {
      mode: 'request';
      nonce: string;
      aud: string;
      /** The request's creation: a KB-JWT cannot be older. */
      notBefore: Date;
      claims: readonly string[];
      acceptsUnbound: boolean;
    }
  | { mode: 'holder-shown'; acceptsUnbound: boolean };

export interface PresentedCredential {
  payload: Record<string, unknown>;
  kbJwt: string | null;
  presented: string;
  disclosures: ReadonlyArray<{ digest: string; name: string | null; value: unknown }>;
}

export interface BindingOutcome {
  checks: PresentationCheck[];
  binding: 'cnf' | 'none';
  /** RFC 7638 thumbprint of the holder key, once the KB-JWT proved possession of it. */
  holder: string | null;
  /** Claim paths the disclosures reveal. */
  disclosed: string[];
}
