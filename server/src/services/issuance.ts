/**
 * Issuing and renewing licenses, crash-consistent across the store and the ledger.
 *
 * Order of writes (each step durable before the next):
 *   1. idempotency key claimed with the request hash and the new license id (when a key is sent)
 *   2. license row `pending`: the full record and its salt, encrypted
 *   3. ledger anchor committed (docHash, holderRef, validity) — batched with concurrent issues
 *   4. license row `anchored` with tx id and block; credential signed and stored
 *   5. idempotency key completed with the response
 * A license is shown as issued only from step 4, so never without its anchor; its record exists
 * from step 2, so an anchor never lacks its record.
 *
 * Recovery (at start, and whenever a request with the same Idempotency-Key returns): every
 * `pending` row is looked up on the ledger by id. Anchored there with the same docHash → step 4.
 * Absent → step 3 again. Refused by the ledger → `failed`, and the refusal is the response.
 */
import { randomBytes } from 'node:crypto';
import { RENEW_REASONS, type AnchorInput } from '../../../core/anchor';
import { chinaDate } from '../../../core/dates';
import { canonicalize } from '../../../core/canonical-json';
import { CredentialFormatError, parseCredential, readRegisteredClaims } from '../../../core/credential';
import { RegistryError } from '../../../core/errors';
import { parseCitizenId } from '../../../core/citizen-id';
import { parseCreditCode } from '../../../core/credit-code';
import { computeDocHash, holderRefOf, sha256Hex } from '../../../core/hash';
import { formatLicenseId, provinceOfLicenseId } from '../../../core/license-id';
import {
  citizenIdentifier,
  credentialSubject,
  holderIdentifier,
  organizationIdentifier,
  validateIssueRequest,
  type HolderIdentifier,
  type IssueRequest,
} from '../../../core/license-types';
import type { Clock } from '../ports/clock';
import type { AgencyRow, CredentialRow, IdempotencyCompletion, LicenseRow, Store } from '../ports/store';
import { AnchorBatcher } from './anchor-batcher';
import { GroupCommit } from './group-commit';
import type { RegistryLedger } from './registry-ledger';
import type { CredentialIssuer, CredentialRequest } from './credential-issuer';
import type { IssuedOffer } from './oid4vci-issuer';
import type { StatusEntryAllocation, StatusListService } from './status-lists';

/** `status.status_list` of a credential: its own entry in its agency's Token Status List. */
type CredentialStatus = Pick<StatusEntryAllocation, 'idx' | 'uri'>;

export interface IssueResponse {
  licenseId: string;
  type: string;
  status: string;
  docHash: string;
  supersedes?: string;
  anchor: { txId: string; blockNumber: number };
  credential: string;
  qr: { png: string; svg: string };
  /** The credential offer (OpenID4VCI) a wallet redeems with the PIN; present when offers are on. */
  offer?: IssuedOffer;
}

