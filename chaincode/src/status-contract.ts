/**
 * Token Status List entries: which license each `(agency, list, idx)` belongs to, and whether the
 * entry itself was invalidated. The lists every node serves are derived from these entries and the
 * licenses' status, never from a node's own store.
 *
 * The server chooses the random index (randomness is not deterministic across endorsers); the
 * chaincode only refuses one already taken, with STATUS_INDEX_TAKEN, so the server draws again.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { RegistryContract } from './registry-contract';
import { RegistryError } from '../../core/errors';
import { statusRefusal, type LicenseAnchor } from '../../core/anchor';
import { LIST_ID_PATTERN, STATUS_LIST_SIZE, isStatusIndex, type StatusEntry, type StatusEntryRef, type StatusEntryView } from '../../core/status-list';
import { callerOf, requireAgencyIssuer } from './caller';
import { asObject, parseJsonArg, requireId } from './input';
import { KEY, emit, readJson, reply, stateKey, txTime, writeIndex, writeJson } from './state';
import { getAgency } from './trust-contract';

const MAX_PAGE_SIZE = 1000;

export function requireListId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !LIST_ID_PATTERN.test(value)) throw new RegistryError('INVALID_ARGUMENT', `${what} must be a list number 1 to 999999`);
  return value;
}

export function requireStatusIndex(value: unknown, what: string): number {
  if (!isStatusIndex(value)) throw new RegistryError('INVALID_ARGUMENT', `${what} must be an integer from 0 to ${STATUS_LIST_SIZE - 1}`);
  return value;
}

export function parseStatusEntryRef(value: unknown, what: string): StatusEntryRef {
  const input = asObject(value, what);
  return { listId: requireListId(input.listId, `${what}.listId`), idx: requireStatusIndex(input.idx, `${what}.idx`) };
}

function entryKey(ctx: Context, agencyId: string, ref: StatusEntryRef): string {
  return stateKey(ctx, KEY.statusEntry, agencyId, ref.listId, String(ref.idx));
}

export function viewOf(entry: StatusEntry, licenseStatus: LicenseAnchor['status']): StatusEntryView {
  return {
    agencyId: entry.agencyId,
    listId: entry.listId,
    idx: entry.idx,
    licenseId: entry.licenseId,
    invalidated: entry.invalidated,
    licenseStatus,
    createdAt: entry.createdAt,
  };
}

/**
 * Records a new entry for `licenseId`, refusing an index already taken. Fabric does not let a
 * transaction read its own writes, so callers writing several entries check duplicates among them.
 */
export async function writeStatusEntry(ctx: Context, agencyId: string, ref: StatusEntryRef, licenseId: string): Promise<StatusEntry> {
  const key = entryKey(ctx, agencyId, ref);
  if ((await ctx.stub.getState(key)).length > 0) {
    throw new RegistryError('STATUS_INDEX_TAKEN', `status list ${agencyId}/${ref.listId} index ${ref.idx} is taken`, { listId: ref.listId, idx: ref.idx });
  }
  const entry: StatusEntry = {
    docType: 'statusEntry',
    agencyId,
    listId: ref.listId,
    idx: ref.idx,
    licenseId,
    invalidated: false,
    createdTxId: ctx.stub.getTxID(),
    createdAt: txTime(ctx),
    invalidatedAt: null,
  };
  await writeJson(ctx, key, entry);
  await writeIndex(ctx, KEY.statusByLicense, [licenseId, agencyId, ref.listId, String(ref.idx)]);
  return entry;
}

/** Refuses two anchors of one transaction that ask for the same entry. */
export function requireDistinctEntries(entries: Array<{ agencyId: string; ref: StatusEntryRef }>): void {
  const seen = new Set<string>();
  for (const { agencyId, ref } of entries) {
    const id = `${agencyId}/${ref.listId}/${ref.idx}`;
    if (seen.has(id)) throw new RegistryError('STATUS_INDEX_TAKEN', `status list entry ${id} is asked for twice`, { listId: ref.listId, idx: ref.idx });
    seen.add(id);
  }
}

async function getAnchor(ctx: Context, id: string): Promise<LicenseAnchor> {
  const anchor = await readJson<LicenseAnchor>(ctx, requireId(id, 'license id'));
  if (!anchor) throw new RegistryError('LICENSE_NOT_FOUND', `license ${id} is not anchored`);
  return anchor;
}

async function getEntry(ctx: Context, agencyId: string, ref: StatusEntryRef): Promise<StatusEntry> {
  const entry = await readJson<StatusEntry>(ctx, entryKey(ctx, agencyId, ref));
  if (!entry) throw new RegistryError('STATUS_ENTRY_NOT_FOUND', `status list ${agencyId}/${ref.listId} has no entry at index ${ref.idx}`);
  return entry;
}

/** Reads each license once per query: a list holds many entries of few licenses' status changes. */
class LicenseStatusReader {
  private readonly seen = new Map<string, LicenseAnchor['status']>();

  constructor(private readonly ctx: Context) {}

  async statusOf(licenseId: string): Promise<LicenseAnchor['status']> {
    let status = this.seen.get(licenseId);
    if (status === undefined) {
      status = (await readJson<LicenseAnchor>(this.ctx, licenseId))?.status ?? 'revoked';
      this.seen.set(licenseId, status);
    }
    return status;
  }
}

@Info({ title: 'StatusLists', description: 'Token Status List entries: which license each index belongs to' })
export class StatusContract extends RegistryContract {
  constructor() {
    super('status');
  }

