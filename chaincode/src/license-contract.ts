/**
 * License anchors: the ledger's record of each e-license — a salted hash of the off-chain record,
 * its issuer, status and validity. No personal data: the holder appears only as a keyed hash.
 *
 * Every state change follows one shape: parse → authorize → validate → read/write → emit.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { RegistryContract } from './registry-contract';
import { chinaDate } from '../../core/dates';
import { RegistryError } from '../../core/errors';
import {
  MAX_BATCH_ISSUE,
  REASON_CODES,
  RENEW_REASONS,
  effectiveStatus,
  statusRefusal,
  type Agency,
  type AnchorInput,
  type AnchorVerdict,
  type LicenseAnchor,
  type ReasonCode,
  type StoredStatus,
} from '../../core/anchor';
import { callerOf, requireAgencyIssuer, type Caller } from './caller';
import { asObject, optionalString, parseJsonArg, requireDate, requireHash, requireId, requireOneOf, requireType } from './input';
import { KEY, emit, readJson, reply, txTime, writeIndex, writeJson } from './state';
import { getAgency, getLicenseType } from './trust-contract';
import { parseStatusEntryRef, requireDistinctEntries, viewOf, writeStatusEntry } from './status-contract';
import type { StatusEntryView } from '../../core/status-list';

const MAX_PAGE_SIZE = 500;

function parseAnchorInput(value: unknown, what: string): AnchorInput {
  const input = asObject(value, what);
  const validFrom = requireDate(input.validFrom, `${what}.validFrom`);
  const validUntil = input.validUntil === null || input.validUntil === undefined ? null : requireDate(input.validUntil, `${what}.validUntil`);
  if (validUntil !== null && validUntil < validFrom) {
    throw new RegistryError('INVALID_ARGUMENT', `${what}.validUntil ${validUntil} is before validFrom ${validFrom}`);
  }
  return {
    id: requireId(input.id, `${what}.id`),
    type: requireType(input.type, `${what}.type`),
    agencyId: requireId(input.agencyId, `${what}.agencyId`),
    docHash: requireHash(input.docHash, `${what}.docHash`),
    holderRef: requireHash(input.holderRef, `${what}.holderRef`),
    validFrom,
    validUntil,
    ...(input.statusEntry === undefined ? {} : { statusEntry: parseStatusEntryRef(input.statusEntry, `${what}.statusEntry`) }),
  };
}

function parseReason(value: unknown): ReasonCode {
  return requireOneOf(value, REASON_CODES, 'reason');
}

async function getAnchor(ctx: Context, id: string): Promise<LicenseAnchor> {
  const anchor = await readJson<LicenseAnchor>(ctx, requireId(id, 'license id'));
  if (!anchor) throw new RegistryError('LICENSE_NOT_FOUND', `license ${id} is not anchored`);
  return anchor;
}

/** The agency may issue this type: it is registered, active, and the trust registry lists the type for it. */
async function requireIssuerFor(ctx: Context, caller: Caller, agency: Agency, type: string): Promise<void> {
  requireAgencyIssuer(caller, agency);
  if (!(await getLicenseType(ctx, type))) throw new RegistryError('UNKNOWN_LICENSE_TYPE', `license type ${type} is not registered`);
  if (!agency.licenseTypes.includes(type)) {
    throw new RegistryError('TYPE_NOT_ALLOWED', `agency ${agency.id} may not issue ${type} (allowed: ${agency.licenseTypes.join(', ') || 'none'})`);
  }
}

/** Only the identities of the agency that issued a license change it. */
async function requireOwnLicense(ctx: Context, caller: Caller, anchor: LicenseAnchor): Promise<Agency> {
  const agency = await getAgency(ctx, anchor.issuer.agencyId);
  requireAgencyIssuer(caller, agency);
  return agency;
}

