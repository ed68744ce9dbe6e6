/**
 * What the province administration and the node's landing page answer, as types shared by the
 * server (services/admin.ts, services/registry-info.ts) and the pages (web/), which may import
 * types from core only.
 */
import type { Agency } from './anchor';

/** What this node is, for its landing page: nothing secret, nothing personal. */
export interface NodeDescription {
  provinces: Array<{ code: string; name: string; mspId: string }>;
  ledger: 'embedded' | 'fabric';
  store: 'PGlite' | 'PostgreSQL';
  version: string;
}

export interface AgencyView {
  id: string;
  name: string;
  province: string;
  status: Agency['status'];
  licenseTypes: string[];
  keys: Array<{ kid: string; status: string; createdAt: string; retiredAt: string | null }>;
  /** Whether this node holds the agency's active signing key (it can issue from here). */
  issuesHere: boolean;
  updatedTxId: string;
}

/** Who an API key speaks for: an agency, a counter, or a province's administration. */
export type ApiKeyKind = 'agency' | 'counter' | 'admin';

export interface ApiKeyView {
  id: string;
  kind: ApiKeyKind;
  principalId: string;
  province: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A counter's service as data: what it asks a holder to show (the presentation flows' counter services). */
export interface CounterService {
  id: string;
  names: { zh: string; en: string };
  licenseType: string;
  /** Claim paths as the Type Metadata names them, `/` between levels: `name`, `age_equal_or_over/18`. */
  claims: string[];
  /** Whether the printed form (no holder key) is accepted at this service. */
  acceptsUnbound: boolean;
}

export interface CounterView {
  id: string;
  name: string;
  province: string;
  createdAt: string;
  services: CounterService[];
}