  /**
   * `{ agencyId, listId, idx, licenseId }` — a further credential of a license (a wallet-bound
   * one) gets its own entry. Only the license's own agency registers, and only while the license
   * stands (active or suspended).
   */
  @Transaction()
  @Returns('string')
  async RegisterStatusEntry(ctx: Context, entryJson: string): Promise<string> {
    const input = asObject(parseJsonArg(entryJson, 'entry'), 'entry');
    const agencyId = requireId(input.agencyId, 'entry.agencyId');
    const ref = parseStatusEntryRef(input, 'entry');
    const anchor = await getAnchor(ctx, requireId(input.licenseId, 'entry.licenseId'));
    const agency = await getAgency(ctx, agencyId);
    requireAgencyIssuer(callerOf(ctx), agency);
    if (anchor.issuer.agencyId !== agencyId) {
      throw new RegistryError('FORBIDDEN', `license ${anchor.id} was issued by ${anchor.issuer.agencyId}, not ${agencyId}`);
    }
    if (anchor.status !== 'active' && anchor.status !== 'suspended') {
      throw new RegistryError(statusRefusal(anchor.status), `license ${anchor.id} is ${anchor.status}; it gets no new credential`);
    }
    const view = viewOf(await writeStatusEntry(ctx, agencyId, ref, anchor.id), anchor.status);
    emit(ctx, 'StatusEntryRegistered', { statusEntries: [view] });
    return reply(view);
  }

  /**
   * The credential pointing at this entry stops verifying (INVALID) while its license stands:
   * a wallet-bound credential whose phone was lost. Terminal; repeating it changes nothing.
   */
  @Transaction()
  @Returns('string')
  async InvalidateStatusEntry(ctx: Context, agencyId: string, listId: string, idx: string): Promise<string> {
    const ref = { listId: requireListId(listId, 'listId'), idx: requireStatusIndex(Number(idx), 'idx') };
    const agency = await getAgency(ctx, requireId(agencyId, 'agencyId'));
    requireAgencyIssuer(callerOf(ctx), agency);
    const entry = await getEntry(ctx, agency.id, ref);
    const licenseStatus = await new LicenseStatusReader(ctx).statusOf(entry.licenseId);
    if (!entry.invalidated) {
      entry.invalidated = true;
      entry.invalidatedAt = txTime(ctx);
      await writeJson(ctx, entryKey(ctx, agency.id, ref), entry);
      emit(ctx, 'StatusEntryInvalidated', { statusEntries: [viewOf(entry, licenseStatus)] });
    }
    return reply(viewOf(entry, licenseStatus));
  }

  @Transaction(false)
  @Returns('string')
  async GetStatusEntry(ctx: Context, agencyId: string, listId: string, idx: string): Promise<string> {
    const ref = { listId: requireListId(listId, 'listId'), idx: requireStatusIndex(Number(idx), 'idx') };
    const entry = await getEntry(ctx, requireId(agencyId, 'agencyId'), ref);
    return reply(viewOf(entry, await new LicenseStatusReader(ctx).statusOf(entry.licenseId)));
  }

  /** The entries of one license (its printed and wallet credentials). */
  @Transaction(false)
  @Returns('string')
  async GetStatusEntries(ctx: Context, licenseId: string): Promise<string> {
    const anchor = await getAnchor(ctx, licenseId);
    const views: StatusEntryView[] = [];
    for await (const index of ctx.stub.getStateByPartialCompositeKey(KEY.statusByLicense, [anchor.id])) {
      const [, agencyId, listId, idx] = ctx.stub.splitCompositeKey(index.key).attributes;
      if (agencyId === undefined || listId === undefined || idx === undefined) continue;
      const entry = await readJson<StatusEntry>(ctx, entryKey(ctx, agencyId, { listId, idx: Number(idx) }));
      if (entry) views.push(viewOf(entry, anchor.status));
    }
    return reply(views);
  }

  /**
   * An agency's entries, each with its license's status, a page at a time:
   * `{ agencyId, listId?, pageSize?, bookmark? }`. What a node rebuilds its lists from.
   */
  @Transaction(false)
  @Returns('string')
  async ListStatusEntries(ctx: Context, queryJson: string): Promise<string> {
    const query = asObject(parseJsonArg(queryJson, 'query'), 'query');
    const agencyId = requireId(query.agencyId, 'agencyId');
    const prefix = query.listId === undefined ? [agencyId] : [agencyId, requireListId(query.listId, 'listId')];
    const pageSize = query.pageSize === undefined ? MAX_PAGE_SIZE : Number(query.pageSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RegistryError('INVALID_ARGUMENT', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const bookmark = typeof query.bookmark === 'string' ? query.bookmark : '';
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(KEY.statusEntry, prefix, pageSize, bookmark);
    const licenses = new LicenseStatusReader(ctx);
    const entries: StatusEntryView[] = [];
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const entry = JSON.parse(Buffer.from(next.value.value).toString('utf8')) as StatusEntry;
        entries.push(viewOf(entry, await licenses.statusOf(entry.licenseId)));
      }
    } finally {
      await iterator.close();
    }
    // A peer sends no metadata for a range with no entries at all.
    const page = metadata as { bookmark?: string; fetchedRecordsCount?: number } | undefined;
    return reply({ entries, bookmark: page?.bookmark ?? '', fetched: page?.fetchedRecordsCount ?? entries.length });
  }
}
