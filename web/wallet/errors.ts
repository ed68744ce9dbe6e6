/** The wallet's one error type: a stable code the page branches on, never the message text. */
export type WalletErrorCode =
  | 'OFFER_INVALID'
  | 'TX_CODE_REQUIRED'
  | 'ISSUER_METADATA_INVALID'
  | 'TOKEN_REFUSED'
  | 'CREDENTIAL_REFUSED'
  | 'CREDENTIAL_INVALID'
  | 'CREDENTIAL_NOT_FOUND'
  | 'KEY_NOT_FOUND'
  | 'UNKNOWN_CLAIM'
  | 'REQUEST_INVALID'
  | 'RECEIPTS_REFUSED'
  /** A URL neither https nor http on this machine: nothing is sent to it. */
  | 'INSECURE_URL';

export class WalletError extends Error {
  readonly code: WalletErrorCode;
  /** For refusals by an issuer: the OAuth `error` it answered (e.g. `invalid_grant`). */
  readonly oauthError: string | undefined;

  constructor(code: WalletErrorCode, message: string, oauthError?: string) {
    super(message);
    this.name = 'WalletError';
    this.code = code;
    this.oauthError = oauthError;
  }
}
