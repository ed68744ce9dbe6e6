/**
 * Who is calling: an agency (issues and manages its own licenses), a service counter (verifies),
 * or the public. API keys look like `elk_<16 hex id>_<43 base64url secret>`; only the SHA-256 of
 * the secret is stored, compared in constant time, and a verified key is remembered briefly so a
 * counter scanning all day costs no store round trip per scan.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RegistryError } from '../../../core/errors';
import type { Clock } from '../ports/clock';
import type { AgencyRow, CounterRow, PrincipalKind, Store } from '../ports/store';

export type Principal = { kind: 'agency'; agency: AgencyRow } | { kind: 'counter'; counter: CounterRow };

const TOKEN = /^elk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const CACHE_MS = 30000;

export interface IssuedApiKey {
  id: string;
  token: string;
}

function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export class PrincipalsService {
  private readonly cache = new Map<string, { principal: Principal; hash: Buffer; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async createApiKey(kind: PrincipalKind, principalId: string, province: string): Promise<IssuedApiKey> {
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
    return { id, token: `elk_${id}_${secret}` };
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.store.revokeApiKey(id, this.clock().toISOString());
    this.cache.delete(id);
  }

  /** The principal of a bearer token; UNAUTHENTICATED for anything else, with no hint which part failed. */
  async authenticate(token: string): Promise<Principal> {
    // A function, not a prepared error: building an Error captures a stack, on every request.
    const refused = () => new RegistryError('UNAUTHENTICATED', 'the API key is not valid');
    const match = TOKEN.exec(token);
    if (!match) throw refused();
    const [, id = '', secret = ''] = match;
    const presented = secretHash(secret);
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) {
      if (!timingSafeEqual(presented, cached.hash)) throw refused();
      return cached.principal;
    }
    const row = await this.store.getApiKey(id);
    if (!row || row.revokedAt !== null || !timingSafeEqual(presented, row.secretHash)) throw refused();
    let principal: Principal;
    if (row.principalKind === 'agency') {
      const agency = await this.store.getAgency(row.principalId);
      if (!agency) throw refused();
      principal = { kind: 'agency', agency };
    } else {
      const counter = await this.store.getCounter(row.principalId);
      if (!counter) throw refused();
      principal = { kind: 'counter', counter };
    }
    this.cache.set(id, { principal, hash: row.secretHash, until: Date.now() + CACHE_MS });
    return principal;
  }
}
