/**
 * The composition root: the only module that knows both the ports and the adapters behind them.
 * `openRegistry` opens the store, the wallet and the ledger the config names, builds the services
 * over them and creates the demo on first start; once the server listens, `listening` finishes
 * issuances a crash left open (their credentials need the public base URL).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { vctOf } from '../../core/credential';
import { typeMetadata } from '../../core/type-metadata';
import { lockDataDir } from './adapters/data-dir-lock';
import { makePrivate, privateFileCreation } from './adapters/data-dir-permissions';
import { openEmbeddedNode } from './adapters/embedded-ledger/embedded-node';
import { NodeSignatureVerifier } from './adapters/signatures/node-signatures';
import { openFabricNode } from './adapters/fabric-ledger/fabric-node';
import { WalletCertifiedSigner } from './adapters/identity/certified-jwt';
import { IdentityWallet } from './adapters/identity/wallet';
import { JoseKeys } from './adapters/keys/jose-keys';
import { QrCodeRenderer } from './adapters/qr/qrcode-renderer';
import { openPgliteStore, openPostgresStore } from './adapters/store/open-store';
import { systemClock, type Clock } from './ports/clock';
import type { Keys } from './ports/keys';
import type { Ledger } from './ports/ledger';
import type { QrRenderer } from './ports/qr';
import type { Store, VerificationLogEntry } from './ports/store';
import { AdminService, bindProvinces } from './services/admin';
import { AuditRetention, recordVerifications } from './services/audit-log';
import { GroupCommit } from './services/group-commit';
import { HolderBinding } from './services/holder-binding';
import type { DemoAgency, ProvinceNode } from './ports/province-node';
import { CredentialIssuer } from './services/credential-issuer';
import { CredentialQrService } from './services/credential-qr';
import { DEMO_AGENCIES, DEMO_COUNTERS, DEMO_PROVINCES, createDemo, type DemoFile } from './services/demo';
import { HealthService } from './services/health';
import type { Services } from './services/index';
import { IssuanceService } from './services/issuance';
import { IssuerMetadataService } from './services/issuer-metadata';
import { LedgerCache } from './services/ledger-cache';
import { LedgerReaders } from './services/ledger-readers';
import { LifecycleService } from './services/lifecycle';
import { RegistryHolderBoundIssuer } from './services/holder-bound-credential';
import { Oid4vciIssuerService } from './services/oid4vci-issuer';
import { OfflineBundleService, statusListContents } from './services/offline-bundle';
import { PrincipalsService } from './services/principals';
import { PresentationsService, seedCounterServices, verifierKeyOf } from './services/presentations';
import { PublicBaseUrl } from './services/public-base-url';
import { ReceiptsService } from './services/receipts';
import { RegistryInfoService } from './services/registry-info';
import { RegistryLedger } from './services/registry-ledger';
import { SigningKeysService } from './services/signing-keys';
import { StatusListService } from './services/status-lists';
import { VerificationService } from './services/verification';
import { VerificationLogService } from './services/verification-log';

export interface Registry {
  config: Config;
  clock: Clock;
  store: Store;
  ledger: RegistryLedger;
  nodes: ProvinceNode[];
  keys: Keys;
  qr: QrRenderer;
  principals: PrincipalsService;
  signingKeys: SigningKeysService;
  issuance: IssuanceService;
  lifecycle: LifecycleService;
  verification: VerificationService;
  presentations: PresentationsService;
  receipts: ReceiptsService;
  info: RegistryInfoService;
  admin: AdminService;
  oid4vci: Oid4vciIssuerService;
  offline: OfflineBundleService;
  /** The node's public base URL (PUBLIC_URL, else http://127.0.0.1:<port> once listening). */
  publicBase: PublicBaseUrl;
  /** The one credential issuing function (printed form here; the wallet form with holderJwk, status from the status list). */
  credentials: CredentialIssuer;
  /** `/.well-known/jwt-vc-issuer/<issuer path>` documents, by issuer path prefix. */
  issuerMetadata: IssuerMetadataService;
  /** Token Status Lists derived from the ledger: entries for credentials, the served tokens, the province keys. */
  statusLists: StatusListService;
  /** Called by the server once it listens on `port`: fixes the base URL, then finishes issuances a crash left open. */
  listening(port: number): Promise<void>;
  audit: GroupCommit<VerificationLogEntry>;
  retention: AuditRetention;
  /** What the HTTP layer is given: services only. */
  services: Services;
  /** The demo's keys when this start created it, else null. */
  demo: DemoFile | null;
  close(): Promise<void>;
}

