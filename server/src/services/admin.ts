/**
 * Province administration: what a province's administrator does to onboard and run its agencies
 * and counters. Trust-registry changes (agencies, the types they may issue, their signing keys) go
 * to the ledger through the province's admin identity (role=admin), so the chaincode — not this
 * server — decides whether the province may make them; each answers with its transaction id.
 * Counters and API keys live in the store. An administrator acts only on its own province.
 */
import type { AgencyView, ApiKeyKind, ApiKeyView, CounterService, CounterView } from '../../../core/admin-views';
import type { Agency } from '../../../core/anchor';
import { RegistryError } from '../../../core/errors';
import type { Clock } from '../ports/clock';
import type { ApiKeyRow, CounterRow, Store } from '../ports/store';
import type { ProvinceNode } from '../ports/province-node';
import type { PrincipalsService } from './principals';
import type { RegistryLedger } from './registry-ledger';
import type { SigningKeysService } from './signing-keys';

export interface AdminDeps {
  store: Store;
  ledger: RegistryLedger;
  signingKeys: SigningKeysService;
  principals: PrincipalsService;
  clock: Clock;
  nodes: readonly ProvinceNode[];
  /** The wallet label of an issuer identity (role=issuer, agency=<id>) of the agency's province. */
  issuerIdentity: (province: ProvinceNode, agencyId: string) => Promise<string>;
}

/** Who acts: a province administrator, by the province code its key is filed under. */
export interface AdminActor {
  province: string;
}

export type { AgencyView, ApiKeyView, CounterService, CounterView };

export interface LedgerChange<T> {
  txId: string;
  blockNumber: number;
  result: T;
}

export interface NewAgency {
  id: string;
  name: string;
  licenseTypes: string[];
}

export interface AgencyChanges {
  name?: string;
  licenseTypes?: string[];
  status?: 'active' | 'suspended';
}

function apiKeyView(row: ApiKeyRow): ApiKeyView {
  return { id: row.id, kind: row.principalKind, principalId: row.principalId, province: row.province, createdAt: row.createdAt, revokedAt: row.revokedAt };
}

/**
 * Binds each province this node serves to its MSP on the ledger, once. The embedded ledger's node
 * does it at start (on Fabric, network:up does): without the demo nothing else would, and the
 * province's keys (status lists) and agencies need the binding.
 */
export async function bindProvinces(ledger: RegistryLedger, nodes: readonly ProvinceNode[]): Promise<void> {
  for (const node of nodes) {
    const provinces = await ledger.listProvinces(node.readerIdentity);
    if (!provinces.some((province) => province.code === node.code)) await ledger.registerProvince(node.adminIdentity, node.code);
  }
}

export class AdminService {
  constructor(private readonly deps: AdminDeps) {}

  /** The node of the actor's province; an administrator of a province this node does not serve can do nothing here. */
  private nodeOf(actor: AdminActor): ProvinceNode {
    const node = this.deps.nodes.find((candidate) => candidate.code === actor.province);
    if (!node) throw new RegistryError('WRONG_PROVINCE', `this node does not serve province ${actor.province}`);
    return node;
  }

  private async agencyOf(actor: AdminActor, id: string): Promise<Agency> {
    const node = this.nodeOf(actor);
    const agency = await this.deps.ledger.getAgency(node.readerIdentity, id);
    if (!agency) throw new RegistryError('AGENCY_NOT_FOUND', `agency ${id} is not registered`);
    if (agency.province !== actor.province) throw new RegistryError('WRONG_PROVINCE', `agency ${id} belongs to province ${agency.province}`);
    return agency;
  }

  private async view(agency: Agency): Promise<AgencyView> {
    const held = new Set((await this.deps.signingKeys.list(agency.id)).filter((key) => key.status === 'active').map((key) => key.kid));
    return {
      id: agency.id,
      name: agency.name,
      province: agency.province,
      status: agency.status,
      licenseTypes: agency.licenseTypes,
      keys: agency.keys.map((key) => ({ kid: key.kid, status: key.status, createdAt: key.createdAt, retiredAt: key.retiredAt })),
      issuesHere: agency.keys.some((key) => key.status === 'active' && held.has(key.kid)),
      updatedTxId: agency.updatedTxId,
    };
  }

