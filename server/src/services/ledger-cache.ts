/**
 * Read-through caches of what verification reads from the ledger on every scan — the issuer key
 * by kid and the license anchor by id — invalidated by the ledger's own chaincode events, so a
 * revocation committed anywhere is seen by the next verification here. A short time-to-live
 * bounds staleness should an event ever be missed (a Fabric event stream reconnecting).
 *
 * Only positive answers are cached: "no such license" must not outlive its issuance.
 */
import { LRUCache } from 'lru-cache';
import type { LicenseAnchor, ResolvedKey } from '../../../core/anchor';
import type { LedgerEvent } from '../ports/ledger';
import type { TrustSource } from '../ports/trust-source';
import type { RegistryLedger } from './registry-ledger';

export interface LedgerCacheOptions {
  anchorTtlMs: number;
  keyTtlMs: number;
  maxEntries: number;
}

/**
 * One cache with event invalidation. A read in flight when its key is invalidated must not cache
 * what it read (it may predate the change): each load carries a token that invalidation marks
 * stale. Only keys with loads in flight are tracked, so nothing grows with the ledger.
 */
class InvalidatedCache<T extends object> {
  private readonly entries: LRUCache<string, T>;
  private readonly loading = new Map<string, Set<{ stale: boolean }>>();

  constructor(ttlMs: number, maxEntries: number) {
    this.entries = new LRUCache<string, T>({ max: maxEntries, ttl: ttlMs });
  }

  async get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const token = { stale: false };
    const tokens = this.loading.get(key) ?? new Set();
    tokens.add(token);
    this.loading.set(key, tokens);
    try {
      const value = await load();
      if (value !== null && !token.stale) this.entries.set(key, value);
      return value;
    } finally {
      tokens.delete(token);
      if (tokens.size === 0 && this.loading.get(key) === tokens) this.loading.delete(key);
    }
  }

  invalidate(key: string): void {
    this.entries.delete(key);
    for (const token of this.loading.get(key) ?? []) token.stale = true;
  }

  invalidateWhere(match: (value: T) => boolean): void {
    const matching = [...this.entries.entries()].filter(([, value]) => match(value)).map(([key]) => key);
    for (const key of matching) this.invalidate(key);
  }
}

const TRUST_EVENTS = new Set(['AgencyRegistered', 'AgencyUpdated', 'AgencyKeyRotated']);

export class LedgerCache {
  private readonly anchors: InvalidatedCache<LicenseAnchor>;
  private readonly keys: InvalidatedCache<ResolvedKey>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ledger: RegistryLedger,
    options: LedgerCacheOptions = { anchorTtlMs: 2000, keyTtlMs: 30000, maxEntries: 100000 },
  ) {
    this.anchors = new InvalidatedCache(options.anchorTtlMs, options.maxEntries);
    this.keys = new InvalidatedCache(options.keyTtlMs, options.maxEntries);
    this.unsubscribe = ledger.port.onEvent((event) => this.onEvent(event));
  }

  private onEvent(event: LedgerEvent): void {
    let payload: { licenses?: Array<{ id: string }>; id?: string };
    try {
      payload = JSON.parse(event.payload.toString('utf8')) as typeof payload;
    } catch {
      return;
    }
    for (const license of payload.licenses ?? []) this.anchors.invalidate(license.id);
    if (TRUST_EVENTS.has(event.name) && payload.id) {
      const agencyId = payload.id;
      this.keys.invalidateWhere((key) => key.agency.id === agencyId);
    }
  }

  anchor(identity: string, licenseId: string): Promise<LicenseAnchor | null> {
    return this.anchors.get(licenseId, () => this.ledger.readLicense(identity, licenseId));
  }

  key(identity: string, kid: string): Promise<ResolvedKey | null> {
    return this.keys.get(kid, () => this.ledger.resolveKey(identity, kid));
  }

  /** The online TrustSource: the ledger, read through `identity` (a verifier's own province's peer). */
  trustSource(identity: string): TrustSource {
    return {
      description: 'the ledger',
      resolveKey: (kid) => this.key(identity, kid),
      anchor: (licenseId) => this.anchor(identity, licenseId),
      agency: async (agencyId) => this.ledger.getAgency(identity, agencyId),
    };
  }

  close(): void {
    this.unsubscribe();
  }
}