export interface Outcome<T> {
  status: number;
  body: T;
  /** True when the body is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/** One license of a batch: the body POST /licenses takes and the Idempotency-Key it would carry. */
export interface BatchItem {
  idempotencyKey: string;
  request: unknown;
}

/** What the off-chain record holds; its canonical form with the salt gives the docHash. */
export interface LicenseRecord {
  licenseId: string;
  type: string;
  issuer: string;
  holder: IssueRequest['holder'];
  data: IssueRequest['data'];
  validFrom: string;
  validUntil: string | null;
  supersedes?: { id: string; reason: string };
}

export interface IssuanceDeps {
  store: Store;
  ledger: RegistryLedger;
  credentials: CredentialIssuer;
  clock: Clock;
  holderRefKey: Buffer;
  /** Prefix of the QR links in responses, e.g. '' or 'https://registry.example'. */
  publicUrl: string;
  /**
   * Makes the credential offer that goes with a newly issued license (oid4vci-issuer.ts); null
   * when none can be made yet (recovery at start, before the server knows its URL).
   */
  offerFor?: (row: LicenseRow, agency: AgencyRow) => Promise<IssuedOffer | null>;
  /** Gives each printed credential its status list entry, registered with the anchor. */
  statusLists?: StatusListService;
}

function requestOf(record: LicenseRecord): IssueRequest {
  return { type: record.type, holder: record.holder, data: record.data, validFrom: record.validFrom, validUntil: record.validUntil } as IssueRequest;
}

/** Errors the ledger returns for a request that will never succeed as it stands. */
function isRefusal(error: unknown): error is RegistryError {
  return error instanceof RegistryError && error.status < 500 && error.code !== 'MVCC_CONFLICT';
}

export class IssuanceService {
  /**
   * Issuance is group-committed end to end: pending rows in one INSERT, their anchors in one
   * ledger transaction, the batch marked anchored in one UPDATE, credentials in one INSERT, their
   * offers in one INSERT (oid4vci-issuer.ts), the idempotency keys' answers in one UPDATE.
   */
  private readonly pendingRows: GroupCommit<LicenseRow>;
  private readonly credentialRows: GroupCommit<CredentialRow>;
  private readonly completions: GroupCommit<IdempotencyCompletion>;
  private readonly batcher: AnchorBatcher;
  /**
   * Keyed requests in flight in this process, by principal and Idempotency-Key: a retry that
   * arrives while the first is still anchoring waits for its outcome and replays it, instead of
   * racing it to the same license id (which the store or the ledger would refuse as a conflict).
   */
  private readonly inFlight = new Map<string, { requestHash: string; outcome: Promise<Outcome<IssueResponse>> }>();

  constructor(private readonly deps: IssuanceDeps) {
    this.pendingRows = new GroupCommit((rows) => deps.store.insertLicenses(rows), { windowMs: 1, splitOnError: true });
    this.credentialRows = new GroupCommit((rows) => deps.store.insertCredentials(rows), { windowMs: 1, splitOnError: true });
    this.completions = new GroupCommit((rows) => deps.store.completeIdempotencyKeys(rows), { windowMs: 1, splitOnError: true });
    this.batcher = new AnchorBatcher(deps.ledger, {
      afterCommit: (inputs, anchored) =>
        deps.store.markLicensesAnchored(
          inputs.map((input) => input.id),
          anchored.txId,
          anchored.blockNumber,
          this.now().toISOString(),
        ),
    });
  }

  private now(): Date {
    return this.deps.clock();
  }

  /** POST /licenses */
  async issue(agency: AgencyRow, body: unknown, idempotencyKey: string | null): Promise<Outcome<IssueResponse>> {
    const request = validateIssueRequest(body, { today: chinaDate(this.now()) });
    this.requireAllowed(agency, request.type);
    return this.create(agency, request, null, body, idempotencyKey);
  }

  /**
   * POST /licenses/batch: each item exactly as POST /licenses with its Idempotency-Key, all at
   * once, so their rows and anchors ride the same group commits (one ledger transaction for up to
   * 500 anchors) instead of each waiting for a commit of its own. Settled in order, never thrown:
   * one item's refusal is its own answer.
   */
  issueBatch(agency: AgencyRow, items: readonly BatchItem[]): Promise<Array<PromiseSettledResult<Outcome<IssueResponse>>>> {
    return Promise.allSettled(items.map((item) => this.issue(agency, item.request, item.idempotencyKey)));
  }

  /** POST /licenses/:id/renew — a new license superseding `oldId`, with changes from `body`. */
  async renew(agency: AgencyRow, oldId: string, body: Record<string, unknown>, idempotencyKey: string | null): Promise<Outcome<IssueResponse>> {
    const old = await this.ownLicense(agency, oldId);
    if (old.state !== 'anchored') throw new RegistryError('LICENSE_PENDING', `license ${oldId} is not anchored yet`);
    const reason = body.reason === undefined ? 'renewal' : body.reason;
    if (typeof reason !== 'string' || !(RENEW_REASONS as readonly string[]).includes(reason)) {
      throw new RegistryError('INVALID_FIELD', `reason: must be one of ${RENEW_REASONS.join(', ')}`, { field: 'reason' });
    }
    const record = old.record as unknown as LicenseRecord;
    const merged = {
      type: record.type,
      holder: body.holder ?? record.holder,
      data: body.data === undefined ? record.data : { ...record.data, ...(body.data as object) },
      validFrom: body.validFrom ?? record.validFrom,
      validUntil: body.validUntil === undefined ? record.validUntil : body.validUntil,
    };
    const request = validateIssueRequest(merged, { today: chinaDate(this.now()) });
    return this.create(agency, request, { id: oldId, reason }, { renew: oldId, body }, idempotencyKey);
  }

