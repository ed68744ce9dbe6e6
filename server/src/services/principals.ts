/**
 * Who is calling: an agency (issues and manages its own licenses), a service counter (verifies),
 * or the public. API keys look like `elk_<16 hex id>_<43 base64url secret>`; only the SHA-256 of
 * the secret is stored, compared in constant time, and a verified key is remembered briefly so a
 * counter scanning all day costs no store round trip per scan.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { RegistryError } from '../../../core/errors';
import type { Clock } from '../ports/clock';
import type { AgencyRow, ApiKeyKind, ApiKeyRow, CounterRow, Store } from '../ports/store';

/** An admin key speaks for one province's administration (the province's role=admin ledger identity acts for it). */
export type Principal = { kind: 'agency'; agency: AgencyRow } | { kind: 'counter'; counter: CounterRow } | { kind: 'admin'; province: string };

const TOKEN = /^elk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const CACHE_MS = 30000;
const CACHE_ENTRIES = 10000;

export interface IssuedApiKey {
  id: string;
  token: string;
}

/** What one key id resolved to; `principal: null` for an id that is unknown or revoked. */
interface KnownKey {
  principal: Principal | null;
  hash: Buffer;
}

function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export class PrincipalsService {
  /**
   * Unknown ids are remembered too, with a hash no secret has: an unknown id then costs what a
   * wrong secret for a known id costs (one cache hit, one constant-time compare), so timing does
   * not tell a guesser which ids exist, and repeating a guess costs the store nothing.
   */
  private readonly cache = new LRUCache<string, KnownKey>({ max: CACHE_ENTRIES, ttl: CACHE_MS });
  private readonly unknownHash = secretHash(randomBytes(32).toString('base64url'));
  /** Bumped by every revocation: a look-up that a revocation overtook must not cache what it read. */
  private revocations = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async createApiKey(kind: ApiKeyKind, principalId: string, province: string): Promise<IssuedApiKey> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.store.insertApiKey({
      id,
      principalKind: kind,
      principalId,
      province,
      secretHash: secretHash(secret),
      createdAt: this.clock().toISOString(),
      revokedAt: null,
    });
    this.cache.delete(id);
    return { id, token: `elk_${id}_${secret}` };
  }

  async revokeApiKey(id: string): Promise<void> {
    this.revocations += 1;
    await this.store.revokeApiKey(id, this.clock().toISOString());
    this.revocations += 1;
    this.cache.delete(id);
  }

  /** The principal of a bearer token; UNAUTHENTICATED for anything else, with no hint which part failed. */
  async authenticate(token: string): Promise<Principal> {
    // A function, not a prepared error: building an Error captures a stack, on every request.
    const refused = () => new RegistryError('UNAUTHENTICATED', 'the API key is not valid');
    const match = TOKEN.exec(token);
    if (!match) throw refused();
    const [, id = '', secret = ''] = match;
    const known = this.cache.get(id) ?? (await this.lookUp(id));
    // Always one compare of equal-length hashes, whichever way the id resolved.
    if (!timingSafeEqual(secretHash(secret), known.hash) || known.principal === null) throw refused();
    return known.principal;
  }

  private async lookUp(id: string): Promise<KnownKey> {
    const revocationsBefore = this.revocations;
    const row = await this.store.getApiKey(id);
    const principal = row?.revokedAt === null ? await this.principalOf(row) : null;
    const known: KnownKey = principal && row ? { principal, hash: row.secretHash } : { principal: null, hash: this.unknownHash };
    if (this.revocations === revocationsBefore) this.cache.set(id, known);
    return known;
  }

  private async principalOf(row: ApiKeyRow): Promise<Principal | null> {
    if (row.principalKind === 'admin') return { kind: 'admin', province: row.principalId };
    if (row.principalKind === 'agency') {
      const agency = await this.store.getAgency(row.principalId);
      return agency ? { kind: 'agency', agency } : null;
    }
    const counter = await this.store.getCounter(row.principalId);
    return counter ? { kind: 'counter', counter } : null;
  }

  /** Forgets whatever is remembered about a principal (its name, types or services changed). */
  forget(principalId: string): void {
    for (const [id, entry] of this.cache.entries()) {
      const p = entry.principal;
      if (p === null) continue;
      const entryId = p.kind === 'agency' ? p.agency.id : p.kind === 'counter' ? p.counter.id : p.province;
      if (entryId === principalId) this.cache.delete(id);
    }
  }
}
