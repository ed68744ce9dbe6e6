/**
 * The registry's calls to the ledger, typed, over the Ledger port — plus the submit policy both
 * ledgers share:
 * - an MVCC conflict is re-endorsed (a new transaction, new tx id) up to `mvccRetries` times;
 * - a commit whose outcome is unknown is looked up by tx id before anything is retried, so a
 *   transaction that did commit is never submitted twice.
 */
import type { Agency, AnchorInput, AnchorVerdict, LicenseAnchor, Province, ReasonCode, ResolvedKey } from '../../../core/anchor';
import { RegistryError } from '../../../core/errors';
import type { ProvinceKey, StatusEntryView } from '../../../core/status-list';
import type { Ledger, SubmitResult, TransactionStatus } from '../ports/ledger';

export interface SubmitPolicy {
  mvccRetries: number;
  /** How long to keep asking whether a transaction of unknown outcome committed. */
  statusLookupMs: number;
}

export interface HistoryEntry {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  anchor: LicenseAnchor | null;
}

export interface LicenseTypeRecord {
  id: string;
  names: { zh: string; en: string };
  status: string;
}

function parse(payload: Buffer): unknown {
  return JSON.parse(payload.toString('utf8'));
}

export class RegistryLedger {
  constructor(
    readonly port: Ledger,
    private readonly policy: SubmitPolicy = { mvccRetries: 4, statusLookupMs: 15000 },
  ) {}

