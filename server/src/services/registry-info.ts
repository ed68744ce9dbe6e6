/**
 * What the ledger says about licenses and issuers: the trust registry, a license's status and
 * history (from the ledger, so any province answers for any license), and the license types with
 * their field schemas. None of it carries personal data — not even the holderRef pseudonym, which
 * would link a holder's licenses for whoever collects them — and the public learns of a license
 * only whether it is active.
 */
import type { NodeDescription } from '../../../core/admin-views';
import { agencyRecordOf, effectiveStatus, type Agency, type LicenseAnchor } from '../../../core/anchor';
import { chinaDate } from '../../../core/dates';
import { RegistryError } from '../../../core/errors';
import { vctOf } from '../../../core/credential';
import { licenseTypeJsonSchema, listLicenseTypes } from '../../../core/license-types';
import { typeMetadata, type TypeMetadata } from '../../../core/type-metadata';
import type { Clock } from '../ports/clock';
import type { RegistryLedger } from './registry-ledger';

export interface IssuerView {
  id: string;
  name: string;
  province: string;
  mspId: string;
  status: Agency['status'];
  licenseTypes: string[];
  keys: Array<{ kid: string; jwk: Agency['keys'][number]['jwk']; status: string; createdAt: string; retiredAt: string | null }>;
}

export interface LicenseStatusView {
  id: string;
  type: string;
  issuer: { agency: string; province: string; mspId: string };
  status: string;
  reason: string | null;
  docHash: string;
  validFrom: string;
  validUntil: string | null;
  version: number;
  supersedes: string | null;
  supersededBy: string | null;
  updatedAt: string;
  updatedTxId: string;
}

/** Who reads a license's status: the public learns only whether it is active. */
export type StatusReader = { kind: 'public' } | { kind: 'counter' } | { kind: 'agency'; agencyId: string };

/** What the public may know of a license: that it exists, and whether it is active now. */
export interface PublicStatusView {
  id: string;
  active: boolean;
}

/**
 * Reasons (`fraud`, `court-order`, `holder-deceased`) and the history are personal: they go to the
 * issuing agency and to counters, which are accountable for their keys, not to whoever holds an id.
 */
function seesDetails(reader: StatusReader, anchor: LicenseAnchor): boolean {
  return reader.kind === 'counter' || (reader.kind === 'agency' && reader.agencyId === anchor.issuer.agencyId);
}

function statusView(anchor: LicenseAnchor, today: string): LicenseStatusView {
  return {
    id: anchor.id,
    type: anchor.type,
    issuer: { agency: anchor.issuer.agencyId, province: anchor.issuer.province, mspId: anchor.issuer.mspId },
    status: effectiveStatus(anchor, today),
    reason: anchor.reason,
    docHash: anchor.docHash,
    validFrom: anchor.validFrom,
    validUntil: anchor.validUntil,
    version: anchor.version,
    supersedes: anchor.supersedes,
    supersededBy: anchor.supersededBy,
    updatedAt: anchor.updatedAt,
    updatedTxId: anchor.updatedTxId,
  };
}

export type { NodeDescription };

export class RegistryInfoService {
  constructor(
    private readonly ledger: RegistryLedger,
    private readonly clock: Clock,
    private readonly description: NodeDescription = { provinces: [], ledger: 'embedded', store: 'PGlite', version: '0.1.0' },
  ) {}

  node(): NodeDescription {
    return this.description;
  }

  async issuers(identity: string): Promise<IssuerView[]> {
    const agencies = await this.ledger.listAgencies(identity);
    return agencies.map((agency) => ({
      ...agencyRecordOf(agency),
      keys: agency.keys.map((key) => ({ kid: key.kid, jwk: key.jwk, status: key.status, createdAt: key.createdAt, retiredAt: key.retiredAt })),
    }));
  }

  async status(identity: string, id: string): Promise<LicenseStatusView> {
    const anchor = await this.ledger.readLicense(identity, id);
    if (!anchor) throw new RegistryError('LICENSE_NOT_FOUND', `license ${id} is not anchored on the ledger`);
    return statusView(anchor, chinaDate(this.clock()));
  }

  /** The full view for the issuing agency and counters; whether it is active for everyone else. */
  async statusFor(identity: string, id: string, reader: StatusReader): Promise<LicenseStatusView | PublicStatusView> {
    const anchor = await this.ledger.readLicense(identity, id);
    if (!anchor) throw new RegistryError('LICENSE_NOT_FOUND', `license ${id} is not anchored on the ledger`);
    const view = statusView(anchor, chinaDate(this.clock()));
    return seesDetails(reader, anchor) ? view : { id: view.id, active: view.status === 'active' };
  }

  /** Every change, for the issuing agency and counters only. */
  async history(
    identity: string,
    id: string,
    reader: StatusReader,
  ): Promise<Array<{ txId: string; timestamp: string; status: string; reason: string | null; version: number }>> {
    if (reader.kind === 'public') throw new RegistryError('UNAUTHENTICATED', "a license's history needs a counter key or the issuing agency's key");
    const entries = await this.ledger.licenseHistory(identity, id);
    if (!entries) throw new RegistryError('LICENSE_NOT_FOUND', `license ${id} is not anchored on the ledger`);
    const issued = entries.find((entry) => entry.anchor !== null)?.anchor;
    if (issued && !seesDetails(reader, issued)) throw new RegistryError('FORBIDDEN', `license ${id} was issued by another agency`);
    return entries
      .filter((entry) => entry.anchor !== null)
      .map((entry) => ({
        txId: entry.txId,
        timestamp: entry.timestamp,
        status: (entry.anchor as LicenseAnchor).status,
        reason: (entry.anchor as LicenseAnchor).reason,
        version: (entry.anchor as LicenseAnchor).version,
      }));
  }

  licenseTypes(): Array<{ id: string; vct: string; names: { zh: string; en: string }; schema: Record<string, unknown>; example: unknown }> {
    return listLicenseTypes().map((type) => ({
      id: type.id,
      vct: vctOf(type.id),
      names: type.names,
      schema: licenseTypeJsonSchema(type.id),
      example: type.example,
    }));
  }

  /** SD-JWT VC Type Metadata of a license type: the same document on every node. */
  typeMetadata(typeId: string): TypeMetadata {
    const metadata = typeMetadata(typeId);
    if (!metadata) throw new RegistryError('NOT_FOUND', `unknown license type ${JSON.stringify(typeId.slice(0, 40))}`);
    return metadata;
  }
}
