/**
 * The demo a fresh clone starts with: two provinces, three agencies with their keys and ledger
 * identities, a service counter per province, and one API key for each. Created once; the caller
 * prints its keys once and writes them to <DATA_DIR>/demo.json (mode 0600), last, so the file's
 * presence means the demo is complete. Every step is safe to repeat, so a start interrupted
 * half-way simply runs it again.
 */
import type { Clock } from '../ports/clock';
import type { DemoAgency, ProvinceNode } from '../ports/province-node';
import type { Store } from '../ports/store';
import type { PrincipalsService } from './principals';
import type { RegistryLedger } from './registry-ledger';
import type { SigningKeysService } from './signing-keys';

export type { DemoAgency, ProvinceNode } from '../ports/province-node';

export interface DemoCounter {
  id: string;
  name: string;
  province: string;
}

export const DEMO_PROVINCES = [
  { code: '330000', name: 'Zhejiang', mspId: 'ZhejiangMSP' },
  { code: '510000', name: 'Sichuan', mspId: 'SichuanMSP' },
] as const;

export const DEMO_AGENCIES: readonly DemoAgency[] = [
  { id: 'zj-psb', name: '浙江省公安厅', province: '330000', licenseTypes: ['id-card'] },
  { id: 'zj-amr', name: '浙江省市场监督管理局', province: '330000', licenseTypes: ['business-license'] },
  { id: 'sc-nr', name: '四川省自然资源厅', province: '510000', licenseTypes: ['property-certificate'] },
];

export const DEMO_COUNTERS: readonly DemoCounter[] = [
  { id: 'zj-hangzhou-counter', name: '杭州市民之家服务窗口', province: '330000' },
  { id: 'sc-chengdu-counter', name: '成都市政务服务中心窗口', province: '510000' },
];

export interface DemoFile {
  /** One province-administration key per province this node serves. */
  admins: Array<{ province: string; name: string; apiKey: string }>;
  agencies: Array<DemoAgency & { apiKey: string }>;
  counters: Array<DemoCounter & { apiKey: string }>;
}

export interface DemoDeps {
  store: Store;
  ledger: RegistryLedger;
  signingKeys: SigningKeysService;
  principals: PrincipalsService;
  clock: Clock;
  /** The wallet label of an issuer identity (role=issuer, agency=<id>) of the agency's province. */
  issuerIdentity: (province: ProvinceNode, agencyId: string) => Promise<string>;
}

/** Registers the agency on the ledger with a key this registry holds, or re-keys it if it lost its key. */
async function ensureAgency(deps: DemoDeps, node: ProvinceNode, agency: DemoAgency): Promise<void> {
  const onLedger = await deps.ledger.getAgency(node.readerIdentity, agency.id);
  const held = new Set((await deps.signingKeys.list(agency.id)).filter((key) => key.status === 'active').map((key) => key.kid));
  const activeOnLedger = onLedger?.keys.find((key) => key.status === 'active');
  if (!onLedger) {
    const pair = await deps.signingKeys.create(agency.id);
    await deps.ledger.registerAgency(node.adminIdentity, { ...agency, jwk: pair.publicJwk });
    await deps.signingKeys.retireAllBut(agency.id, pair.kid);
  } else if (!activeOnLedger || !held.has(activeOnLedger.kid)) {
    await deps.signingKeys.rotate(deps.ledger, node.adminIdentity, agency.id);
  }
}

/** A service counter for a province the demo data does not name (a province added by config). */
function countersOf(node: ProvinceNode): DemoCounter[] {
  const known = DEMO_COUNTERS.filter((counter) => counter.province === node.code);
  return known.length > 0 ? known : [{ id: `${node.mspId.toLowerCase()}-counter`, name: `${node.name} service counter`, province: node.code }];
}

/** Creates the demo for the provinces this node serves and returns its keys. */
export async function createDemo(deps: DemoDeps, nodes: ProvinceNode[], agencies: readonly DemoAgency[] = DEMO_AGENCIES): Promise<DemoFile> {
  const file: DemoFile = { admins: [], agencies: [], counters: [] };
  const now = deps.clock().toISOString();
  for (const node of nodes) {
    await deps.ledger.registerProvince(node.adminIdentity, node.code);
    const admin = await deps.principals.createApiKey('admin', node.code, node.code);
    file.admins.push({ province: node.code, name: node.name, apiKey: admin.token });
    for (const agency of agencies.filter((candidate) => candidate.province === node.code)) {
      const identityLabel = await deps.issuerIdentity(node, agency.id);
      await ensureAgency(deps, node, agency);
      await deps.store.upsertAgency({ ...agency, mspId: node.mspId, identityLabel, createdAt: now });
      const key = await deps.principals.createApiKey('agency', agency.id, agency.province);
      file.agencies.push({ ...agency, apiKey: key.token });
    }
    for (const counter of countersOf(node)) {
      await deps.store.upsertCounter({ ...counter, createdAt: now });
      const key = await deps.principals.createApiKey('counter', counter.id, counter.province);
      file.counters.push({ ...counter, apiKey: key.token });
    }
  }
  return file;
}
