/**
 * The trust registry: which province each MSP speaks for, which agencies issue what, and the keys
 * they sign credentials with. A verifier anywhere resolves a credential's `kid` here.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { RegistryContract } from './registry-contract';
import { RegistryError } from '../../core/errors';
import { agencyRecordOf, type Agency, type AgencyKey, type Province, type ResolvedKey } from '../../core/anchor';
import { isProvinceCode } from '../../core/admin-divisions';
import { LICENSE_TYPE_SEEDS, type LicenseTypeSeed } from '../../core/license-type-seeds';
import { JWK_THUMBPRINT, jwkThumbprint, parsePublicJwk } from '../../core/jwk';
import { callerOf, callerProvince, requireAdmin, requireProvinceAdmin } from './caller';
import { asObject, parseJsonArg, requireId, requireOneOf, requireStringList, requireText, requireType } from './input';
import { KEY, emit, readJson, reply, stateKey, txTime, writeJson } from './state';
import { PROVINCE_KEY_PURPOSES, type ProvinceKey } from '../../core/status-list';

export interface LicenseTypeRecord extends LicenseTypeSeed {
  docType: 'licenseType';
  status: 'active';
}

const MAX_AGENCY_TYPES = 64;
const MAX_KEYS_PER_AGENCY = 32;

export async function getLicenseType(ctx: Context, id: string): Promise<LicenseTypeRecord | null> {
  const stored = await readJson<LicenseTypeRecord>(ctx, stateKey(ctx, KEY.licenseType, id));
  if (stored) return stored;
  const seed = LICENSE_TYPE_SEEDS.find((candidate) => candidate.id === id);
  return seed ? { docType: 'licenseType', status: 'active', ...seed } : null;
}

export async function getAgency(ctx: Context, id: string): Promise<Agency> {
  const agency = await readJson<Agency>(ctx, stateKey(ctx, KEY.agency, id));
  if (!agency) throw new RegistryError('AGENCY_NOT_FOUND', `agency ${id} is not registered`);
  return agency;
}

async function requireKnownTypes(ctx: Context, types: string[]): Promise<void> {
  for (const type of types) {
    if (!(await getLicenseType(ctx, type))) throw new RegistryError('UNKNOWN_LICENSE_TYPE', `license type ${type} is not registered`);
  }
}

async function addKey(ctx: Context, agency: Agency, jwkValue: unknown, now: string): Promise<AgencyKey> {
  const jwk = parsePublicJwk(jwkValue);
  const kid = jwkThumbprint(jwk);
  if (await readJson(ctx, stateKey(ctx, KEY.agencyKey, kid))) {
    throw new RegistryError('KEY_EXISTS', `key ${kid} is already registered`);
  }
  if (agency.keys.length >= MAX_KEYS_PER_AGENCY) {
    throw new RegistryError('INVALID_ARGUMENT', `agency ${agency.id} already has ${MAX_KEYS_PER_AGENCY} keys`);
  }
  const key: AgencyKey = { kid, jwk, status: 'active', createdAt: now, retiredAt: null };
  await writeJson(ctx, stateKey(ctx, KEY.agencyKey, kid), { kid, agencyId: agency.id });
  return key;
}

async function provinceKeys(ctx: Context, province: string): Promise<ProvinceKey[]> {
  const keys: ProvinceKey[] = [];
  for await (const entry of ctx.stub.getStateByPartialCompositeKey(KEY.provinceKey, [province])) {
    keys.push(JSON.parse(Buffer.from(entry.value).toString('utf8')) as ProvinceKey);
  }
  return keys;
}

@Info({ title: 'TrustRegistry', description: 'Provinces, issuing agencies and their signing keys' })
export class TrustContract extends RegistryContract {
  constructor() {
    super('trust');
  }

  /**
   * Binds the caller's MSP to a province. Done once per org when the network is set up; the
   * binding never changes afterwards, so no org can later speak for another's province.
   */
  @Transaction()
  @Returns('string')
  async RegisterProvince(ctx: Context, code: string): Promise<string> {
    const caller = callerOf(ctx);
    requireAdmin(caller);
    if (!isProvinceCode(code)) throw new RegistryError('INVALID_ARGUMENT', `${code} is not a GB/T 2260 province-level code`);
    const existing = await readJson<Province>(ctx, stateKey(ctx, KEY.province, code));
    if (existing) {
      if (existing.mspId === caller.mspId) return reply(existing);
      throw new RegistryError('WRONG_PROVINCE', `province ${code} is already bound to ${existing.mspId}`);
    }
    const own = await callerProvince(ctx, caller);
    if (own) throw new RegistryError('WRONG_PROVINCE', `MSP ${caller.mspId} is already bound to province ${own.code}`);
    const province: Province = { docType: 'province', code, mspId: caller.mspId, registeredAt: txTime(ctx), txId: ctx.stub.getTxID() };
    await writeJson(ctx, stateKey(ctx, KEY.province, code), province);
    await writeJson(ctx, stateKey(ctx, KEY.mspProvince, caller.mspId), { code });
    emit(ctx, 'ProvinceRegistered', { code, mspId: caller.mspId });
    return reply(province);
  }

  @Transaction(false)
  @Returns('string')
  async ListProvinces(ctx: Context): Promise<string> {
    const provinces: Province[] = [];
    for await (const entry of ctx.stub.getStateByPartialCompositeKey(KEY.province, [])) {
      provinces.push(JSON.parse(Buffer.from(entry.value).toString('utf8')) as Province);
    }
    return reply(provinces);
  }

  /** `{ id, name, province, licenseTypes, jwk }` — the agency and its first signing key. */
  @Transaction()
  @Returns('string')
  async RegisterAgency(ctx: Context, agencyJson: string): Promise<string> {
    const input = asObject(parseJsonArg(agencyJson, 'agency'), 'agency');
    const caller = callerOf(ctx);
    const province = requireText(input.province, 'province', 6);
    await requireProvinceAdmin(ctx, caller, province);
    const id = requireId(input.id, 'agency id');
    const name = requireText(input.name, 'name', 128);
    const licenseTypes = requireStringList(input.licenseTypes, 'licenseTypes', MAX_AGENCY_TYPES, (item, what) => requireType(item, what));
    await requireKnownTypes(ctx, licenseTypes);
    if (await readJson(ctx, stateKey(ctx, KEY.agency, id))) throw new RegistryError('AGENCY_EXISTS', `agency ${id} is already registered`);

    const now = txTime(ctx);
    const agency: Agency = {
      docType: 'agency',
      id,
      name,
      province,
      mspId: caller.mspId,
      licenseTypes,
      status: 'active',
      keys: [],
      createdAt: now,
      updatedAt: now,
      updatedTxId: ctx.stub.getTxID(),
    };
    const key = await addKey(ctx, agency, input.jwk, now);
    agency.keys.push(key);
    await writeJson(ctx, stateKey(ctx, KEY.agency, id), agency);
    emit(ctx, 'AgencyRegistered', { id, province, kid: key.kid });
    return reply(agency);
  }

  /** `{ name?, licenseTypes?, status? }` — changes by the agency's own province admin. */
  @Transaction()
  @Returns('string')
  async UpdateAgency(ctx: Context, id: string, changesJson: string): Promise<string> {
    const changes = asObject(parseJsonArg(changesJson, 'changes'), 'changes');
    const agency = await getAgency(ctx, requireId(id, 'agency id'));
    await requireProvinceAdmin(ctx, callerOf(ctx), agency.province);
    if (changes.name !== undefined) agency.name = requireText(changes.name, 'name', 128);
    if (changes.licenseTypes !== undefined) {
      agency.licenseTypes = requireStringList(changes.licenseTypes, 'licenseTypes', MAX_AGENCY_TYPES, (item, what) => requireType(item, what));
      await requireKnownTypes(ctx, agency.licenseTypes);
    }
    if (changes.status !== undefined) agency.status = requireOneOf(changes.status, ['active', 'suspended'] as const, 'status');
    agency.updatedAt = txTime(ctx);
    agency.updatedTxId = ctx.stub.getTxID();
    await writeJson(ctx, stateKey(ctx, KEY.agency, agency.id), agency);
    emit(ctx, 'AgencyUpdated', { id: agency.id, status: agency.status });
    return reply(agency);
  }

  /**
   * Registers a new signing key and retires the active ones. Retired keys stay resolvable with
   * their `retiredAt`, so credentials signed before the rotation still verify.
   */
  @Transaction()
  @Returns('string')
  async RotateAgencyKey(ctx: Context, id: string, jwkJson: string): Promise<string> {
    const jwk = parseJsonArg(jwkJson, 'jwk');
    const agency = await getAgency(ctx, requireId(id, 'agency id'));
    await requireProvinceAdmin(ctx, callerOf(ctx), agency.province);
    const now = txTime(ctx);
    const key = await addKey(ctx, agency, jwk, now);
    for (const old of agency.keys) {
      if (old.status === 'active') {
        old.status = 'retired';
        old.retiredAt = now;
      }
    }
    agency.keys.push(key);
    agency.updatedAt = now;
    agency.updatedTxId = ctx.stub.getTxID();
    await writeJson(ctx, stateKey(ctx, KEY.agency, agency.id), agency);
    emit(ctx, 'AgencyKeyRotated', { id: agency.id, kid: key.kid });
    return reply(agency);
  }

  @Transaction(false)
  @Returns('string')
  async GetAgency(ctx: Context, id: string): Promise<string> {
    return reply(await getAgency(ctx, requireId(id, 'agency id')));
  }

  @Transaction(false)
  @Returns('string')
  async ListAgencies(ctx: Context): Promise<string> {
    const agencies: Agency[] = [];
    for await (const entry of ctx.stub.getStateByPartialCompositeKey(KEY.agency, [])) {
      agencies.push(JSON.parse(Buffer.from(entry.value).toString('utf8')) as Agency);
    }
    return reply(agencies);
  }

  /** The key a credential's `kid` names, with the agency that holds it. */
  @Transaction(false)
  @Returns('string')
  async ResolveKey(ctx: Context, kid: string): Promise<string> {
    if (typeof kid !== 'string' || !JWK_THUMBPRINT.test(kid)) throw new RegistryError('INVALID_ARGUMENT', 'kid must be a JWK thumbprint');
    const index = await readJson<{ agencyId: string }>(ctx, stateKey(ctx, KEY.agencyKey, kid));
    if (!index) throw new RegistryError('KEY_NOT_FOUND', `key ${kid} is not in the trust registry`);
    const agency = await getAgency(ctx, index.agencyId);
    const key = agency.keys.find((candidate) => candidate.kid === kid);
    if (!key) throw new RegistryError('KEY_NOT_FOUND', `key ${kid} is not in the trust registry`);
    const resolved: ResolvedKey = {
      ...key,
      agency: agencyRecordOf(agency),
    };
    return reply(resolved);
  }

  /**
   * A key of the province itself for one purpose (`status-list`: the key its nodes sign status list
   * tokens with), by that province's admin only. A new key retires the purpose's active one, which
   * stays listed with its `retiredAt` so tokens it signed can be told apart.
   */
  @Transaction()
  @Returns('string')
  async RegisterProvinceKey(ctx: Context, province: string, jwkJson: string, purpose: string): Promise<string> {
    const use = requireOneOf(purpose, PROVINCE_KEY_PURPOSES, 'purpose');
    await requireProvinceAdmin(ctx, callerOf(ctx), province);
    const jwk = parsePublicJwk(parseJsonArg(jwkJson, 'jwk'));
    const kid = jwkThumbprint(jwk);
    if (await readJson(ctx, stateKey(ctx, KEY.agencyKey, kid))) throw new RegistryError('KEY_EXISTS', `key ${kid} is already an agency key`);
    const now = txTime(ctx);
    const existing = await provinceKeys(ctx, province);
    if (existing.some((key) => key.kid === kid)) throw new RegistryError('KEY_EXISTS', `key ${kid} is already registered for province ${province}`);
    // Every province key has one purpose today (status lists), so `use` selects them all.
    for (const old of existing.filter((key) => key.status === 'active')) {
      await writeJson(ctx, stateKey(ctx, KEY.provinceKey, province, old.kid), { ...old, status: 'retired', retiredAt: now });
    }
    const key: ProvinceKey = { docType: 'provinceKey', province, purpose: use, kid, jwk, status: 'active', createdAt: now, retiredAt: null };
    await writeJson(ctx, stateKey(ctx, KEY.provinceKey, province, kid), key);
    emit(ctx, 'ProvinceKeyRegistered', { province, kid, purpose: use });
    return reply(key);
  }

  /** A province's keys, every purpose, active and retired. */
  @Transaction(false)
  @Returns('string')
  async ListProvinceKeys(ctx: Context, province: string): Promise<string> {
    if (!isProvinceCode(province)) throw new RegistryError('INVALID_ARGUMENT', `${province} is not a GB/T 2260 province-level code`);
    return reply(await provinceKeys(ctx, province));
  }

  /** `{ id, names: { zh, en } }` — license types are data: a new one needs no chaincode upgrade. */
  @Transaction()
  @Returns('string')
  async RegisterLicenseType(ctx: Context, typeJson: string): Promise<string> {
    const input = asObject(parseJsonArg(typeJson, 'license type'), 'license type');
    const caller = callerOf(ctx);
    requireAdmin(caller);
    if (!(await callerProvince(ctx, caller))) throw new RegistryError('FORBIDDEN', `MSP ${caller.mspId} has no registered province`);
    const id = requireType(input.id, 'id');
    const names = asObject(input.names, 'names');
    if (await getLicenseType(ctx, id)) throw new RegistryError('ALREADY_EXISTS', `license type ${id} is already registered`);
    const record: LicenseTypeRecord = {
      docType: 'licenseType',
      id,
      status: 'active',
      names: { zh: requireText(names.zh, 'names.zh', 64), en: requireText(names.en, 'names.en', 64) },
    };
    await writeJson(ctx, stateKey(ctx, KEY.licenseType, id), record);
    emit(ctx, 'LicenseTypeRegistered', { id });
    return reply(record);
  }

  @Transaction(false)
  @Returns('string')
  async ListLicenseTypes(ctx: Context): Promise<string> {
    const types = new Map<string, LicenseTypeRecord>();
    for (const seed of LICENSE_TYPE_SEEDS) types.set(seed.id, { docType: 'licenseType', status: 'active', ...seed });
    for await (const entry of ctx.stub.getStateByPartialCompositeKey(KEY.licenseType, [])) {
      const record = JSON.parse(Buffer.from(entry.value).toString('utf8')) as LicenseTypeRecord;
      types.set(record.id, record);
    }
    return reply([...types.values()]);
  }
}
