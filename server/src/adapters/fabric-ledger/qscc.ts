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

/**
 * GetConfigBlock → the application organisations of the channel configuration and the root CAs
 * each MSP trusts: Block → Envelope → Payload → ConfigEnvelope → Application group → MSP value.
 */
export function channelOrganizations(bytes: Buffer): Array<{ mspId: string; rootCertificates: string[] }> {
  const envelopeBytes = fabproto6.common.Block.decode(bytes).data?.data?.[0];
  if (!envelopeBytes) return [];
  const payload = fabproto6.common.Payload.decode(fabproto6.common.Envelope.decode(envelopeBytes).payload);
  const config = fabproto6.common.ConfigEnvelope.decode(payload.data).config;
  const application = config?.channel_group?.groups?.Application;
  const organizations: Array<{ mspId: string; rootCertificates: string[] }> = [];
  for (const group of Object.values(application?.groups ?? {})) {
    const msp = group.values?.MSP?.value;
    if (!msp) continue;
    const fabricMsp = fabproto6.msp.FabricMSPConfig.decode(fabproto6.msp.MSPConfig.decode(msp).config);
    organizations.push({
      mspId: fabricMsp.name,
      rootCertificates: fabricMsp.root_certs.map((pem) => Buffer.from(pem).toString('utf8')),
    });
  }
  return organizations;
}