/** A new anchor and, when the input names one, its first status list entry, in one transaction. */
async function writeNewAnchor(
  ctx: Context,
  input: AnchorInput,
  agency: Agency,
  supersedes: string | null,
): Promise<{ anchor: LicenseAnchor; entry: StatusEntryView | null }> {
  if ((await ctx.stub.getState(input.id)).length > 0) {
    throw new RegistryError('LICENSE_EXISTS', `license ${input.id} is already anchored`);
  }
  const now = txTime(ctx);
  const txId = ctx.stub.getTxID();
  const anchor: LicenseAnchor = {
    docType: 'license',
    id: input.id,
    type: input.type,
    issuer: { agencyId: agency.id, mspId: agency.mspId, province: agency.province },
    docHash: input.docHash,
    holderRef: input.holderRef,
    status: 'active',
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    version: 1,
    supersedes,
    supersededBy: null,
    reason: null,
    createdTxId: txId,
    createdAt: now,
    updatedTxId: txId,
    updatedAt: now,
  };
  await writeJson(ctx, anchor.id, anchor);
  await writeIndex(ctx, KEY.byIssuer, [agency.id, anchor.id]);
  await writeIndex(ctx, KEY.byType, [anchor.type, anchor.id]);
  await writeIndex(ctx, KEY.byHolder, [anchor.holderRef, anchor.id]);
  const entry = input.statusEntry ? viewOf(await writeStatusEntry(ctx, agency.id, input.statusEntry, anchor.id), anchor.status) : null;
  return { anchor, entry };
}

/** A chaincode event's payload: the licenses changed and the status list entries registered. */
function issuedPayload(written: Array<{ anchor: LicenseAnchor; entry: StatusEntryView | null }>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const statusEntries = written.flatMap(({ entry }) => (entry ? [entry] : []));
  return { licenses: written.map(({ anchor }) => changed(anchor)), ...(statusEntries.length > 0 ? { statusEntries } : {}), ...extra };
}

async function changeStatus(ctx: Context, anchor: LicenseAnchor, status: StoredStatus, reason: ReasonCode | null): Promise<LicenseAnchor> {
  anchor.status = status;
  anchor.reason = reason;
  anchor.version += 1;
  anchor.updatedAt = txTime(ctx);
  anchor.updatedTxId = ctx.stub.getTxID();
  await writeJson(ctx, anchor.id, anchor);
  return anchor;
}

/** The status changes an issuer makes, as data: where each may start, where it leads, its event. */
const TRANSITIONS = {
  suspend: { from: ['active'], to: 'suspended', event: 'LicenseSuspended' },
  reinstate: { from: ['suspended'], to: 'active', event: 'LicenseReinstated' },
  revoke: { from: ['active', 'suspended'], to: 'revoked', event: 'LicenseRevoked' },
} as const satisfies Record<string, { from: readonly StoredStatus[]; to: StoredStatus; event: string }>;

async function transition(ctx: Context, id: string, reason: string, kind: keyof typeof TRANSITIONS): Promise<LicenseAnchor> {
  const rule = TRANSITIONS[kind];
  const why = parseReason(reason);
  const anchor = await getAnchor(ctx, id);
  await requireOwnLicense(ctx, callerOf(ctx), anchor);
  if (!(rule.from as readonly StoredStatus[]).includes(anchor.status)) {
    throw new RegistryError(
      statusRefusal(anchor.status),
      `license ${anchor.id} is ${anchor.status}; only a license that is ${rule.from.join(' or ')} can be ${rule.to === 'active' ? 'reinstated' : rule.to}`,
    );
  }
  await changeStatus(ctx, anchor, rule.to, why);
  emit(ctx, rule.event, { licenses: [changed(anchor)], reason: why });
  return anchor;
}

function changed(anchor: LicenseAnchor): { id: string; status: StoredStatus; version: number } {
  return { id: anchor.id, status: anchor.status, version: anchor.version };
}

@Info({ title: 'LicenseAnchors', description: 'Salted hashes, issuers, status and history of e-licenses' })
export class LicenseContract extends RegistryContract {
  constructor() {
    super('license');
  }

  /** `{ id, type, agencyId, docHash, holderRef, validFrom, validUntil }` → the new anchor. */
  @Transaction()
  @Returns('string')
  async IssueLicense(ctx: Context, anchorJson: string): Promise<string> {
    const input = parseAnchorInput(parseJsonArg(anchorJson, 'anchor'), 'anchor');
    const agency = await getAgency(ctx, input.agencyId);
    await requireIssuerFor(ctx, callerOf(ctx), agency, input.type);
    const written = await writeNewAnchor(ctx, input, agency, null);
    emit(ctx, 'LicenseIssued', issuedPayload([written]));
    return reply(written.anchor);
  }

