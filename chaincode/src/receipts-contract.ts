/**
 * Receipt chain heads (用证留痕). Each registry node keeps its verification receipts off-chain in a
 * hash chain (each receipt's hash covers the previous one) and anchors the chain's head here at
 * least every minute. A node that later drops or rewrites a receipt no longer reproduces the head
 * it anchored, and anyone who can read the ledger can see that.
 *
 * A node is named `<province code>` or `<province code>-<label>`; only an identity of the MSP bound
 * to that province may anchor its heads, so no province can overwrite another's.
 */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { RegistryError } from '../../core/errors';
import { SHA256_HEX } from '../../core/hash';
import { callerOf, callerProvince } from './caller';
import { RegistryContract } from './registry-contract';
import { KEY, readJson, reply, stateKey, txTime, writeJson } from './state';

export interface ReceiptHead {
  docType: 'receiptHead';
  node: string;
  seq: number;
  hash: string;
  mspId: string;
  anchoredAt: string;
  txId: string;
}

const NODE_PATTERN = /^(\d{6})(-[a-z0-9][a-z0-9-]{0,31})?$/;
const SEQ_PATTERN = /^[1-9]\d{0,15}$/;

function requireNode(node: string): string {
  const match = NODE_PATTERN.exec(node);
  if (!match?.[1]) throw new RegistryError('INVALID_ARGUMENT', 'node must be a province code, optionally followed by -<label>');
  return match[1];
}

@Info({ title: 'Receipts', description: 'Anchored heads of the receipt hash chains the registry nodes keep' })
export class ReceiptsContract extends RegistryContract {
  constructor() {
    super('receipts');
  }

  /** Records the head of a node's receipt chain: seq never goes back, and a seq once anchored keeps its hash. */
  @Transaction()
  @Returns('string')
  async AnchorHead(ctx: Context, node: string, seq: string, hash: string): Promise<string> {
    const province = requireNode(node);
    if (!SEQ_PATTERN.test(seq)) throw new RegistryError('INVALID_ARGUMENT', 'seq must be a positive integer');
    if (!SHA256_HEX.test(hash)) throw new RegistryError('INVALID_ARGUMENT', 'hash must be 64 lower-case hex digits (SHA-256)');
    const caller = callerOf(ctx);
    const own = await callerProvince(ctx, caller);
    if (own?.code !== province) throw new RegistryError('WRONG_PROVINCE', `MSP ${caller.mspId} may not anchor receipts of node ${node}`);
    const key = stateKey(ctx, KEY.receiptHead, node);
    const current = await readJson<ReceiptHead>(ctx, key);
    const next = Number(seq);
    if (current?.seq === next && current.hash === hash) return reply(current);
    if (current && current.seq >= next) {
      throw new RegistryError('INVALID_TRANSITION', `node ${node} already anchored receipt ${current.seq}; a head never goes back or changes`);
    }
    const head: ReceiptHead = { docType: 'receiptHead', node, seq: next, hash, mspId: caller.mspId, anchoredAt: txTime(ctx), txId: ctx.stub.getTxID() };
    await writeJson(ctx, key, head);
    return reply(head);
  }

  /** The last anchored head of a node's chain, or null. */
  @Transaction(false)
  @Returns('string')
  async GetHead(ctx: Context, node: string): Promise<string> {
    requireNode(node);
    return reply(await readJson<ReceiptHead>(ctx, stateKey(ctx, KEY.receiptHead, node)));
  }
}
