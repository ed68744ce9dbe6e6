/**
 * The counter's offline check: while online the page keeps the trust anchor and the latest signed
 * offline bundle in localStorage (public data, refreshed every few minutes and at sign-in); with
 * no network it verifies a scanned credential from them with the browser's offline verifier —
 * the server's own verification service, bundled apart at /static/js/offline-verifier.js and
 * loaded by URL (pages never import server code; core/offline-verifier types the module).
 */
import type { CheckedBundle, OfflineVerdict, OfflineVerifierModule } from '../../core/offline-verifier';
import { stored } from './common';

const VERIFIER_URL = '/static/js/offline-verifier.js';
const ANCHOR_KEY = 'elicense.offline.anchor';
const BUNDLE_KEY = 'elicense.offline.bundle';
/** The bundle is re-signed at most every few seconds server-side; a counter refreshes its copy this often. */
export const OFFLINE_REFRESH_MS = 5 * 60 * 1000;

export interface KeptBundle {
  token: string;
  anchor: unknown;
  issuedAt: Date;
  /** SD-JWT VC Type Metadata by `vct`, as the bundle carries it. */
  typeMetadata: Record<string, Record<string, unknown>>;
}

let verifier: Promise<OfflineVerifierModule> | null = null;
let loaded: { token: string; bundle: Promise<CheckedBundle> } | null = null;

function offlineVerifier(): Promise<OfflineVerifierModule> {
  // A variable, not a literal: the bundler leaves the import to the browser, which fetches the URL (or the service worker's copy).
  const url = VERIFIER_URL;
  verifier ??= (import(url) as Promise<OfflineVerifierModule>).catch((error: unknown) => {
    verifier = null;
    throw error;
  });
  return verifier;
}

/** A bundle checked once per token: loading verifies its signature and chain to the anchor. */
async function checked(token: string, anchor: unknown): Promise<CheckedBundle> {
  if (loaded?.token !== token) {
    const module = await offlineVerifier();
    loaded = { token, bundle: module.loadBundle(token, anchor) };
  }
  return loaded.bundle;
}

/** The anchor and bundle this device keeps, checked against each other, or null when none is kept. */
export async function keptBundle(): Promise<KeptBundle | null> {
  const token = stored(BUNDLE_KEY);
  const anchorText = stored(ANCHOR_KEY);
  if (!token || !anchorText) return null;
  const anchor = JSON.parse(anchorText) as unknown;
  const bundle = await checked(token, anchor);
  return { token, anchor, issuedAt: bundle.issuedAt, typeMetadata: bundle.claims.typeMetadata };
}

async function fetchText(path: string): Promise<string> {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.text();
}

/**
 * Fetches the trust anchor and the bundle and keeps them — only once the bundle verifies against
 * the anchor, so a failed or partial download never replaces a good copy.
 */
export async function refreshKeptBundle(): Promise<KeptBundle> {
  const [anchorText, token] = await Promise.all([fetchText('/api/v1/trust/anchor'), fetchText('/api/v1/offline-bundle')]);
  const anchor = JSON.parse(anchorText) as unknown;
  const bundle = await checked(token.trim(), anchor);
  localStorage.setItem(ANCHOR_KEY, anchorText);
  localStorage.setItem(BUNDLE_KEY, token.trim());
  return { token: token.trim(), anchor, issuedAt: bundle.issuedAt, typeMetadata: bundle.claims.typeMetadata };
}

/** The verdict from the kept bundle, as the server's verifyFromBundle gives it (indeterminate when too old). */
export async function verifyFromKeptBundle(text: string, kept: KeptBundle): Promise<OfflineVerdict> {
  const module = await offlineVerifier();
  return module.verifyOffline(text, await checked(kept.token, kept.anchor), kept.anchor);
}

/**
 * A holder-bound code (a wallet's EL1 QR with a key-binding JWT, or a credential with `cnf`): the
 * offline checks cannot prove the holder's key, so the service fails its holder-binding check.
 * The page says "needs the network" rather than showing that as a forged license.
 */
export function needsNetwork(verdict: OfflineVerdict): boolean {
  const failed = verdict.checks.filter((check) => !check.ok).map((check) => check.name);
  // Only when nothing else failed: a revoked or forged holder-bound credential is invalid offline too.
  return failed.length === 1 && failed[0] === 'holder-binding';
}

/** The Type Metadata document the kept bundle carries for `vct` (claim labels offline), or null. */
export async function keptTypeMetadata(vct: string): Promise<Record<string, unknown> | null> {
  const kept = await keptBundle();
  return kept ? (kept.typeMetadata[vct] ?? null) : null;
}