  private requireAllowed(agency: AgencyRow, type: string): void {
    if (!agency.licenseTypes.includes(type)) {
      throw new RegistryError('TYPE_NOT_ALLOWED', `agency ${agency.id} may not issue ${type} (allowed: ${agency.licenseTypes.join(', ')})`, { field: 'type' });
    }
  }

  /** The agency's own license row, or 404 / 403. */
  async ownLicense(agency: AgencyRow, id: string): Promise<LicenseRow> {
    const row = await this.deps.store.getLicense(id);
    if (!row) throw new RegistryError('LICENSE_NOT_FOUND', `license ${id} is not in this registry`);
    if (row.agencyId !== agency.id) throw new RegistryError('FORBIDDEN', `license ${id} was issued by another agency`);
    return row;
  }

  private async create(
    agency: AgencyRow,
    request: IssueRequest,
    supersedes: { id: string; reason: string } | null,
    rawRequest: unknown,
    idempotencyKey: string | null,
  ): Promise<Outcome<IssueResponse>> {
    if (idempotencyKey === null) return this.createRow(agency, request, supersedes, formatLicenseId(agency.province, randomBytes(8)), null);
    const requestHash = sha256Hex(canonicalize(rawRequest));
    const slot = `agency:${agency.id}\n${idempotencyKey}`;
    const running = this.inFlight.get(slot);
    if (running) {
      if (running.requestHash !== requestHash) throw new RegistryError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was used for a different request');
      // A refusal is the answer to every retry; an outage is not, so the retry then tries itself.
      const first = await running.outcome.catch((error: unknown) => {
        if (isRefusal(error)) throw error;
        return null;
      });
      if (first) return { ...first, replayed: true };
      return this.create(agency, request, supersedes, rawRequest, idempotencyKey);
    }
    const outcome = this.createKeyed(agency, request, supersedes, requestHash, idempotencyKey);
    this.inFlight.set(slot, { requestHash, outcome });
    try {
      return await outcome;
    } finally {
      this.inFlight.delete(slot);
    }
  }

