/**
 * Token Status Lists (IETF draft-ietf-oauth-status-list), derived from the ledger and never from
 * this node's store, so a node of any province serves any agency's list and they all agree.
 *
 * - Each agency's lists are loaded from the ledger's entries on first use (`status:ListStatusEntries`,
 *   paged) and kept current from chaincode events — this node's commits and, on Fabric, other
 *   provinces' blocks alike. Events that arrive while a load runs are replayed after it, in order.
 * - Indices are drawn at random among 2^17 per list (herd privacy, no issuance order); a list takes
 *   new credentials until half full, then the next list opens. The chaincode refuses a taken index
 *   (another node drew it first) and the caller draws again.
 * - The token is signed by this node's province key (trust registry purpose `status-list`) lazily,
 *   and reused until the list changes or it is a second old.
 */
import { randomInt } from 'node:crypto';
import { StatusList, createHeaderAndPayload } from '@sd-jwt/jwt-status-list';
import { isProvinceCode } from '../../../core/admin-divisions';
import type { AgencyKey, StoredStatus } from '../../../core/anchor';
import { REGISTRY_ID } from '../../../core/registry-id';
import { RegistryError } from '../../../core/errors';
import { LIST_ID_PATTERN, STATUS_LIST_BITS, STATUS_LIST_SIZE, STATUS_LIST_TYP, type StatusEntryView } from '../../../core/status-list';
import type { Clock } from '../ports/clock';
import type { KeyPair, Keys } from '../ports/keys';
import type { LedgerEvent } from '../ports/ledger';
import type { ProvinceNode } from '../ports/province-node';
import type { RegistryLedger } from './registry-ledger';
import type { SigningKeysService } from './signing-keys';
import { statusListOf } from './status-list-check';
import { AgencyLists, type ListState, type StatusChange } from './status-list-state';

export const STATUS_LIST_MEDIA_TYPE = 'application/statuslist+jwt';

export interface StatusListOptions {
  /** `ttl` of the token: how long a relying party may keep it before fetching again. */
  ttlSeconds: number;
  /** `exp` of the token, from its `iat`. */
  lifetimeSeconds: number;
  /** A signed token is reused for this long while its list does not change. */
  maxTokenAgeMs: number;
  /** A list takes new entries until this many indices are used, then the next list opens. */
  listFill: number;
}

export interface StatusListDeps {
  ledger: RegistryLedger;
  keys: Keys;
  signingKeys: SigningKeysService;
  clock: Clock;
  /** The provinces this node serves; the first is the one whose key signs other provinces' lists. */
  nodes: ProvinceNode[];
  /** This node's public base URL (PUBLIC_URL, or where it listens). */
  baseUrl: () => string;
  options?: Partial<StatusListOptions>;
}

export interface StatusEntryAllocation {
  listId: string;
  idx: number;
  /** `status.status_list.uri` of the credential. */
  uri: string;
}

interface Signed {
  token: string;
  version: number;
  at: number;
}

interface AgencySlot {
  lists: AgencyLists | null;
  loading: Promise<AgencyLists>;
  /** Changes seen while the load runs, replayed after it. */
  queued: StatusChange[];
}

const DEFAULTS: StatusListOptions = { ttlSeconds: 60, lifetimeSeconds: 600, maxTokenAgeMs: 1000, listFill: STATUS_LIST_SIZE / 2 };
const PAGE_SIZE = 1000;

/** Owner id under which the store keeps a province's status-list key beside the agencies' keys. */
export function provinceKeyOwner(province: string): string {
  return `province:${province}`;
}

function changesOf(event: LedgerEvent): StatusChange[] {
  let payload: unknown;
  try {
    payload = JSON.parse(event.payload.toString('utf8'));
  } catch {
    return [];
  }
  if (typeof payload !== 'object' || payload === null) return [];
  const changes: StatusChange[] = [];
  const entries: unknown = Object.hasOwn(payload, 'statusEntries') ? (payload as { statusEntries: unknown }).statusEntries : [];
  const licenses: unknown = Object.hasOwn(payload, 'licenses') ? (payload as { licenses: unknown }).licenses : [];
  if (Array.isArray(licenses)) {
    for (const item of licenses as Array<{ id?: unknown; status?: unknown }>) {
      if (typeof item.id === 'string' && typeof item.status === 'string') changes.push({ kind: 'license', id: item.id, status: item.status as StoredStatus });
    }
  }
  if (Array.isArray(entries)) for (const view of entries as StatusEntryView[]) changes.push({ kind: 'entry', view });
  return changes;
}

