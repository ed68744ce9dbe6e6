/**
 * The wallet module: the wallet page and the tests import this and nothing deeper, except the
 * IndexedDB storage (storage-indexeddb.ts), which only a browser can load. The Wallet class is the
 * way in (redeem, list, present, show a QR, answer a counter, receipts); the protocol steps are
 * exported too, for a page that shows each step and for tests that build attacks from them.
 */
export { Wallet, registryTypeMetadataUrl } from './wallet';
export type { ClaimView, CredentialView, DisclosurePlan, Lang, PresentationInput, WalletOptions } from './wallet';
export { MemoryWalletStorage } from './storage';
export type { PresentationLogEntry, StoredCredential, TypeMetadata, WalletStorage } from './storage';
export { WalletError } from './errors';
export type { WalletErrorCode } from './errors';
export { generateHolderKey, jwkThumbprint, signEs256, signJwt, sha256 } from './holder-key';
export type { HolderKey, HolderPublicJwk } from './holder-key';
export {
  PRE_AUTHORIZED_CODE_GRANT,
  createProofJwt,
  credentialIdOf,
  fetchIssuerMetadata,
  parseCredentialOffer,
  requestAccessToken,
  requestCredential,
  requestNonce,
  resolveCredentialOffer,
} from './oid4vci';
export type { ParsedCredentialOffer, ProtocolContext } from './oid4vci';
export { fetchRequestObject, matchDcqlQuery, parseAuthorizationRequest, submitDirectPost } from './openid4vp';
export type { AnswerOptions, AnswerOutcome, DcqlMatch, DcqlQuery, VerifierRequest } from './openid4vp';
export { DEFAULT_HOLDER_SHOWN_CLAIMS } from './holder-qr';
export type { HolderQr } from './holder-qr';
export { RECEIPT_REQUEST_TYP, holderProof } from './receipts';
export type { Receipt } from './receipts';
export { presentationFrame } from './sd-jwt';
export type { ClaimPath } from './sd-jwt';