  /** A key the ledger refused must not stay active here, or it would sign credentials no verifier can resolve. */
  private async withKeyRetiredOnFailure<T>(agencyId: string, kid: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // An unknown commit outcome may still have registered the key: keep it; a refusal did not.
      if (!(error instanceof RegistryError) || error.code !== 'COMMIT_STATUS_UNKNOWN') await this.deps.signingKeys.retire(agencyId, kid);
      throw error;
    }
  }

  async listAgencies(actor: AdminActor): Promise<AgencyView[]> {
    const node = this.nodeOf(actor);
    const agencies = await this.deps.ledger.listAgencies(node.readerIdentity);
    return Promise.all(agencies.filter((agency) => agency.province === actor.province).map((agency) => this.view(agency)));
  }

  /** Registers the agency on the ledger with a first signing key held by this node, and files it here. */
  async createAgency(actor: AdminActor, input: NewAgency): Promise<LedgerChange<AgencyView>> {
    const node = this.nodeOf(actor);
    // Checked before a key is made: a key filed active for another province's agency id would sign its credentials here.
    if (await this.deps.ledger.getAgency(node.readerIdentity, input.id)) throw new RegistryError('AGENCY_EXISTS', `agency ${input.id} is already registered`);
    // A node provisioned without the demo binds its MSP to its province with its first agency.
    const provinces = await this.deps.ledger.listProvinces(node.readerIdentity);
    if (!provinces.some((province) => province.code === node.code)) await this.deps.ledger.registerProvince(node.adminIdentity, node.code);
    const identityLabel = await this.deps.issuerIdentity(node, input.id);
    const pair = await this.deps.signingKeys.create(input.id);
    const tx = await this.withKeyRetiredOnFailure(input.id, pair.kid, () =>
      this.deps.ledger.registerAgency(node.adminIdentity, { ...input, province: node.code, jwk: pair.publicJwk }),
    );
    await this.deps.signingKeys.retireAllBut(input.id, pair.kid);
    await this.deps.store.upsertAgency({ ...input, province: node.code, mspId: node.mspId, identityLabel, createdAt: this.deps.clock().toISOString() });
    return { txId: tx.txId, blockNumber: tx.blockNumber, result: await this.view(await this.agencyOf(actor, input.id)) };
  }

  /** Suspends or reinstates an agency, renames it, or changes the license types it may issue. */
  async updateAgency(actor: AdminActor, id: string, changes: AgencyChanges): Promise<LedgerChange<AgencyView>> {
    const node = this.nodeOf(actor);
    await this.agencyOf(actor, id);
    const tx = await this.deps.ledger.updateAgency(node.adminIdentity, id, changes);
    const agency = await this.agencyOf(actor, id);
    const row = await this.deps.store.getAgency(id);
    if (row) await this.deps.store.upsertAgency({ ...row, name: agency.name, licenseTypes: agency.licenseTypes });
    this.deps.principals.forget(id);
    return { txId: tx.txId, blockNumber: tx.blockNumber, result: await this.view(agency) };
  }

  /** A new signing key; the ledger retires the old ones but keeps them resolvable, so earlier credentials still verify. */
  async rotateAgencyKey(actor: AdminActor, id: string): Promise<LedgerChange<AgencyView>> {
    const node = this.nodeOf(actor);
    await this.agencyOf(actor, id);
    const pair = await this.deps.signingKeys.create(id);
    const tx = await this.withKeyRetiredOnFailure(id, pair.kid, () => this.deps.ledger.rotateAgencyKey(node.adminIdentity, id, pair.publicJwk));
    await this.deps.signingKeys.retireAllBut(id, pair.kid);
    return { txId: tx.txId, blockNumber: tx.blockNumber, result: await this.view(await this.agencyOf(actor, id)) };
  }

  private async counterView(row: CounterRow): Promise<CounterView> {
    const services = await this.deps.store.listCounterServices(row.id);
    return { ...row, services: services.map(({ id, names, licenseType, claims, acceptsUnbound }) => ({ id, names, licenseType, claims, acceptsUnbound })) };
  }

  async listCounters(actor: AdminActor): Promise<CounterView[]> {
    this.nodeOf(actor);
    return Promise.all((await this.deps.store.listCounters(actor.province)).map((row) => this.counterView(row)));
  }

  /** Creates a counter or renames one of the province's counters, and adds or replaces the services given (by service id). */
  async saveCounter(actor: AdminActor, input: { id: string; name: string; services: CounterService[] }): Promise<CounterView> {
    this.nodeOf(actor);
    const existing = await this.deps.store.getCounter(input.id);
    if (existing && existing.province !== actor.province)
      throw new RegistryError('WRONG_PROVINCE', `counter ${input.id} belongs to province ${existing.province}`);
    const now = this.deps.clock().toISOString();
    await this.deps.store.upsertCounter({ id: input.id, name: input.name, province: actor.province, createdAt: existing?.createdAt ?? now });
    for (const service of input.services) await this.deps.store.upsertCounterService({ ...service, counterId: input.id, createdAt: now });
    this.deps.principals.forget(input.id);
    const saved = await this.deps.store.getCounter(input.id);
    if (!saved) throw new RegistryError('INTERNAL', `counter ${input.id} was not saved`);
    return this.counterView(saved);
  }

  /**
   * Removes one service of one of the province's counters: the counter page no longer offers it and
   * a new request naming it is refused. Requests already shown for it may still be answered, with
   * what they asked when they were made: the holder is at the window, and they expire on their own.
   */
  async deleteCounterService(actor: AdminActor, counterId: string, serviceId: string): Promise<CounterView> {
    this.nodeOf(actor);
    const counter = await this.deps.store.getCounter(counterId);
    if (!counter) throw new RegistryError('NOT_FOUND', `counter ${counterId} is not filed on this node`);
    if (counter.province !== actor.province) throw new RegistryError('WRONG_PROVINCE', `counter ${counterId} belongs to province ${counter.province}`);
    await this.deps.store.deleteCounterService(counterId, serviceId);
    return this.counterView(counter);
  }

  async listApiKeys(actor: AdminActor): Promise<ApiKeyView[]> {
    this.nodeOf(actor);
    return (await this.deps.store.listApiKeys(actor.province)).map(apiKeyView);
  }

  /** A new API key for an agency, a counter or the administration of the actor's province; its token is returned once. */
  async issueApiKey(actor: AdminActor, kind: ApiKeyKind, principalId: string): Promise<ApiKeyView & { token: string }> {
    this.nodeOf(actor);
    await this.requireOwnPrincipal(actor, kind, principalId);
    const issued = await this.deps.principals.createApiKey(kind, principalId, actor.province);
    const row = await this.deps.store.getApiKey(issued.id);
    if (!row) throw new RegistryError('INTERNAL', `api key ${issued.id} was not saved`);
    return { ...apiKeyView(row), token: issued.token };
  }

  private async requireOwnPrincipal(actor: AdminActor, kind: ApiKeyKind, principalId: string): Promise<void> {
    if (kind === 'admin') {
      if (principalId !== actor.province) throw new RegistryError('WRONG_PROVINCE', `an admin key of ${actor.province} cannot speak for ${principalId}`);
      return;
    }
    const row = kind === 'agency' ? await this.deps.store.getAgency(principalId) : await this.deps.store.getCounter(principalId);
    if (!row) throw new RegistryError('NOT_FOUND', `${kind} ${principalId} is not filed on this node`);
    if (row.province !== actor.province) throw new RegistryError('WRONG_PROVINCE', `${kind} ${principalId} belongs to province ${row.province}`);
  }

  /** Revokes a key of the actor's province; the next request with it is refused (the key cache forgets it at once). */
  async revokeApiKey(actor: AdminActor, id: string): Promise<ApiKeyView> {
    this.nodeOf(actor);
    const row = await this.deps.store.getApiKey(id);
    if (!row) throw new RegistryError('NOT_FOUND', `api key ${id} not found`);
    if (row.province !== actor.province) throw new RegistryError('WRONG_PROVINCE', `api key ${id} belongs to province ${row.province}`);
    await this.deps.principals.revokeApiKey(id);
    const revoked = await this.deps.store.getApiKey(id);
    return apiKeyView(revoked ?? row);
  }
}
