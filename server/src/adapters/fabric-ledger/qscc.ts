/**
 * The peer's query system chaincode (qscc) answers in protobuf. fabric-protos is fabric-network's
 * own dependency (same 2.2.20 release), so its decoders match what the peer sends.
 */
import * as fabproto6 from 'fabric-protos';

export const QSCC = 'qscc';

function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** GetChainInfo → the number of blocks on the channel. */
export function chainHeight(bytes: Buffer): number {
  return toNumber(fabproto6.common.BlockchainInfo.decode(bytes).height);
}

/** GetTransactionByID → the validation code's name (VALID, MVCC_READ_CONFLICT, …). */
export function validationCode(bytes: Buffer): string {
  const code = fabproto6.protos.ProcessedTransaction.decode(bytes).validationCode;
  return fabproto6.protos.TxValidationCode[code] ?? `UNKNOWN_${code}`;
}

/** GetBlockByTxID → the block's number. */
export function blockNumber(bytes: Buffer): number {
  return toNumber(fabproto6.common.Block.decode(bytes).header?.number);
}

/** qscc's answer for a transaction id it has never seen. */
export function isUnknownTransaction(text: string): boolean {
  return /no such transaction ID|not found|no transaction/i.test(text);
}
