/**
 * Suspend, reinstate, revoke: the issuing agency changes its own license's status on the ledger
 * (which checks the transition and the caller again), and the store follows.
 */
import { REASON_CODES, type LicenseAnchor, type ReasonCode } from '../../../core/anchor';
import { RegistryError } from '../../../core/errors';
import type { Clock } from '../ports/clock';
import type { AgencyRow, LicenseRow, Store } from '../ports/store';
import type { IssuanceService } from './issuance';
import type { RegistryLedger } from './registry-ledger';

export type StatusAction = 'suspend' | 'reinstate' | 'revoke';

export interface StatusChange {
  licenseId: string;
  status: LicenseAnchor['status'];
  reason: ReasonCode;
  version: number;
  anchor: { txId: string; blockNumber: number };
}

export function parseReason(value: unknown): ReasonCode {
  if (typeof value !== 'string' || !(REASON_CODES as readonly string[]).includes(value)) {
    throw new RegistryError('INVALID_FIELD', `reason: must be one of ${REASON_CODES.join(', ')}`, { field: 'reason' });
  }
  return value as ReasonCode;
}

export class LifecycleService {
  constructor(
    private readonly store: Store,
    private readonly ledger: RegistryLedger,
    private readonly issuance: IssuanceService,
    private readonly clock: Clock,
  ) {}

  async change(agency: AgencyRow, id: string, action: StatusAction, reasonValue: unknown): Promise<StatusChange> {
    const reason = parseReason(reasonValue);
    const row = await this.issuance.ownLicense(agency, id);
    if (row.state !== 'anchored') throw new RegistryError('LICENSE_PENDING', `license ${id} is ${row.state}, not anchored`);
    const result = await this.ledger.changeStatus(agency.identityLabel, action, id, reason);
    await this.store.updateLicenseStatus(id, result.anchor.status, this.clock().toISOString());
    return {
      licenseId: id,
      status: result.anchor.status,
      reason,
      version: result.anchor.version,
      anchor: { txId: result.txId, blockNumber: result.blockNumber },
    };
  }

  /** The agency's own licenses, newest first: what its console lists (no holder data, only ids, types and states). */
  async listOwn(agency: AgencyRow, limit: number, before?: string) {
    const rows = await this.store.listLicensesByAgency(agency.id, limit, before);
    return rows.map(licenseSummary);
  }
}

/** A license as an agency's lists show it: ids, type, states and dates — no holder data. */
export function licenseSummary(row: LicenseRow) {
  return {
    licenseId: row.id,
    type: row.type,
    state: row.state,
    status: row.status,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    supersedes: row.supersedes,
    txId: row.txId,
    createdAt: row.createdAt,
  };
}
