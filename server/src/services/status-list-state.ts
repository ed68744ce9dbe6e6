/**
 * The in-memory form of one agency's status lists, as derived from ledger entries and license
 * status events. Pure bookkeeping: no I/O, so the service around it decides when to load and when
 * to sign.
 */
import type { StoredStatus } from '../../../core/anchor';
import { STATUS_LIST_SIZE, statusValue, type StatusEntryView, type StatusValue } from '../../../core/status-list';

interface EntryState {
  licenseId: string;
  invalidated: boolean;
}

/** One list: its values, who holds each entry, and a version that moves on every change. */
export class ListState {
  /** One status per index (the `@sd-jwt/jwt-status-list` StatusList takes this array as is). */
  readonly values: number[] = new Array<number>(STATUS_LIST_SIZE).fill(0);
  readonly entries = new Map<number, EntryState>();
  version = 0;

  constructor(readonly listId: string) {}

  set(idx: number, value: StatusValue): void {
    if (this.values[idx] !== value) {
      this.values[idx] = value;
      this.version += 1;
    }
  }
}

/** A license's status and the entries its credentials point at. */
interface LicenseState {
  status: StoredStatus;
  refs: Array<{ listId: string; idx: number }>;
}

/** A change seen on the ledger, in commit order: new or changed entries, or licenses' new status. */
export type StatusChange = { kind: 'entry'; view: StatusEntryView } | { kind: 'license'; id: string; status: StoredStatus };

export class AgencyLists {
  readonly lists = new Map<string, ListState>();
  readonly licenses = new Map<string, LicenseState>();
  /** Indices handed out and not yet seen committed, so two issuances never get the same one. */
  readonly reserved = new Set<string>();

  constructor(
    readonly agencyId: string,
    readonly province: string,
  ) {}

  list(listId: string): ListState {
    let list = this.lists.get(listId);
    if (!list) {
      list = new ListState(listId);
      this.lists.set(listId, list);
    }
    return list;
  }

  apply(change: StatusChange): void {
    if (change.kind === 'entry') this.applyEntry(change.view);
    else this.applyLicense(change.id, change.status);
  }

  private applyEntry(view: StatusEntryView): void {
    const list = this.list(view.listId);
    this.reserved.delete(`${view.listId}/${view.idx}`);
    if (!list.entries.has(view.idx)) {
      const license = this.licenses.get(view.licenseId) ?? { status: view.licenseStatus, refs: [] };
      license.refs.push({ listId: view.listId, idx: view.idx });
      this.licenses.set(view.licenseId, license);
      list.version += 1;
    }
    list.entries.set(view.idx, { licenseId: view.licenseId, invalidated: view.invalidated });
    this.applyLicense(view.licenseId, view.licenseStatus);
  }

  private applyLicense(id: string, status: StoredStatus): void {
    const license = this.licenses.get(id);
    if (!license) return;
    license.status = status;
    for (const ref of license.refs) {
      const list = this.list(ref.listId);
      list.set(ref.idx, statusValue(status, list.entries.get(ref.idx)?.invalidated ?? false));
    }
  }

  /** How many indices of a list are spoken for, committed or reserved. */
  used(listId: string): number {
    let reserved = 0;
    for (const key of this.reserved) if (key.startsWith(`${listId}/`)) reserved += 1;
    return (this.lists.get(listId)?.entries.size ?? 0) + reserved;
  }

  isFree(listId: string, idx: number): boolean {
    return !this.reserved.has(`${listId}/${idx}`) && !(this.lists.get(listId)?.entries.has(idx) ?? false);
  }

  entry(listId: string, idx: number): (EntryState & { value: number }) | null {
    const list = this.lists.get(listId);
    const entry = list?.entries.get(idx);
    if (!list || !entry) return null;
    return { ...entry, value: list.values[idx] ?? 0 };
  }
}