export class StatusListService {
  private readonly options: StatusListOptions;
  private readonly agencies = new Map<string, AgencySlot>();
  /** Which agency holds each license with an entry, so a status event finds its lists. */
  private readonly licenseAgency = new Map<string, string>();
  private readonly signed = new Map<string, Signed>();
  private readonly signing = new Map<string, Promise<Signed>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: StatusListDeps) {
    this.options = { ...DEFAULTS, ...deps.options };
    this.unsubscribe = deps.ledger.port.onEvent((event) => {
      this.onEvent(event);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  private get reader(): string {
    const node = this.deps.nodes[0];
    if (!node) throw new RegistryError('INTERNAL', 'this registry serves no province');
    return node.readerIdentity;
  }

  uri(agencyId: string, listId: string): string {
    return `${this.deps.baseUrl()}/status-lists/${encodeURIComponent(agencyId)}/${listId}`;
  }

  issuerOf(province: string): string {
    return `${this.deps.baseUrl()}/provinces/${province}`;
  }

  // ---- keeping the lists current ----

  private onEvent(event: LedgerEvent): void {
    for (const change of changesOf(event)) {
      if (change.kind === 'entry') {
        this.licenseAgency.set(change.view.licenseId, change.view.agencyId);
        this.deliver(change.view.agencyId, change);
      } else {
        const agencyId = this.licenseAgency.get(change.id);
        if (agencyId !== undefined) this.deliver(agencyId, change);
        // A license of an agency whose lists are loading may not be mapped yet: let each loading slot replay it.
        for (const [id, slot] of this.agencies) if (!slot.lists && id !== agencyId) slot.queued.push(change);
      }
    }
  }

  private deliver(agencyId: string, change: StatusChange): void {
    const slot = this.agencies.get(agencyId);
    if (!slot) return;
    if (slot.lists) slot.lists.apply(change);
    else slot.queued.push(change);
  }

  /** The agency's lists, loaded from the ledger on first use. */
  private lists(agencyId: string): Promise<AgencyLists> {
    const slot = this.agencies.get(agencyId);
    if (slot) return slot.lists ? Promise.resolve(slot.lists) : slot.loading;
    const created: AgencySlot = {
      lists: null,
      queued: [],
      // The callbacks run after `created` is initialised: a load always takes at least one ledger round trip.
      loading: this.load(agencyId).then(
        (lists) => {
          for (const change of created.queued.splice(0)) lists.apply(change);
          created.lists = lists;
          return lists;
        },
        (error: unknown) => {
          this.agencies.delete(agencyId);
          throw error;
        },
      ),
    };
    this.agencies.set(agencyId, created);
    return created.loading;
  }

  private async load(agencyId: string): Promise<AgencyLists> {
    const agency = await this.deps.ledger.getAgency(this.reader, agencyId);
    if (!agency) throw new RegistryError('STATUS_LIST_NOT_FOUND', `agency ${agencyId} is not in the trust registry`);
    const lists = new AgencyLists(agencyId, agency.province);
    let bookmark = '';
    for (;;) {
      const page = await this.deps.ledger.listStatusEntries(this.reader, { agencyId, pageSize: PAGE_SIZE, bookmark });
      for (const view of page.entries) {
        this.licenseAgency.set(view.licenseId, agencyId);
        lists.apply({ kind: 'entry', view });
      }
      if (page.entries.length < PAGE_SIZE || page.bookmark === '' || page.bookmark === bookmark) return lists;
      bookmark = page.bookmark;
    }
  }

  /** Loads the lists of these agencies now, so the first request does not wait for the ledger. */
  async preload(agencyIds: string[]): Promise<void> {
    await Promise.all(agencyIds.map((id) => this.lists(id)));
  }

  // ---- allocation and entries ----

  /** A free random index for a new credential of the agency, reserved until its entry commits or is released. */
  async allocate(agencyId: string): Promise<StatusEntryAllocation> {
    const lists = await this.lists(agencyId);
    for (let number = 1; ; number++) {
      const listId = String(number);
      if (lists.used(listId) >= this.options.listFill) continue;
      for (;;) {
        const idx = randomInt(STATUS_LIST_SIZE);
        if (lists.isFree(listId, idx)) {
          lists.list(listId);
          lists.reserved.add(`${listId}/${idx}`);
          return { listId, idx, uri: this.uri(agencyId, listId) };
        }
      }
    }
  }

  /** Gives back an index whose entry will not be committed (its transaction was refused). */
  release(agencyId: string, entry: { listId: string; idx: number }): void {
    this.agencies.get(agencyId)?.lists?.reserved.delete(`${entry.listId}/${entry.idx}`);
  }

  /**
   * Registers an entry for a further credential of a license (a wallet-bound one), drawing a new
   * index when another node took the drawn one first. The caller is the agency's issuer identity.
   */
  async register(issuerIdentity: string, agencyId: string, licenseId: string): Promise<StatusEntryAllocation> {
    for (let attempt = 0; ; attempt++) {
      const entry = await this.allocate(agencyId);
      try {
        await this.deps.ledger.registerStatusEntry(issuerIdentity, { agencyId, listId: entry.listId, idx: entry.idx, licenseId });
        return entry;
      } catch (error) {
        this.release(agencyId, entry);
        if (!(error instanceof RegistryError && error.code === 'STATUS_INDEX_TAKEN' && attempt < 4)) throw error;
      }
    }
  }

  /** The credential at this entry stops verifying (INVALID) while its license stands. */
  async invalidate(issuerIdentity: string, agencyId: string, entry: { listId: string; idx: number }): Promise<StatusEntryView> {
    return (await this.deps.ledger.invalidateStatusEntry(issuerIdentity, agencyId, entry.listId, entry.idx)).entry;
  }

  /** Invalidates the entry a credential's `status.status_list` names (its `uri` is a list of this registry, on any node). */
  async invalidateCredential(issuerIdentity: string, agencyId: string, reference: { idx: number; uri: string }): Promise<StatusEntryView> {
    const list = statusListOf(reference.uri);
    if (typeof list === 'string') throw new RegistryError('INVALID_ARGUMENT', list);
    if (list.agencyId !== agencyId) throw new RegistryError('FORBIDDEN', `${reference.uri} is a list of ${list.agencyId}, not of ${agencyId}`);
    return this.invalidate(issuerIdentity, agencyId, { listId: list.listId, idx: reference.idx });
  }

  /** The entries a license's credentials point at, as the ledger holds them. */
  entriesOf(identity: string, licenseId: string): Promise<StatusEntryView[]> {
    return this.deps.ledger.statusEntriesOf(identity, licenseId);
  }

  /** What the list says at an index now, and whose entry it is (null: no entry registered there). */
  async lookup(agencyId: string, listId: string, idx: number): Promise<{ value: number; licenseId: string; invalidated: boolean } | null> {
    return (await this.lists(agencyId)).entry(listId, idx);
  }

  /** The agency's lists that hold entries (the ids a bundle of every list walks). */
  async listIds(agencyId: string): Promise<string[]> {
    const lists = await this.lists(agencyId);
    return [...lists.lists.values()].filter((list) => list.entries.size > 0).map((list) => list.listId);
  }

  // ---- the token ----

  /** The signed Status List Token of `<agency>/<list>`, reused while the list is unchanged and fresh. */
  async token(agencyId: string, listId: string): Promise<string> {
    // A malformed agency id never reaches the ledger, whose refusal would be a 400 carrying a query's txId.
    if (!LIST_ID_PATTERN.test(listId) || !REGISTRY_ID.test(agencyId)) throw new RegistryError('STATUS_LIST_NOT_FOUND', `no status list ${agencyId}/${listId}`);
    const lists = await this.lists(agencyId);
    const list = lists.lists.get(listId);
    if (!list) throw new RegistryError('STATUS_LIST_NOT_FOUND', `no status list ${agencyId}/${listId}`);
    const id = `${agencyId}/${listId}`;
    const cached = this.signed.get(id);
    if (cached?.version === list.version && Date.now() - cached.at < this.options.maxTokenAgeMs) return cached.token;
    let signing = this.signing.get(id);
    if (!signing) {
      signing = this.sign(lists, list).finally(() => this.signing.delete(id));
      this.signing.set(id, signing);
    }
    const signed = await signing;
    this.signed.set(id, signed);
    return signed.token;
  }

  /** The province whose key signs an agency's lists here: its own when this node serves it. */
  private signerFor(lists: AgencyLists): ProvinceNode {
    const node = this.deps.nodes.find((candidate) => candidate.code === lists.province) ?? this.deps.nodes[0];
    if (!node) throw new RegistryError('INTERNAL', 'this registry serves no province');
    return node;
  }

  private async sign(lists: AgencyLists, list: ListState): Promise<Signed> {
    const version = list.version;
    const at = Date.now();
    const province = this.signerFor(lists).code;
    const key = await this.deps.signingKeys.active(provinceKeyOwner(province));
    const iat = Math.floor(this.deps.clock().getTime() / 1000);
    const { payload } = createHeaderAndPayload(
      new StatusList([...list.values], STATUS_LIST_BITS),
      { iss: this.issuerOf(province), sub: this.uri(lists.agencyId, list.listId), iat, exp: iat + this.options.lifetimeSeconds, ttl: this.options.ttlSeconds },
      { alg: 'ES256', typ: STATUS_LIST_TYP },
    );
    const token = await this.deps.keys.sign(key.privateJwk, key.kid, STATUS_LIST_TYP, payload);
    return { token, version, at };
  }

  /** Every list of every agency on the ledger, as its URI serves it: what an offline bundle carries. */
  async allTokens(identity: string): Promise<Array<{ uri: string; token: string }>> {
    const tokens: Array<{ uri: string; token: string }> = [];
    for (const agency of await this.deps.ledger.listAgencies(identity)) {
      for (const listId of await this.listIds(agency.id)) tokens.push({ uri: this.uri(agency.id, listId), token: await this.token(agency.id, listId) });
    }
    return tokens;
  }

  /** Each province with its status-list keys (retired ones too), as the trust registry lists them. */
  async provincesWithKeys(identity: string): Promise<Array<{ code: string; mspId: string; statusListKeys: AgencyKey[] }>> {
    const provinces = await this.deps.ledger.listProvinces(identity);
    return Promise.all(
      provinces.map(async (province) => ({
        code: province.code,
        mspId: province.mspId,
        statusListKeys: (await this.provinceIssuerKeys(province.code, identity)) ?? [],
      })),
    );
  }

  // ---- the province keys ----

  /**
   * The issuer-metadata resolver of `provinces/<code>`: the province's status-list keys as the
   * ledger's trust registry lists them (retired ones too); null for no such province or no key.
   */
  async provinceIssuerKeys(code: string, identity: string): Promise<AgencyKey[] | null> {
    if (!isProvinceCode(code)) return null;
    // Province keys have one purpose today: status lists.
    const keys = await this.deps.ledger.listProvinceKeys(identity, code);
    if (keys.length === 0) return null;
    return keys.map(({ kid, jwk, status, createdAt, retiredAt }) => ({ kid, jwk, status, createdAt, retiredAt }));
  }

  /**
   * Every province this node serves has a status-list key held here and active on the ledger:
   * made and registered by the province's admin at first start, or again if either side lost it.
   */
  async ensureProvinceKeys(): Promise<void> {
    for (const node of this.deps.nodes) {
      const onLedger = (await this.deps.ledger.listProvinceKeys(node.readerIdentity, node.code)).find((key) => key.status === 'active');
      const held = await this.deps.signingKeys.list(provinceKeyOwner(node.code));
      if (onLedger && held.some((key) => key.kid === onLedger.kid && key.status === 'active')) continue;
      const pair: KeyPair = await this.deps.signingKeys.create(provinceKeyOwner(node.code));
      await this.deps.ledger.registerProvinceKey(node.adminIdentity, node.code, pair.publicJwk, 'status-list');
      await this.deps.signingKeys.retireAllBut(provinceKeyOwner(node.code), pair.kid);
    }
  }
}
