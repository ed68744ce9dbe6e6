/**
 * The rules of the holder-shown presentation (the wallet's dynamic QR code, no request from the
 * counter): the KB-JWT's `aud` is this well-known value, its `nonce` a one-time value the wallet
 * draws, and its `iat` within the window. The verifier remembers each nonce for longer than the
 * window, so the same QR code is accepted once. Shared by the wallet and the verifier.
 */
export const HOLDER_SHOWN_AUD = 'urn:cn:elicense:holder-shown';
export const HOLDER_SHOWN_WINDOW_SECONDS = 60;
/** A wallet nonce: 16 to 64 base64url characters (the wallet draws 16 random bytes). */
export const HOLDER_NONCE = /^[A-Za-z0-9_-]{16,64}$/;