  /**
   * Many anchors in one transaction: on Fabric, the cost of a transaction is ordering and
   * validation, not its size, so batching is how issuance scales. All or nothing.
   */
  @Transaction()
  @Returns('string')
  async IssueLicenses(ctx: Context, anchorsJson: string): Promise<string> {
    const list = parseJsonArg(anchorsJson, 'anchors');
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_ISSUE) {
      throw new RegistryError('INVALID_ARGUMENT', `anchors must be a list of 1 to ${MAX_BATCH_ISSUE} anchors`);
    }
    const inputs = list.map((item, index) => parseAnchorInput(item, `anchors[${index}]`));
    if (new Set(inputs.map((input) => input.id)).size !== inputs.length) {
      throw new RegistryError('INVALID_ARGUMENT', 'anchors repeat a license id');
    }
    requireDistinctEntries(inputs.flatMap((input) => (input.statusEntry ? [{ agencyId: input.agencyId, ref: input.statusEntry }] : [])));
    const caller = callerOf(ctx);
    const agencies = new Map<string, Agency>();
    // Each state read is a round trip between chaincode and peer: check each agency and type once.
    const allowed = new Set<string>();
    const written: Array<{ anchor: LicenseAnchor; entry: StatusEntryView | null }> = [];
    for (const input of inputs) {
      let agency = agencies.get(input.agencyId);
      if (!agency) {
        agency = await getAgency(ctx, input.agencyId);
        agencies.set(agency.id, agency);
      }
      if (!allowed.has(`${agency.id} ${input.type}`)) {
        await requireIssuerFor(ctx, caller, agency, input.type);
        allowed.add(`${agency.id} ${input.type}`);
      }
      written.push(await writeNewAnchor(ctx, input, agency, null));
    }
    emit(ctx, 'LicenseIssued', issuedPayload(written));
    return reply(written.map(({ anchor }) => anchor));
  }

  @Transaction()
  @Returns('string')
  async SuspendLicense(ctx: Context, id: string, reason: string): Promise<string> {
    return reply(await transition(ctx, id, reason, 'suspend'));
  }

  @Transaction()
  @Returns('string')
  async ReinstateLicense(ctx: Context, id: string, reason: string): Promise<string> {
    return reply(await transition(ctx, id, reason, 'reinstate'));
  }

  /** Revocation is terminal: no transition leads out of `revoked`. */
  @Transaction()
  @Returns('string')
  async RevokeLicense(ctx: Context, id: string, reason: string): Promise<string> {
    return reply(await transition(ctx, id, reason, 'revoke'));
  }

  /**
   * Renewal or replacement: a new license (new id, new docHash) supersedes the old one, which
   * becomes `superseded` and points to its successor. Same agency, same type.
   */
  @Transaction()
  @Returns('string')
  async RenewLicense(ctx: Context, oldId: string, anchorJson: string, reason: string): Promise<string> {
    const why = requireOneOf(reason, RENEW_REASONS, 'reason');
    const input = parseAnchorInput(parseJsonArg(anchorJson, 'anchor'), 'anchor');
    const old = await getAnchor(ctx, oldId);
    const caller = callerOf(ctx);
    const agency = await requireOwnLicense(ctx, caller, old);
    if (input.agencyId !== old.issuer.agencyId || input.type !== old.type) {
      throw new RegistryError('INVALID_ARGUMENT', `a renewal keeps the agency and type of ${old.id} (${old.issuer.agencyId}, ${old.type})`);
    }
    if (old.status !== 'active' && old.status !== 'suspended') {
      throw new RegistryError(statusRefusal(old.status), `license ${old.id} is ${old.status} and cannot be renewed`);
    }
    await requireIssuerFor(ctx, caller, agency, input.type);
    const written = await writeNewAnchor(ctx, input, agency, old.id);
    const successor = written.anchor;
    old.supersededBy = successor.id;
    await changeStatus(ctx, old, 'superseded', why);
    const payload = issuedPayload([written], { reason: why });
    emit(ctx, 'LicenseSuperseded', { ...payload, licenses: [changed(old), changed(successor)] });
    return reply({ old, successor });
  }

  @Transaction(false)
  @Returns('string')
  async ReadLicense(ctx: Context, id: string): Promise<string> {
    return reply(await getAnchor(ctx, id));
  }

  /**
   * "Does the license this credential names, with this docHash, stand today?" — answered as data:
   * an unknown id or a mismatching hash is a verdict, not an error.
   */
  @Transaction(false)
  @Returns('string')
  async VerifyLicense(ctx: Context, id: string, docHash: string): Promise<string> {
    const licenseId = requireId(id, 'license id');
    const hash = requireHash(docHash, 'docHash');
    const anchor = await readJson<LicenseAnchor>(ctx, licenseId);
    const checkedOn = chinaDate(ctx.stub.getDateTimestamp());
    const verdict: AnchorVerdict = anchor
      ? { licenseId, found: true, docHashMatches: anchor.docHash === hash, status: effectiveStatus(anchor, checkedOn), anchor, checkedOn }
      : { licenseId, found: false, docHashMatches: false, status: null, anchor: null, checkedOn };
    return reply(verdict);
  }

  /** Every committed version of the anchor, oldest first, with its tx id and time. */
  @Transaction(false)
  @Returns('string')
  async GetLicenseHistory(ctx: Context, id: string): Promise<string> {
    const licenseId = requireId(id, 'license id');
    const entries: Array<{ txId: string; timestamp: string; isDelete: boolean; anchor: LicenseAnchor | null }> = [];
    for await (const modification of ctx.stub.getHistoryForKey(licenseId)) {
      const seconds = Number(modification.timestamp.seconds.toString());
      entries.push({
        txId: modification.txId,
        timestamp: new Date(seconds * 1000 + Math.floor(modification.timestamp.nanos / 1e6)).toISOString(),
        isDelete: modification.isDelete,
        anchor: modification.isDelete ? null : (JSON.parse(Buffer.from(modification.value).toString('utf8')) as LicenseAnchor),
      });
    }
    if (entries.length === 0) throw new RegistryError('LICENSE_NOT_FOUND', `license ${licenseId} is not anchored`);
    // Fabric 2.x returns history newest first; a history reads oldest first.
    return reply(entries.reverse());
  }

  /**
   * Licenses by issuer, type or holderRef through composite-key indexes (no CouchDB needed), a page
   * at a time: `{ by: 'issuer'|'type'|'holder', value, pageSize?, bookmark? }`.
   */
  @Transaction(false)
  @Returns('string')
  async QueryLicenses(ctx: Context, queryJson: string): Promise<string> {
    const query = asObject(parseJsonArg(queryJson, 'query'), 'query');
    const by = requireOneOf(query.by, ['issuer', 'type', 'holder'] as const, 'by');
    const value = by === 'issuer' ? requireId(query.value, 'value') : by === 'type' ? requireType(query.value, 'value') : requireHash(query.value, 'value');
    const pageSize = query.pageSize === undefined ? 100 : Number(query.pageSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RegistryError('INVALID_ARGUMENT', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    // A bookmark is the opaque last key of the previous page; composite keys stay far below this bound.
    const bookmark = optionalString(query.bookmark, 'bookmark', 1024);
    const index = by === 'issuer' ? KEY.byIssuer : by === 'type' ? KEY.byType : KEY.byHolder;
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(index, [value], pageSize, bookmark);
    const licenses: LicenseAnchor[] = [];
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const { attributes } = ctx.stub.splitCompositeKey(next.value.key);
        const [, licenseId] = attributes;
        if (licenseId === undefined) throw new RegistryError('INTERNAL', `index key ${next.value.key} names no license`);
        const anchor = await readJson<LicenseAnchor>(ctx, licenseId);
        if (anchor) licenses.push(anchor);
      }
    } finally {
      await iterator.close();
    }
    return reply({ licenses, bookmark: metadata.bookmark, fetched: metadata.fetchedRecordsCount });
  }
}
