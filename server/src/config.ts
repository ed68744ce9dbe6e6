/**
 * The one place that reads the environment. Every setting is validated here, so a typo in an
 * operator's environment stops the start with a message naming the variable.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isLoopbackHttpUrl } from '../../core/loopback-url';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  WALLET_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.url().optional(),
  /** A PostgreSQL schema to keep this registry's tables in (default: public). */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .optional(),
  /** Requests per minute per client address on the public, unauthenticated endpoints. */
  PUBLIC_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
  /** Failed authentications per minute per client address before its requests with a key get 429. */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  /**
   * Which proxies to believe about the client address (X-Forwarded-For): a hop count (`1`) or a
   * comma list of addresses and subnets (`loopback`, `10.0.0.0/8`); unset: none, the socket's address.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(\d{1,2}|false|[\w.:/,\s-]+)$/)
    .refine((value) => value !== 'true', 'name the proxies or a hop count: `true` would let any client choose its address')
    .optional(),
  /** Milliseconds a client gets to send its request headers, and its whole request. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
  /** Milliseconds a stop waits for in-flight requests before cutting their connections. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10000),
  /** Days a verification stays in the audit log (and a day's count of rejected junk). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  /** pino level: each request is logged at debug when it succeeded, info when refused, error when it failed. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEDGER: z.enum(['embedded', 'fabric']).default('embedded'),
  /** Create the demo provinces, agencies, counters and keys on first start (default: on for the embedded ledger only). */
  DEMO: z.enum(['true', 'false', '1', '0', 'on', 'off']).optional(),
  /** base64 of 32 bytes; default: a key file created under DATA_DIR. */
  STORE_KEY: z.string().optional(),
  /** base64 of ≥ 32 bytes; provinces that want cross-province holder look-ups share it. */
  HOLDER_REF_KEY: z.string().optional(),
  PUBLIC_URL: z.url().optional(),
  /** How long a credential offer stays redeemable: seconds, or a number with s, m, h or d (default 7 days). */
  OFFER_TTL: z
    .string()
    .regex(/^\d{1,9}[smhd]?$/, 'must be a duration such as 604800, 30m, 12h or 7d')
    .default('7d'),
  /** LEDGER=fabric: the state file `npm run network:up` writes (profiles, identities, agencies). */
  FABRIC_NETWORK: z.string().min(1).default('network/.run/state.json'),
  /** LEDGER=fabric: the province (GB/T 2260 code) this server is the node of. */
  FABRIC_PROVINCE: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  /** LEDGER=fabric: 'network' waits for every peer's commit (default), 'organization' for our own. */
  FABRIC_COMMIT_SCOPE: z.enum(['network', 'organization']).default('network'),
  /** Seconds a counter's presentation request stays open. */
  PRESENTATION_REQUEST_TTL: z.coerce.number().int().min(10).max(3600).default(300),
  /** Pending presentation requests one counter may hold at once (a busy hall has a few screens, not hundreds). */
  COUNTER_MAX_OPEN_REQUESTS: z.coerce.number().int().min(1).max(10000).default(50),
  /** Server-Sent Event streams one counter may hold open at once (one per waiting page). */
  COUNTER_MAX_STREAMS: z.coerce.number().int().min(1).max(10000).default(20),
  /** Seconds between anchors of the receipt chain head on the ledger (at most a minute). */
  RECEIPT_ANCHOR_INTERVAL: z.coerce.number().int().min(1).max(60).default(30),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  walletDir: string;
  ledgerDir: string;
  databaseUrl: string | null;
  databaseSchema: string | null;
  publicRateLimit: number;
  authFailureLimit: number;
  auditRetentionDays: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Express's `trust proxy`: false, a hop count, or the trusted addresses and subnets. */
  trustProxy: false | number | string[];
  ledger: 'embedded' | 'fabric';
  demo: boolean;
  http: { headersTimeoutMs: number; requestTimeoutMs: number; shutdownTimeoutMs: number };
  storeKey: string | null;
  holderRefKey: string | null;
  publicUrl: string | null;
  /** Credential offers (OpenID4VCI) expire this long after they are made. */
  offerTtlMs: number;
  fabric: { networkState: string; province: string | null; commitScope: 'network' | 'organization' };
  presentationRequestTtlSeconds: number;
  /** Per counter: pending presentation requests and open event streams. */
  counterLimits: { openRequests: number; streams: number };
  receiptAnchorIntervalSeconds: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60000, h: 3600000, d: 86400000 };

