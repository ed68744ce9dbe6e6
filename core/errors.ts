/**
 * One list of error codes for every layer. The chaincode throws `[CODE] message`; both ledger
 * adapters recover the code from that text (Fabric only carries a string across the wire), and the
 * HTTP layer maps the code to a status. Callers branch on `code`, never on message text.
 */
export const ERROR_CODES = {
  // input
  BAD_REQUEST: 400,
  INVALID_ARGUMENT: 400,
  INVALID_FIELD: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  NESTING_TOO_DEEP: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNKNOWN_LICENSE_TYPE: 400,
  // identity and authorization
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  WRONG_PROVINCE: 403,
  NOT_AGENCY_ISSUER: 403,
  TYPE_NOT_ALLOWED: 403,
  AGENCY_INACTIVE: 403,
  // lookups
  NOT_FOUND: 404,
  LICENSE_NOT_FOUND: 404,
  AGENCY_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  STATUS_ENTRY_NOT_FOUND: 404,
  STATUS_LIST_NOT_FOUND: 404,
  // state conflicts
  ALREADY_EXISTS: 409,
  LICENSE_EXISTS: 409,
  AGENCY_EXISTS: 409,
  KEY_EXISTS: 409,
  LICENSE_REVOKED: 409,
  LICENSE_SUPERSEDED: 409,
  LICENSE_NOT_ACTIVE: 409,
  LICENSE_NOT_SUSPENDED: 409,
  INVALID_TRANSITION: 409,
  MVCC_CONFLICT: 409,
  IDEMPOTENCY_CONFLICT: 409,
  REQUEST_IN_PROGRESS: 409,
  LICENSE_PENDING: 409,
  STATUS_INDEX_TAKEN: 409,
  REQUEST_ANSWERED: 409,
  REQUEST_EXPIRED: 410,
  INVALID_PRESENTATION: 400,
  /** An answer not bound to this request (no KB-JWT where one is needed, another nonce or aud, a replay): the request stays open. */
  HOLDER_BINDING_FAILED: 400,
  /** A request closed after too many answers that failed holder binding. */
  TOO_MANY_ATTEMPTS: 429,
  ALREADY_RATED: 409,
  // offline bundles: one refused as a whole (signature, chain, shape), or a node that cannot sign one
  BUNDLE_REFUSED: 422,
  BUNDLE_UNAVAILABLE: 503,
  // limits
  RATE_LIMITED: 429,
  /** A counter's cap on pending presentation requests, or on open event streams. */
  TOO_MANY_OPEN_REQUESTS: 429,
  TOO_MANY_STREAMS: 429,
  // infrastructure
  LEDGER_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  COMMIT_STATUS_UNKNOWN: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** The one error type of the project: a stable code, a human message, and optional details. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
    if (details) this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }

  /** The form the chaincode puts on the wire: `[CODE] message`. */
  toWire(): string {
    return `[${this.code}] ${this.message}`;
  }
}

const WIRE_CODE = /\[([A-Z][A-Z0-9_]*)\] ?([^\n]*)/;

/**
 * Recovers a RegistryError from text that carries `[CODE] message` somewhere in it (a peer wraps
 * the chaincode's message in its own prose, e.g. "chaincode response 500, [LICENSE_REVOKED] …").
 * Returns undefined when no known code is present.
 */
export function parseWireError(text: string): RegistryError | undefined {
  const match = WIRE_CODE.exec(text);
  if (!match) return undefined;
  const [, code = '', message = ''] = match;
  if (!isErrorCode(code)) return undefined;
  return new RegistryError(code, message.trim());
}