  async submit(identity: string, fn: string, args: string[]): Promise<SubmitResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.port.submit(identity, fn, args);
      } catch (error) {
        const outcome = await this.afterFailure(error, identity, attempt < this.policy.mvccRetries);
        if (outcome !== 'retry') return outcome;
      }
    }
  }

  /** What a failed submit means: committed after all (its result), worth a new transaction ('retry'), or a refusal (thrown). */
  private async afterFailure(error: unknown, identity: string, mayRetry: boolean): Promise<SubmitResult | 'retry'> {
    if (!(error instanceof RegistryError)) throw error;
    const txId = typeof error.details?.txId === 'string' ? error.details.txId : null;
    if (error.code === 'COMMIT_STATUS_UNKNOWN' && txId) return this.settleUnknownOutcome(error, identity, txId, mayRetry);
    if (error.code === 'MVCC_CONFLICT' && mayRetry) return 'retry';
    throw error;
  }

  /** A commit of unknown outcome is looked up by tx id before anything is submitted again. */
  private async settleUnknownOutcome(error: RegistryError, identity: string, txId: string, mayRetry: boolean): Promise<SubmitResult | 'retry'> {
    const status = await this.lookUp(identity, txId);
    if (!status) throw error;
    if (status.valid) {
      const payload = typeof error.details?.payload === 'string' ? Buffer.from(error.details.payload, 'base64') : Buffer.alloc(0);
      return { txId, blockNumber: status.blockNumber, payload };
    }
    if (mayRetry && status.code.includes('CONFLICT')) return 'retry';
    throw new RegistryError('MVCC_CONFLICT', `transaction ${txId} was invalidated: ${status.code}`, { txId });
  }

  private async lookUp(identity: string, txId: string): Promise<TransactionStatus | null> {
    const deadline = Date.now() + this.policy.statusLookupMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      const status = await this.port.transactionStatus(identity, txId).catch(() => null);
      if (status || Date.now() >= deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async query<T>(identity: string, fn: string, ...args: string[]): Promise<T> {
    return parse(await this.port.evaluate(identity, fn, args)) as T;
  }

  private async nullIfMissing<T>(work: Promise<T>, missing: string): Promise<T | null> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof RegistryError && error.code === missing) return null;
      throw error;
    }
  }

  // ---- trust registry ----

  // Writes answer with their transaction only: a commit found by tx id after an unknown outcome
  // has no payload, and callers read the trust registry back when they need it.

  async registerProvince(admin: string, code: string): Promise<SubmitResult> {
    return this.submit(admin, 'trust:RegisterProvince', [code]);
  }

  async registerAgency(admin: string, agency: { id: string; name: string; province: string; licenseTypes: string[]; jwk: object }): Promise<SubmitResult> {
    return this.submit(admin, 'trust:RegisterAgency', [JSON.stringify(agency)]);
  }

  async updateAgency(
    admin: string,
    agencyId: string,
    changes: { name?: string; licenseTypes?: string[]; status?: 'active' | 'suspended' },
  ): Promise<SubmitResult> {
    return this.submit(admin, 'trust:UpdateAgency', [agencyId, JSON.stringify(changes)]);
  }

  async rotateAgencyKey(admin: string, agencyId: string, jwk: object): Promise<SubmitResult> {
    return this.submit(admin, 'trust:RotateAgencyKey', [agencyId, JSON.stringify(jwk)]);
  }

  getAgency(identity: string, id: string): Promise<Agency | null> {
    return this.nullIfMissing(this.query<Agency>(identity, 'trust:GetAgency', id), 'AGENCY_NOT_FOUND');
  }

  listAgencies(identity: string): Promise<Agency[]> {
    return this.query<Agency[]>(identity, 'trust:ListAgencies');
  }

  listProvinces(identity: string): Promise<Province[]> {
    return this.query<Province[]>(identity, 'trust:ListProvinces');
  }

  listLicenseTypes(identity: string): Promise<LicenseTypeRecord[]> {
    return this.query<LicenseTypeRecord[]>(identity, 'trust:ListLicenseTypes');
  }

  resolveKey(identity: string, kid: string): Promise<ResolvedKey | null> {
    return this.nullIfMissing(this.query<ResolvedKey>(identity, 'trust:ResolveKey', kid), 'KEY_NOT_FOUND');
  }

  async registerProvinceKey(admin: string, province: string, jwk: object, purpose: ProvinceKey['purpose']): Promise<SubmitResult> {
    return this.submit(admin, 'trust:RegisterProvinceKey', [province, JSON.stringify(jwk), purpose]);
  }

  listProvinceKeys(identity: string, province: string): Promise<ProvinceKey[]> {
    return this.query<ProvinceKey[]>(identity, 'trust:ListProvinceKeys', province);
  }

  // ---- status list entries ----

  async registerStatusEntry(
    issuer: string,
    entry: { agencyId: string; listId: string; idx: number; licenseId: string },
  ): Promise<{ entry: StatusEntryView; txId: string; blockNumber: number }> {
    const result = await this.submit(issuer, 'status:RegisterStatusEntry', [JSON.stringify(entry)]);
    const view = result.payload.length > 0 ? (parse(result.payload) as StatusEntryView) : await this.findStatusEntry(issuer, entry);
    return { entry: view, txId: result.txId, blockNumber: result.blockNumber };
  }

  async invalidateStatusEntry(
    issuer: string,
    agencyId: string,
    listId: string,
    idx: number,
  ): Promise<{ entry: StatusEntryView; txId: string; blockNumber: number }> {
    const result = await this.submit(issuer, 'status:InvalidateStatusEntry', [agencyId, listId, String(idx)]);
    const view = result.payload.length > 0 ? (parse(result.payload) as StatusEntryView) : await this.findStatusEntry(issuer, { agencyId, listId, idx });
    return { entry: view, txId: result.txId, blockNumber: result.blockNumber };
  }

  /** A committed entry read back (a commit found by tx id after an unknown outcome carries no payload). */
  private findStatusEntry(identity: string, ref: { agencyId: string; listId: string; idx: number }): Promise<StatusEntryView> {
    return this.query<StatusEntryView>(identity, 'status:GetStatusEntry', ref.agencyId, ref.listId, String(ref.idx));
  }

  statusEntriesOf(identity: string, licenseId: string): Promise<StatusEntryView[]> {
    return this.query<StatusEntryView[]>(identity, 'status:GetStatusEntries', licenseId);
  }

  listStatusEntries(
    identity: string,
    query: { agencyId: string; listId?: string; pageSize?: number; bookmark?: string },
  ): Promise<{ entries: StatusEntryView[]; bookmark: string; fetched: number }> {
    return this.query(identity, 'status:ListStatusEntries', JSON.stringify(query));
  }

  // ---- license anchors ----

  async issueLicenses(issuer: string, anchors: AnchorInput[]): Promise<{ txId: string; blockNumber: number }> {
    const result = await this.submit(issuer, 'license:IssueLicenses', [JSON.stringify(anchors)]);
    return { txId: result.txId, blockNumber: result.blockNumber };
  }

  async changeStatus(
    issuer: string,
    action: 'suspend' | 'reinstate' | 'revoke',
    id: string,
    reason: ReasonCode,
  ): Promise<{ anchor: LicenseAnchor; txId: string; blockNumber: number }> {
    const fn = { suspend: 'license:SuspendLicense', reinstate: 'license:ReinstateLicense', revoke: 'license:RevokeLicense' }[action];
    const result = await this.submit(issuer, fn, [id, reason]);
    const anchor = result.payload.length > 0 ? (parse(result.payload) as LicenseAnchor) : await this.readLicense(issuer, id);
    if (!anchor) throw new RegistryError('LICENSE_NOT_FOUND', `license ${id} is not anchored`);
    return { anchor, txId: result.txId, blockNumber: result.blockNumber };
  }

  async renew(issuer: string, oldId: string, successor: AnchorInput, reason: string): Promise<{ txId: string; blockNumber: number }> {
    const result = await this.submit(issuer, 'license:RenewLicense', [oldId, JSON.stringify(successor), reason]);
    return { txId: result.txId, blockNumber: result.blockNumber };
  }

  readLicense(identity: string, id: string): Promise<LicenseAnchor | null> {
    return this.nullIfMissing(this.query<LicenseAnchor>(identity, 'license:ReadLicense', id), 'LICENSE_NOT_FOUND');
  }

  verifyLicense(identity: string, id: string, docHash: string): Promise<AnchorVerdict> {
    return this.query<AnchorVerdict>(identity, 'license:VerifyLicense', id, docHash);
  }

  licenseHistory(identity: string, id: string): Promise<HistoryEntry[] | null> {
    return this.nullIfMissing(this.query<HistoryEntry[]>(identity, 'license:GetLicenseHistory', id), 'LICENSE_NOT_FOUND');
  }

  transactionStatus(identity: string, txId: string): Promise<TransactionStatus | null> {
    return this.port.transactionStatus(identity, txId);
  }
}
