/**
 * What a counter with no network is provisioned with (README, "Offline verification"): the trust
 * anchor — the provinces' root CAs as the channel configuration holds them — once, and signed
 * offline bundles — trust registry, Type Metadata, every status list token — as often as it can
 * reach a node.
 */
import { provinceOf } from '../../../core/admin-divisions';
import { RegistryError } from '../../../core/errors';
import { listLicenseTypes } from '../../../core/license-types';
import { typeMetadata } from '../../../core/type-metadata';
import {
  BUNDLE_SIGNER_ROLE,
  OFFLINE_BUNDLE_FORMAT,
  OFFLINE_BUNDLE_TYP,
  TRUST_ANCHOR_FORMAT,
  type BundleProvince,
  type BundleStatusList,
  type OfflineBundleClaims,
  type TrustAnchor,
} from '../../../core/offline-bundle';
import type { CertifiedSigner } from '../ports/certified-documents';
import type { Clock } from '../ports/clock';
import type { ProvinceNode } from '../ports/province-node';
import type { RegistryInfoService } from './registry-info';
import type { RegistryLedger } from './registry-ledger';

/** The parts of a bundle other services own: Type Metadata, status lists and their keys. */
export interface BundleContents {
  typeMetadata(): Promise<Record<string, Record<string, unknown>>>;
  /** Every status list token, as its URI serves it. */
  statusLists(identity: string): Promise<BundleStatusList[]>;
  /** Each province's status list signing keys. */
  provinces(identity: string): Promise<BundleProvince[]>;
}

export interface SignedBundle {
  token: string;
  iat: number;
}

export class OfflineBundleService {
  private cached: { bundle: Promise<SignedBundle>; until: number } | null = null;

  constructor(
    private readonly deps: {
      ledger: RegistryLedger;
      info: RegistryInfoService;
      signer: CertifiedSigner;
      contents: BundleContents;
      nodes: readonly ProvinceNode[];
      clock: Clock;
      /** How long one signed bundle is served again: it is big, and counters poll. */
      cacheMs: number;
    },
  ) {}

  /** The node whose reader reads and whose bundle signer signs: this node's first province with a signer. */
  private signingNode(): ProvinceNode & { bundleSignerIdentity: string } {
    const node = this.deps.nodes.find((candidate) => candidate.bundleSignerIdentity !== null);
    if (!node?.bundleSignerIdentity) {
      throw new RegistryError('BUNDLE_UNAVAILABLE', `this node has no ${BUNDLE_SIGNER_ROLE} identity: enroll one (network:up does) to serve offline bundles`);
    }
    return { ...node, bundleSignerIdentity: node.bundleSignerIdentity };
  }

  /** The provinces registered on the ledger whose MSP is a member of the channel, with its roots. */
  async trustAnchor(identity: string): Promise<TrustAnchor> {
    const [config, provinces] = await Promise.all([this.deps.ledger.port.channelConfiguration(identity), this.deps.ledger.listProvinces(identity)]);
    const members = new Map(config.organizations.map((org) => [org.mspId, org.rootCertificates]));
    return {
      format: TRUST_ANCHOR_FORMAT,
      channel: config.channel,
      generatedAt: this.deps.clock().toISOString(),
      provinces: provinces
        .filter((province) => members.has(province.mspId))
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((province) => {
          const division = provinceOf(province.code);
          const names = { zh: division?.zh ?? province.code, en: division?.en ?? province.code };
          return { code: province.code, name: names.en, names, mspId: province.mspId, rootCertificates: members.get(province.mspId) ?? [] };
        }),
    };
  }

  /** The signed bundle, built at most once per `cacheMs` however many counters ask. */
  bundle(): Promise<SignedBundle> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.bundle;
    const bundle = this.build();
    this.cached = { bundle, until: now + this.deps.cacheMs };
    // A failed build is not served again: the next request tries anew.
    bundle.catch(() => {
      if (this.cached?.bundle === bundle) this.cached = null;
    });
    return bundle;
  }

  private async build(): Promise<SignedBundle> {
    const node = this.signingNode();
    const identity = node.readerIdentity;
    const [agencies, provinces, statusLists, typeMetadata] = await Promise.all([
      this.deps.info.issuers(identity),
      this.deps.contents.provinces(identity),
      this.deps.contents.statusLists(identity),
      this.deps.contents.typeMetadata(),
    ]);
    const iat = Math.floor(this.deps.clock().getTime() / 1000);
    const claims: OfflineBundleClaims = {
      format: OFFLINE_BUNDLE_FORMAT,
      iss: node.code,
      iat,
      agencies: agencies.map(({ id, name, province, mspId, status, licenseTypes, keys }) => ({ id, name, province, mspId, status, licenseTypes, keys })),
      provinces,
      typeMetadata,
      statusLists,
    };
    return { token: await this.deps.signer.sign(node.bundleSignerIdentity, OFFLINE_BUNDLE_TYP, { ...claims }), iat };
  }
}

/** The Type Metadata document of each license type, by its vct. */
export function allTypeMetadata(): Record<string, Record<string, unknown>> {
  const documents: Record<string, Record<string, unknown>> = {};
  for (const type of listLicenseTypes()) {
    const document = typeMetadata(type.id);
    if (document) documents[document.vct] = { ...document };
  }
  return documents;
}

/** The bundle's status lists and province keys from the ledger-derived status lists (services/status-lists.ts). */
export function statusListContents(lists: {
  allTokens(identity: string): Promise<BundleStatusList[]>;
  provincesWithKeys(identity: string): Promise<BundleProvince[]>;
}): BundleContents {
  return {
    typeMetadata: () => Promise.resolve(allTypeMetadata()),
    statusLists: (identity) => lists.allTokens(identity),
    provinces: (identity) => lists.provincesWithKeys(identity),
  };
}

/** A bundle without status lists: the provinces with no status list keys. */
export function registryOnlyContents(ledger: RegistryLedger): BundleContents {
  return {
    typeMetadata: () => Promise.resolve(allTypeMetadata()),
    statusLists: () => Promise.resolve([]),
    provinces: async (identity) =>
      (await ledger.listProvinces(identity)).map((province) => ({ code: province.code, mspId: province.mspId, statusListKeys: [] })),
  };
}