function durationMs(text: string): number {
  const unit = /[smhd]$/.test(text) ? text.slice(-1) : 's';
  const ms = Number.parseInt(text, 10) * (UNIT_MS[unit] ?? 1000);
  if (ms <= 0) throw new ConfigError('environment variable OFFER_TTL: must be longer than zero');
  return ms;
}

function trustProxyOf(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * PUBLIC_URL is the base of every issuer URL (`iss`) and of the metadata wallets fetch: https,
 * as SD-JWT VC issuer metadata requires, except on a loopback host (the local default).
 */
function checkPublicUrl(value: string): void {
  const url = new URL(value);
  if (url.protocol !== 'https:' && !isLoopbackHttpUrl(value)) {
    throw new ConfigError('environment variable PUBLIC_URL: must be an https URL (plain http only on a loopback host such as 127.0.0.1)');
  }
  if (url.search !== '' || url.hash !== '') throw new ConfigError('environment variable PUBLIC_URL: must not carry a query or fragment');
}

/** The environment, each variable checked on its own; an empty value counts as unset. */
function parseEnvironment(env: NodeJS.ProcessEnv): z.infer<typeof schema> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new ConfigError(`environment variable ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnvironment(env);
  if (e.LEDGER === 'fabric' && !e.FABRIC_PROVINCE)
    throw new ConfigError('environment variable FABRIC_PROVINCE: LEDGER=fabric needs the code of the province this server serves, e.g. 330000');
  if (e.PUBLIC_URL !== undefined) checkPublicUrl(e.PUBLIC_URL);
  const dataDir = resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    // Both ledgers' identities live under wallet/, one folder each: the same labels (admin@ZhejiangMSP)
    // name different certificates on the embedded ledger's local CAs and on Fabric CA.
    walletDir: resolve(e.WALLET_DIR ?? join('wallet', e.LEDGER)),
    ledgerDir: resolve(dataDir, 'ledger'),
    databaseUrl: e.DATABASE_URL ?? null,
    databaseSchema: e.DATABASE_SCHEMA ?? null,
    publicRateLimit: e.PUBLIC_RATE_LIMIT,
    authFailureLimit: e.AUTH_FAILURE_LIMIT,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    trustProxy: trustProxyOf(e.TRUST_PROXY),
    ledger: e.LEDGER,
    demo: e.DEMO === undefined ? e.LEDGER === 'embedded' : ['true', '1', 'on'].includes(e.DEMO),
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      // Node requires the request timeout to be at least the headers timeout.
      requestTimeoutMs: Math.max(e.HTTP_REQUEST_TIMEOUT_MS, e.HTTP_HEADERS_TIMEOUT_MS),
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
    storeKey: e.STORE_KEY ?? null,
    holderRefKey: e.HOLDER_REF_KEY ?? null,
    publicUrl: e.PUBLIC_URL ?? null,
    offerTtlMs: durationMs(e.OFFER_TTL),
    fabric: { networkState: resolve(e.FABRIC_NETWORK), province: e.FABRIC_PROVINCE ?? null, commitScope: e.FABRIC_COMMIT_SCOPE },
    presentationRequestTtlSeconds: e.PRESENTATION_REQUEST_TTL,
    counterLimits: { openRequests: e.COUNTER_MAX_OPEN_REQUESTS, streams: e.COUNTER_MAX_STREAMS },
    receiptAnchorIntervalSeconds: e.RECEIPT_ANCHOR_INTERVAL,
  };
}