export interface RegistryOverrides {
  clock?: Clock;
  /** Where log lines go (one JSON line per call) instead of stdout. */
  log?: (line: string) => void;
  /** The logger itself, when the caller made it (startServer shares one with the HTTP layer). */
  logger?: Logger;
}

/** A 32-byte secret from the environment (base64) or from a 0600 file under DATA_DIR, made on first use. */
function secret(variable: 'STORE_KEY' | 'HOLDER_REF_KEY', fromEnv: string | null, path: string): Buffer {
  if (fromEnv !== null) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length < 32) throw new ConfigError(`environment variable ${variable}: must be base64 of at least 32 bytes`);
    return key.subarray(0, 32);
  }
  if (existsSync(path)) return readFileSync(path);
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}

function writeDemoFile(dataDir: string, demo: DemoFile): void {
  const path = join(dataDir, 'demo.json');
  // Written last and atomically: its presence means the demo is complete.
  writeFileSync(`${path}.tmp`, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  chmodSync(path, 0o600);
}

interface OpenedLedger {
  port: Ledger;
  nodes: ProvinceNode[];
  agencies: readonly DemoAgency[];
  issuerIdentity: (node: ProvinceNode, agencyId: string) => Promise<string>;
}

/** The one place that chooses the ledger: nothing above the port knows which one it got. */
async function openLedger(config: Config, wallet: IdentityWallet): Promise<OpenedLedger> {
  if (config.ledger === 'fabric') {
    const node = await openFabricNode({
      statePath: config.fabric.networkState,
      province: config.fabric.province as string,
      wallet,
      commitScope: config.fabric.commitScope,
    });
    return { port: node.ledger, nodes: node.nodes, agencies: node.agencies, issuerIdentity: (province, agencyId) => node.issuerIdentity(province, agencyId) };
  }
  const node = await openEmbeddedNode({ dataDir: config.dataDir, ledgerDir: config.ledgerDir, wallet, provinces: DEMO_PROVINCES });
  return { port: node.ledger, nodes: node.nodes, agencies: DEMO_AGENCIES, issuerIdentity: (province, agencyId) => node.issuerIdentity(province, agencyId) };
}

export async function openRegistry(config: Config, overrides: RegistryOverrides = {}): Promise<Registry> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(overrides.log);
  // Services take a plain function: they know nothing of pino.
  const log = (line: string) => logger.warn(line);
  privateFileCreation();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  makePrivate(config.dataDir, 'DATA_DIR');
  const unlock = lockDataDir(config.dataDir);
  const encryptionKey = secret('STORE_KEY', config.storeKey, join(config.dataDir, 'keys', 'store.key'));
  const holderRefKey = secret('HOLDER_REF_KEY', config.holderRefKey, join(config.dataDir, 'keys', 'holder-ref.key'));

  let store: Store;
  try {
    store = config.databaseUrl
      ? await openPostgresStore({ databaseUrl: config.databaseUrl, encryptionKey, schema: config.databaseSchema ?? undefined })
      : await openPgliteStore({ dataDir: join(config.dataDir, 'store'), encryptionKey });
  } catch (error) {
    unlock();
    throw error;
  }
  // PGlite writes its files 0666 whatever the umask; the 0700 folders above already keep others
  // out, and its files are tightened once it has opened and again when it closes.
  makePrivate(config.dataDir, 'DATA_DIR');
  let ledgerPort: Ledger | null = null;
  try {
    const wallet = await IdentityWallet.open(config.walletDir);
    // The wallet holds the ledger identities' private keys.
    makePrivate(config.walletDir, 'WALLET_DIR');
    const opened = await openLedger(config, wallet);
    ledgerPort = opened.port;
    const ledger = new RegistryLedger(opened.port);
    const keys = new JoseKeys();
    const signingKeys = new SigningKeysService(store, keys, clock);
    const principals = new PrincipalsService(store, clock);
    const cache = new LedgerCache(ledger);
    const audit = new GroupCommit<VerificationLogEntry>((entries) => recordVerifications(store, entries));
    const retention = new AuditRetention(store, clock, config.auditRetentionDays, log);
    await retention.start();
    const publicBase = new PublicBaseUrl(config.publicUrl);
    const credentials = new CredentialIssuer({ keys, signingKeys, clock, baseUrl: publicBase });
    const statusLists = new StatusListService({ ledger, keys, signingKeys, clock, nodes: opened.nodes, baseUrl: () => publicBase.get() });
    const qr = new QrCodeRenderer();
    /** The issuing identity of an agency on the ledger: status entries are registered and invalidated as the agency. */
    const issuerIdentityOf = async (agencyId: string): Promise<string> => {
      const agency = await store.getAgency(agencyId);
      if (!agency) throw new ConfigError(`agency ${agencyId} is not in the store`);
      return agency.identityLabel;
    };
    const oid4vci: Oid4vciIssuerService = new Oid4vciIssuerService({
      store,
      clock,
      keys,
      qr,
      boundIssuer: new RegistryHolderBoundIssuer({
        credentials,
        requestOf: (license) => issuance.credentialRequestOf(license),
        statusEntries: {
          register: async (agencyId, licenseId) => statusLists.register(await issuerIdentityOf(agencyId), agencyId, licenseId),
          invalidate: async (agencyId, entry) => {
            await statusLists.invalidate(await issuerIdentityOf(agencyId), agencyId, entry);
          },
        },
      }),
      baseUrl: () => publicBase.get(),
      offerTtlMs: config.offerTtlMs,
      log,
    });
    const issuance: IssuanceService = new IssuanceService({
      store,
      ledger,
      credentials,
      clock,
      holderRefKey,
      publicUrl: config.publicUrl ?? '',
      statusLists,
      offerFor: (row, agency) => oid4vci.createOffer(row, agency),
    });
    const info = new RegistryInfoService(ledger, clock, {
      provinces: opened.nodes.map((node) => ({ code: node.code, name: node.name, mspId: node.mspId })),
      ledger: config.ledger,
      store: config.databaseUrl ? 'PostgreSQL' : 'PGlite',
      version: '0.1.0',
    });
    const offline = new OfflineBundleService({
      ledger,
      info,
      signer: new WalletCertifiedSigner(wallet),
      contents: statusListContents(statusLists),
      nodes: opened.nodes,
      clock,
      cacheMs: 5000,
    });
    let demo: DemoFile | null = null;
    if (config.demo && !existsSync(join(config.dataDir, 'demo.json'))) {
      demo = await createDemo({ store, ledger, signingKeys, principals, clock, issuerIdentity: opened.issuerIdentity }, opened.nodes, opened.agencies);
      // Once, with the demo: an administrator who later deletes a demo counter's services keeps them deleted across restarts.
      await seedCounterServices(
        store,
        DEMO_COUNTERS.map((counter) => counter.id),
        clock().toISOString(),
      );
      writeDemoFile(config.dataDir, demo);
    }
    if (config.ledger === 'embedded') await bindProvinces(ledger, opened.nodes);
    await statusLists.ensureProvinceKeys();
    // Our agencies' lists load in the background, so the first issuance after a start does not wait for them.
    void store
      .listAgencies()
      .then((agencies) => statusLists.preload(agencies.map((agency) => agency.id)))
      .catch((error: unknown) => {
        log(`status lists: preload failed, lists load on first use: ${(error as Error).message}`);
      });
    const verification = new VerificationService(cache, audit, clock, new NodeSignatureVerifier(), new HolderBinding(store), statusLists);
    const firstNode = opened.nodes[0];
    if (!firstNode) throw new ConfigError('the ledger serves no province');
    const readerFor = (province: string | null) => (opened.nodes.find((node) => node.code === province) ?? firstNode).readerIdentity;
    const receipts = new ReceiptsService({ store, ledger, clock, node: firstNode.code, anchorIdentity: firstNode.readerIdentity });
    const presentations = new PresentationsService({
      store,
      keys,
      clock,
      verification,
      receipts,
      qr,
      verifierKey: await verifierKeyOf(store, keys, clock),
      requestTtlSeconds: config.presentationRequestTtlSeconds,
      maxOpenRequestsPerCounter: config.counterLimits.openRequests,
      maxStreamsPerCounter: config.counterLimits.streams,
      vctOf,
      claimPathsOf: (licenseType) =>
        typeMetadata(licenseType)
          ?.claims.filter((claim) => claim.sd !== 'never')
          .map((claim) => claim.path.join('/')) ?? null,
      readerFor,
    });
    // The receipt chain head reaches the ledger at least every RECEIPT_ANCHOR_INTERVAL seconds;
    // a failed anchor (ledger away) is retried at the next tick. Expired one-time values go too.
    const anchorTimer = setInterval(() => {
      void receipts.anchorHead().catch((error: unknown) => log(`receipt anchor failed: ${(error as Error).message}`));
      void store.forgetExpired(clock().toISOString()).catch(() => undefined);
    }, config.receiptAnchorIntervalSeconds * 1000);
    anchorTimer.unref();
    const lifecycle = new LifecycleService(store, ledger, issuance, clock);
    const admin = new AdminService({ store, ledger, signingKeys, principals, clock, nodes: opened.nodes, issuerIdentity: opened.issuerIdentity });
    const issuerMetadata = new IssuerMetadataService(ledger, publicBase);
    issuerMetadata.register('provinces/', (code, identity) => statusLists.provinceIssuerKeys(code, identity));
    const services: Services = {
      settings: { publicRateLimit: config.publicRateLimit, authFailureLimit: config.authFailureLimit, trustProxy: config.trustProxy },
      principals,
      readers: new LedgerReaders(opened.nodes),
      issuance,
      lifecycle,
      verification,
      verificationLog: new VerificationLogService(store, issuance),
      credentialQr: new CredentialQrService(issuance, qr),
      info,
      oid4vci,
      offline,
      health: new HealthService(opened.port, store, config.ledger),
      publicBase,
      issuerMetadata,
      admin,
      statusLists,
      presentations,
      receipts,
    };
    const registry: Registry = {
      config,
      clock,
      store,
      ledger,
      nodes: opened.nodes,
      keys,
      qr,
      principals,
      signingKeys,
      issuance,
      lifecycle,
      verification,
      presentations,
      receipts,
      info,
      admin,
      oid4vci,
      offline,
      publicBase,
      credentials,
      issuerMetadata,
      statusLists,
      /** Run once the server listens: recovered credentials name the issuer under the public base URL. */
      listening: async (port: number) => {
        publicBase.listening(port);
        const recovered = await issuance.recoverPending((id) => store.getAgency(id));
        if (recovered.recovered + recovered.failed + recovered.stillPending > 0) {
          logger.info(recovered, 'recovery: issuances left open by a crash or an outage finished, refused or still waiting for the ledger');
        }
      },
      audit,
      retention,
      services,
      demo,
      close: async () => {
        retention.close();
        clearInterval(anchorTimer);
        await receipts.anchorHead().catch(() => undefined);
        cache.close();
        statusLists.close();
        await audit.drain();
        await opened.port.close();
        await store.close();
        makePrivate(config.dataDir, 'DATA_DIR');
        unlock();
      },
    };
    return registry;
  } catch (error) {
    await ledgerPort?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    unlock();
    throw error;
  }
}
