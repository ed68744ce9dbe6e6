/**
 * What a page sees of the browser's offline verifier (server/src/offline-verifier.browser.ts),
 * which the build bundles on its own to /static/js/offline-verifier.js and the counter page loads
 * by URL: pages never import server code, so the two meet at this interface.
 */

/** The bundle a verdict came from, and how old it was when the credential was checked. */
export interface OfflineBundleAge {
  issuedAt: string;
  province: string;
  signer: string;
  ageSeconds: number;
  maxAgeSeconds: number;
  /** Within its freshness window: past it, what would be `valid` is `indeterminate`. */
  fresh: boolean;
}

/** The online verdict's shape (POST /api/v1/verify), and the bundle it came from. */
export interface OfflineVerdict {
  valid: boolean;
  verdict: 'valid' | 'invalid' | 'indeterminate';
  status: string | null;
  reason?: string;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  binding?: 'cnf' | 'none';
  license: {
    id: string;
    type: string;
    vct: string;
    issuer: { agency: string; name: string; province: string | null };
    validFrom: string | null;
    validUntil: string | null;
    claims: Record<string, unknown>;
  } | null;
  bundle: OfflineBundleAge;
}

/** A bundle checked against the trust anchor once (signature, chain, role, shape), for many verifications. */
export interface CheckedBundle {
  issuedAt: Date;
  /** SD-JWT VC Type Metadata documents by `vct`: claim labels offline. */
  claims: { typeMetadata: Record<string, Record<string, unknown>> };
}

export interface OfflineVerifierModule {
  /** Checks a bundle against the trust anchor; throws RegistryError BUNDLE_REFUSED when it fails. */
  loadBundle(token: string, anchor: unknown, options?: { now?: Date }): Promise<CheckedBundle>;
  /** The verdict for one credential (compact or ELC1 form) from a checked bundle or its token. */
  verifyOffline(
    credential: unknown,
    bundle: string | CheckedBundle,
    anchor: unknown,
    options?: { now?: Date; maxAgeSeconds?: number },
  ): Promise<OfflineVerdict>;
}
