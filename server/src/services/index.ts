/**
 * What the HTTP layer may call: the services, built once in app.ts. HTTP sees only this, never
 * the store, a port or the ledger, so a route cannot bypass the rules a service keeps.
 */
import type { AdminService } from './admin';
import type { CredentialQrService } from './credential-qr';
import type { HealthService } from './health';
import type { IssuanceService } from './issuance';
import type { IssuerMetadataService } from './issuer-metadata';
import type { LedgerReaders } from './ledger-readers';
import type { LifecycleService } from './lifecycle';
import type { Oid4vciIssuerService } from './oid4vci-issuer';
import type { OfflineBundleService } from './offline-bundle';
import type { PresentationsService } from './presentations';
import type { PrincipalsService } from './principals';
import type { PublicBaseUrl } from './public-base-url';
import type { ReceiptsService } from './receipts';
import type { RegistryInfoService } from './registry-info';
import type { StatusListService } from './status-lists';
import type { VerificationService } from './verification';
import type { VerificationLogService } from './verification-log';

/** The rows a principal carries, which routes read (the agency's id and province, the counter's id). */
export type { AgencyRow, CounterRow } from '../ports/store';

/** The configuration the HTTP edge needs (read from the environment by config.ts). */
export interface HttpSettings {
  /** Unauthenticated requests per minute per client address. */
  publicRateLimit: number;
  /** Failed authentications per minute per client address before 429. */
  authFailureLimit: number;
  /** Express's `trust proxy`: false, a hop count, or the trusted addresses and subnets. */
  trustProxy: false | number | string[];
}

export interface Services {
  settings: HttpSettings;
  principals: Pick<PrincipalsService, 'authenticate'>;
  readers: LedgerReaders;
  issuance: IssuanceService;
  lifecycle: LifecycleService;
  verification: VerificationService;
  verificationLog: VerificationLogService;
  credentialQr: CredentialQrService;
  info: RegistryInfoService;
  /** OpenID4VCI: offers, metadata, token, nonce and credential endpoints. */
  oid4vci: Oid4vciIssuerService;
  offline: OfflineBundleService;
  health: HealthService;
  /** The node's public base URL: issuer URLs, metadata and Type Metadata locations. */
  publicBase: Pick<PublicBaseUrl, 'get'>;
  issuerMetadata: Pick<IssuerMetadataService, 'metadata'>;
  /** Province administration: agencies, keys, counters, API keys (admin keys only). */
  admin: AdminService;
  statusLists: Pick<StatusListService, 'token'>;
  presentations: PresentationsService;
  receipts: ReceiptsService;
}
