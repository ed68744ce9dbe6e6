/**
 * The wallet module: the wallet page and the tests import this and nothing deeper, except the
 * IndexedDB storage (storage-indexeddb.ts), which only a browser can load.
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
export { presentationFrame } from './sd-jwt';
export type { ClaimPath } from './sd-jwt';
