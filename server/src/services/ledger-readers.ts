/**
 * Which ledger identity reads for a caller: its own province's peer when this server is a node of
 * that province, else this node's first province. Reads through a caller's own peer keep one
 * province's counters from loading another's.
 */
import type { ProvinceNode } from '../ports/province-node';
import type { Principal } from './principals';
import type { Verifier } from './verification';

function provinceOf(principal: Principal | null): string | null {
  if (principal?.kind === 'counter') return principal.counter.province;
  if (principal?.kind === 'agency') return principal.agency.province;
  return null;
}

export class LedgerReaders {
  readonly #nodes: readonly ProvinceNode[];
  readonly #first: ProvinceNode;

  constructor(nodes: readonly ProvinceNode[]) {
    const [first] = nodes;
    if (first === undefined) throw new Error('a registry serves at least one province');
    this.#nodes = nodes;
    this.#first = first;
  }

  /** The wallet label the caller reads the ledger through. */
  readerFor(principal: Principal | null): string {
    const province = provinceOf(principal);
    return (this.#nodes.find((node) => node.code === province) ?? this.#first).readerIdentity;
  }

  /** Who is verifying, as the verification service and its audit log record them. */
  verifierOf(principal: Principal | null): Verifier {
    const ledgerIdentity = this.readerFor(principal);
    if (principal?.kind === 'counter') return { kind: 'counter', id: principal.counter.id, province: principal.counter.province, ledgerIdentity };
    if (principal?.kind === 'agency') return { kind: 'agency', id: principal.agency.id, province: principal.agency.province, ledgerIdentity };
    return { kind: 'public', id: 'public', province: null, ledgerIdentity };
  }
}