  private async createKeyed(
    agency: AgencyRow,
    request: IssueRequest,
    supersedes: { id: string; reason: string } | null,
    requestHash: string,
    idempotencyKey: string,
  ): Promise<Outcome<IssueResponse>> {
    let licenseId = formatLicenseId(agency.province, randomBytes(8));
    const existing = await this.deps.store.claimIdempotencyKey({
      principal: `agency:${agency.id}`,
      key: idempotencyKey,
      requestHash,
      licenseId,
      createdAt: this.now().toISOString(),
    });
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new RegistryError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was used for a different request');
      }
      if (existing.state === 'done') return { status: existing.responseStatus ?? 201, body: existing.responseBody as IssueResponse, replayed: true };
      if (existing.licenseId) {
        const row = await this.deps.store.getLicense(existing.licenseId);
        if (row) return this.finish(row, agency, idempotencyKey, true);
        // The first attempt stopped between claiming the key and writing the license: carry on with its id.
        licenseId = existing.licenseId;
      }
    }
    return this.createRow(agency, request, supersedes, licenseId, idempotencyKey);
  }

  private async createRow(
    agency: AgencyRow,
    request: IssueRequest,
    supersedes: { id: string; reason: string } | null,
    licenseId: string,
    idempotencyKey: string | null,
  ): Promise<Outcome<IssueResponse>> {
    const row = this.newLicenseRow(agency, request, licenseId, supersedes);
    await this.pendingRows.add(row);
    return this.finish(row, agency, idempotencyKey, false);
  }

  private newLicenseRow(agency: AgencyRow, request: IssueRequest, licenseId: string, supersedes: { id: string; reason: string } | null): LicenseRow {
    const now = this.now().toISOString();
    const record: LicenseRecord = {
      licenseId,
      type: request.type,
      issuer: agency.id,
      holder: request.holder,
      data: request.data,
      validFrom: request.validFrom,
      validUntil: request.validUntil,
      ...(supersedes ? { supersedes } : {}),
    };
    const salt = randomBytes(16).toString('base64url');
    return {
      id: licenseId,
      type: request.type,
      agencyId: agency.id,
      holderRef: holderRefOf(this.deps.holderRefKey, holderIdentifier(request)),
      docHash: computeDocHash(record, salt),
      state: 'pending',
      status: 'pending',
      record: record as unknown as Record<string, unknown>,
      salt,
      validFrom: request.validFrom,
      validUntil: request.validUntil,
      supersedes: supersedes?.id ?? null,
      txId: null,
      blockNumber: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  private anchorInput(row: LicenseRow, entry: StatusEntryAllocation | null): AnchorInput {
    return {
      ...(entry ? { statusEntry: { listId: entry.listId, idx: entry.idx } } : {}),
      id: row.id,
      type: row.type,
      agencyId: row.agencyId,
      docHash: row.docHash,
      holderRef: row.holderRef,
      validFrom: row.validFrom,
      validUntil: row.validUntil,
    };
  }

  /** Steps 3–5 for a pending row; for an anchored one, just the response. */
  private async finish(row: LicenseRow, agency: AgencyRow, idempotencyKey: string | null, resumed: boolean): Promise<Outcome<IssueResponse>> {
    const principal = `agency:${agency.id}`;
    if (row.state === 'failed') {
      throw new RegistryError('INVALID_TRANSITION', `license ${row.id} was refused by the ledger: ${row.error ?? 'unknown reason'}`);
    }
    let current = row;
    let entry: CredentialStatus | null | undefined;
    if (current.state === 'pending') {
      try {
        ({ row: current, entry } = await this.anchor(current, agency, resumed));
      } catch (error) {
        if (isRefusal(error)) {
          await this.deps.store.markLicenseFailed(row.id, `${error.code}: ${error.message}`, this.now().toISOString());
          if (idempotencyKey !== null) {
            await this.completions.add({
              principal,
              key: idempotencyKey,
              responseStatus: error.status,
              responseBody: { error: { code: error.code, message: error.message } },
            });
          }
        }
        throw error;
      }
    }
    // Only a resumed issuance can already have its credential.
    const credential = (resumed ? await this.currentCredential(current.id) : null) ?? (await this.issueCredential(current, agency, entry));
    // The offer is made before the answer is stored, so a replay gives the same code and PIN.
    const offer = this.deps.offerFor ? await this.deps.offerFor(current, agency) : null;
    const body = { ...this.response(current, credential.credential), ...(offer ? { offer } : {}) };
    if (idempotencyKey !== null) await this.completions.add({ principal, key: idempotencyKey, responseStatus: 201, responseBody: body });
    return { status: 201, body, replayed: resumed };
  }

  private async anchor(row: LicenseRow, agency: AgencyRow, resumed: boolean): Promise<{ row: LicenseRow; entry: CredentialStatus | null }> {
    let anchored: { txId: string; blockNumber: number } | null = null;
    let entry: CredentialStatus | null;
    // The batcher records its batches as anchored itself; every other path records here.
    let recorded = false;
    if (resumed) anchored = await this.findAnchor(row, agency);
    if (anchored) {
      entry = await this.printedEntry(agency, row.id);
    } else {
      try {
        ({ anchored, entry, recorded } = await this.submitAnchor(row, agency));
      } catch (error) {
        // A commit we never heard back about may have landed: the ledger says what stands.
        if (error instanceof RegistryError && error.code === 'LICENSE_EXISTS') anchored = await this.findAnchor(row, agency);
        if (!anchored) throw error;
        entry = await this.printedEntry(agency, row.id);
      }
    }
    const at = this.now().toISOString();
    if (!recorded) await this.deps.store.markLicenseAnchored(row.id, anchored.txId, anchored.blockNumber, at);
    if (row.supersedes) await this.deps.store.updateLicenseStatus(row.supersedes, 'superseded', at);
    return { row: { ...row, state: 'anchored', status: 'active', txId: anchored.txId, blockNumber: anchored.blockNumber, updatedAt: at }, entry };
  }

  /**
   * Step 3: the anchor, with the printed credential's status list entry in the same transaction,
   * so an anchor never lacks its entry and a retry after a crash finds both or neither. An index
   * another node took first is drawn again.
   */
  private async submitAnchor(
    row: LicenseRow,
    agency: AgencyRow,
  ): Promise<{ anchored: { txId: string; blockNumber: number }; entry: StatusEntryAllocation | null; recorded: boolean }> {
    const lists = this.deps.statusLists;
    for (let attempt = 0; ; attempt++) {
      const entry = lists ? await lists.allocate(row.agencyId) : null;
      try {
        const input = this.anchorInput(row, entry);
        if (row.supersedes) {
          const reason = (row.record as unknown as LicenseRecord).supersedes?.reason ?? 'renewal';
          return { anchored: await this.deps.ledger.renew(agency.identityLabel, row.supersedes, input, reason), entry, recorded: false };
        }
        return { anchored: await this.batcher.anchor(agency.identityLabel, input), entry, recorded: true };
      } catch (error) {
        if (entry) lists?.release(row.agencyId, entry);
        if (!(error instanceof RegistryError && error.code === 'STATUS_INDEX_TAKEN' && attempt < 4)) throw error;
      }
    }
  }

  /** The printed credential's entry of an anchored license: its first, as the ledger holds it. */
  private async printedEntry(agency: AgencyRow, licenseId: string): Promise<CredentialStatus | null> {
    const lists = this.deps.statusLists;
    if (!lists) return null;
    const entries = await lists.entriesOf(agency.identityLabel, licenseId);
    const first = entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
    return first ? { idx: first.idx, uri: lists.uri(first.agencyId, first.listId) } : null;
  }

  /** The anchor of `row` if the ledger has it with this docHash; a different docHash is a refusal. */
  private async findAnchor(row: LicenseRow, agency: AgencyRow): Promise<{ txId: string; blockNumber: number } | null> {
    const anchor = await this.deps.ledger.readLicense(agency.identityLabel, row.id);
    if (!anchor) return null;
    if (anchor.docHash !== row.docHash) throw new RegistryError('LICENSE_EXISTS', `license id ${row.id} is anchored with another record`);
    const status = await this.deps.ledger.transactionStatus(agency.identityLabel, anchor.createdTxId);
    return { txId: anchor.createdTxId, blockNumber: status?.blockNumber ?? -1 };
  }

  /**
   * What a credential of this license says, before a holder key or a status reference is added:
   * the wallet form (OpenID4VCI) is `credentials.issue({ ...credentialRequestOf(row), holderJwk, status })`.
   */
  credentialRequestOf(row: LicenseRow): CredentialRequest {
    const record = row.record as unknown as LicenseRecord;
    return {
      license: { licenseId: row.id, agencyId: row.agencyId, type: row.type, validFrom: row.validFrom, validUntil: row.validUntil },
      subject: credentialSubject(requestOf(record), { issuedOn: chinaDate(this.now()), issuerProvince: provinceOfLicenseId(row.id) }),
    };
  }

  /**
   * The stored credential, unless it predates the SD-JWT VC format (a bare `iss`, no disclosures):
   * a registry upgraded in place hands out a fresh one for the same license instead.
   */
  private async currentCredential(licenseId: string): Promise<CredentialRow | null> {
    const stored = await this.deps.store.latestCredential(licenseId);
    if (!stored) return null;
    try {
      readRegisteredClaims(parseCredential(stored.credential).payload);
      return stored;
    } catch (error) {
      if (error instanceof CredentialFormatError) return null;
      throw error;
    }
  }

  /** The printed form: no holder key, every disclosure appended (the holder's wallet form comes from the credential offer). */
  private async issueCredential(row: LicenseRow, agency: AgencyRow, entry?: CredentialStatus | null): Promise<CredentialRow> {
    // `entry` undefined: not known here (a credential made again later), read from the ledger.
    const status = entry === undefined ? await this.printedEntry(agency, row.id) : entry;
    const issued = await this.deps.credentials.issue({ ...this.credentialRequestOf(row), ...(status ? { status } : {}) });
    const stored: CredentialRow = {
      // The same key the audit trail uses: the hash of the decoded signature.
      id: parseCredential(issued.credential).ref,
      licenseId: row.id,
      kid: issued.kid,
      credential: issued.credential,
      issuedAt: issued.issuedAt.toISOString(),
    };
    await this.credentialRows.add(stored);
    return stored;
  }

  response(row: LicenseRow, credential: string): IssueResponse {
    const base = `${this.deps.publicUrl}/api/v1/licenses/${encodeURIComponent(row.id)}`;
    return {
      licenseId: row.id,
      type: row.type,
      status: row.status,
      docHash: row.docHash,
      ...(row.supersedes ? { supersedes: row.supersedes } : {}),
      anchor: { txId: row.txId as string, blockNumber: row.blockNumber as number },
      credential,
      qr: { png: `${base}/qr.png`, svg: `${base}/qr.svg` },
    };
  }

  /**
   * Finishes pending issuances whose ledger outcome a crash or an outage left open: up to 1,000 per
   * call, oldest first; a row whose agency this node does not know is left for its own node.
   */
  async recoverPending(agencyOf: (id: string) => Promise<AgencyRow | null>): Promise<{ recovered: number; failed: number; stillPending: number }> {
    const result = { recovered: 0, failed: 0, stillPending: 0 };
    for (const row of await this.deps.store.listLicensesByState('pending', 1000)) {
      const agency = await agencyOf(row.agencyId);
      if (!agency) continue;
      try {
        await this.finish(row, agency, null, true);
        result.recovered += 1;
      } catch (error) {
        if (isRefusal(error)) result.failed += 1;
        else result.stillPending += 1;
      }
    }
    return result;
  }

  /**
   * The agency's licenses of one holder, found through the keyed holderRef: the store never holds
   * an ID number or credit code it could search in the clear.
   */
  async findByHolder(agency: AgencyRow, holder: { idNumber?: string; creditCode?: string }): Promise<LicenseRow[]> {
    let identifier: HolderIdentifier;
    if (holder.idNumber !== undefined && holder.creditCode === undefined) {
      const parsed = parseCitizenId(holder.idNumber);
      if (!parsed.ok) throw new RegistryError('INVALID_FIELD', `idNumber: ${parsed.reason}`, { field: 'idNumber' });
      identifier = citizenIdentifier(parsed.value);
    } else if (holder.creditCode !== undefined && holder.idNumber === undefined) {
      const parsed = parseCreditCode(holder.creditCode);
      if (!parsed.ok) throw new RegistryError('INVALID_FIELD', `creditCode: ${parsed.reason}`, { field: 'creditCode' });
      identifier = organizationIdentifier(parsed.value);
    } else {
      throw new RegistryError('INVALID_FIELD', 'body: give exactly one of idNumber and creditCode', { field: 'body' });
    }
    return this.deps.store.listLicensesByHolderRef(holderRefOf(this.deps.holderRefKey, identifier), agency.id);
  }

  async credentialOf(agency: AgencyRow, id: string): Promise<string> {
    const row = await this.ownLicense(agency, id);
    if (row.state !== 'anchored') throw new RegistryError('LICENSE_PENDING', `license ${id} is ${row.state}; it has no credential yet`);
    const credential = (await this.currentCredential(id)) ?? (await this.issueCredential(row, agency));
    return credential.credential;
  }
}
