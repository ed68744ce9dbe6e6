/**
 * Claim paths as a counter names them: the Type Metadata's claim path joined with `/`
 * (`name`, `age_equal_or_over/18`), and which paths a presentation's disclosures reveal.
 */
export const CLAIM_PATH = /^[a-z_][a-z0-9_]{0,63}(\/[A-Za-z0-9_]{1,64}){0,3}$/;

export function splitClaimPath(path: string): string[] {
  return path.split('/');
}

/** `['age_equal_or_over', 18]` → `age_equal_or_over/18`: the one written form of a claim path, in pages and APIs alike. */
export function joinClaimPath(path: ReadonlyArray<string | number>): string {
  return path.join('/');
}

interface DisclosureLike {
  digest: string;
  /** null for an array element disclosure, which names no claim. */
  name: string | null;
  value: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The path of every disclosure, found by where its digest sits: in an `_sd` of the payload or of a
 * disclosed object (RFC 9901 nested disclosures). A disclosure whose digest is nowhere is left out
 * (the signature check refuses it).
 */
export function disclosedPaths(payload: Record<string, unknown>, disclosures: readonly DisclosureLike[]): string[] {
  const byDigest = new Map(disclosures.map((disclosure) => [disclosure.digest, disclosure]));
  const found: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string[], depth: number): void => {
    if (depth > 8) return;
    const digests = Array.isArray(node._sd) ? node._sd : [];
    for (const digest of digests) {
      const disclosure = typeof digest === 'string' ? byDigest.get(digest) : undefined;
      if (disclosure?.name === undefined || disclosure.name === null) continue;
      const path = [...prefix, disclosure.name];
      found.push(path.join('/'));
      if (isRecord(disclosure.value)) walk(disclosure.value, path, depth + 1);
    }
    for (const [name, value] of Object.entries(node)) {
      if (name !== '_sd' && isRecord(value)) walk(value, [...prefix, name], depth + 1);
    }
  };
  walk(payload, [], 0);
  return found;
}

/** Disclosed paths that no asked path needs: neither asked, nor on the way to one, nor under one. */
export function notAsked(disclosed: readonly string[], asked: readonly string[]): string[] {
  return disclosed.filter((path) => !asked.some((want) => want === path || want.startsWith(`${path}/`) || path.startsWith(`${want}/`)));
}
