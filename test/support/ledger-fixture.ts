/**
 * What the ledger contract suite needs from a ledger under test, whichever it is: the port
 * itself, identities with the right Fabric CA attributes, and a way to read the block height.
 * The embedded ledger and a real Fabric network each provide one (veramo's pattern: one suite,
 * every implementation).
 */
import { createHash, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { AnchorInput } from '../../core/anchor';
import { RegistryError } from '../../core/errors';
import type { Ledger, LedgerEvent } from '../../server/src/ports/ledger';

export const ZJ = { mspId: 'ZhejiangMSP', province: '330000', name: 'Zhejiang' } as const;
export const SC = { mspId: 'SichuanMSP', province: '510000', name: 'Sichuan' } as const;

/** Wallet labels of the identities the suite acts as. */
export interface TestIdentities {
  /** role=admin of ZhejiangMSP. */
  zjAdmin: string;
  /** role=admin of SichuanMSP. */
  scAdmin: string;
  /** role=issuer, agency=zj-psb (Zhejiang public security, id-card). */
  zjPsb: string;
  /** role=issuer, agency=zj-amr (Zhejiang market supervision, business-license). */
  zjAmr: string;
  /** role=issuer, agency=sc-nr (Sichuan natural resources, property-certificate). */
  scNr: string;
  /** A ZhejiangMSP identity with no role attribute. */
  zjClerk: string;
  /** A SichuanMSP identity with role=issuer, agency=zj-psb: the wrong province claiming an agency. */
  scPretendsZjPsb: string;
}

export interface LedgerFixture {
  ledger: Ledger;
  ids: TestIdentities;
  /** Stores an identity in the wallet the ledger reads, e.g. one from a CA outside the channel. */
  putIdentity(label: string, identity: { mspId: string; certificate: string; privateKey: string }): Promise<void>;
  /** Number of blocks committed so far. */
  height(): Promise<number>;
  close(): Promise<void>;
}

export function publicJwk(): JsonWebKey {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let counter = 0;
/** A fresh, valid anchor for `agencyId`; override any field. */
export function anchorFor(agencyId: string, type: string, overrides: Partial<AnchorInput> = {}): AnchorInput {
  counter += 1;
  const tag = `${process.pid}-${Date.now()}-${Math.random()}-${counter}`;
  return {
    id: `L${sha256(tag).slice(0, 20).toUpperCase()}`,
    type,
    agencyId,
    docHash: sha256(`doc-${tag}`),
    holderRef: sha256(`holder-${tag}`),
    validFrom: '2024-01-01',
    validUntil: '2034-01-01',
    ...overrides,
  };
}

/**
 * Binds the two provinces and registers the three demo agencies, as each province's admin would.
 * Safe to run again on a ledger that already has them (a long-lived Fabric network).
 */
export async function provisionProvinces(ledger: Ledger, ids: TestIdentities): Promise<void> {
  await ledger.submit(ids.zjAdmin, 'trust:RegisterProvince', [ZJ.province]);
  await ledger.submit(ids.scAdmin, 'trust:RegisterProvince', [SC.province]);
  const agencies: Array<[string, string, string, string, string[]]> = [
    [ids.zjAdmin, 'zj-psb', '浙江省公安厅', ZJ.province, ['id-card']],
    [ids.zjAdmin, 'zj-amr', '浙江省市场监督管理局', ZJ.province, ['business-license']],
    [ids.scAdmin, 'sc-nr', '四川省自然资源厅', SC.province, ['property-certificate']],
  ];
  for (const [admin, id, name, province, licenseTypes] of agencies) {
    try {
      await ledger.submit(admin, 'trust:RegisterAgency', [JSON.stringify({ id, name, province, licenseTypes, jwk: publicJwk() })]);
    } catch (error) {
      if (!(error instanceof RegistryError && error.code === 'AGENCY_EXISTS')) throw error;
    }
  }
}

/** Collects ledger events so a test can wait for the one its transaction emitted. */
export class EventLog {
  private readonly events: LedgerEvent[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly stop: () => void;

  constructor(ledger: Ledger) {
    this.stop = ledger.onEvent((event) => {
      this.events.push(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async forTx(txId: string, timeoutMs = 10000): Promise<LedgerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((event) => event.txId === txId);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event for transaction ${txId} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
