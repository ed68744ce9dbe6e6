/**
 * Fabric failures as RegistryErrors. Only text crosses the wire, and the SDK nests it: a refusal
 * reached through discovery sits in error.errors[].endorsements[].response.message, behind a bare
 * "Endorsement has failed". So the adapter collects every message the error carries, then decides:
 *
 *   a chaincode refusal `[CODE] …`          → that code (the chaincode's own verdict wins)
 *   the channel refusing the identity       → UNAUTHENTICATED
 *   a peer, orderer or chaincode unreachable → LEDGER_UNAVAILABLE
 *   anything else                            → INTERNAL, with the text for the operator
 *
 * The transaction id, when there is one, goes into details.txId so an operator can find the tx.
 */
import { RegistryError, parseWireError, type ErrorCode } from '../../../../core/errors';

/** Patterns from peers and the SDK when the channel does not accept the caller's certificate or MSP. */
const UNAUTHENTICATED = [
  /access denied/i,
  /creator certificate is not valid/i,
  /certificate signed by unknown authority/i,
  /MSP \S+ is unknown/i,
  /(failed|could not|unable) to deserialize/i,
  /deserializ\w* (creator|identity)/i,
  /expected MSP ID/i,
  /identity is not valid/i,
  /Failed evaluating policy on signed data/i,
  /signature set did not satisfy policy/i,
];

/** Patterns of a ledger that cannot be reached or cannot run the chaincode right now. */
const UNAVAILABLE = [
  /\b14 UNAVAILABLE\b/,
  // A connection cut under a call, e.g. by a peer restarting.
  /\b1 CANCELLED\b/,
  /\b4 DEADLINE_EXCEEDED\b/,
  /ECONNREFUSED|ECONNRESET|EHOSTUNREACH/,
  /failed to connect/i,
  /No connection established/i,
  /is not connected/i,
  /REQUEST[ _]TIMEOUT/i,
  /SERVICE[ _]UNAVAILABLE/i,
  /DiscoveryService has failed/i,
  /did not find any peers active/i,
  /No endorsement plan available/i,
  // Discovery found too few live peers to satisfy the endorsement policy (a province is down).
  /failed constructing descriptor/i,
  /does not contain enough peers/i,
  /No endorsers assigned/i,
  /could not launch chaincode/i,
  /chaincode \S+ not found/i,
  /make sure the chaincode \S+ has been successfully defined/i,
  /Missing response from peer/i,
  /Failed to (send transaction|receive committer status)/i,
];

interface Nested {
  message?: unknown;
  response?: { message?: unknown };
  errors?: unknown;
  endorsements?: unknown;
  responses?: unknown;
}

/** Every message an SDK error carries, outermost first. */
export function fabricMessages(error: unknown, depth = 0): string[] {
  if (error === null || error === undefined || depth > 4) return [];
  if (typeof error !== 'object') return [typeof error === 'string' ? error : `a thrown ${typeof error}`];
  const node = error as Nested;
  const texts: string[] = [];
  if (typeof node.message === 'string' && node.message) texts.push(node.message);
  if (typeof node.response?.message === 'string' && node.response.message) texts.push(node.response.message);
  for (const list of [node.errors, node.endorsements, node.responses]) {
    if (Array.isArray(list)) for (const item of list) texts.push(...fabricMessages(item, depth + 1));
  }
  return texts;
}

function withTx(code: ErrorCode, message: string, txId?: string, extra: Record<string, unknown> = {}): RegistryError {
  return new RegistryError(code, message, txId ? { ...extra, txId } : Object.keys(extra).length > 0 ? extra : undefined);
}

export function fabricError(error: unknown, context: { txId?: string; what: string }): RegistryError {
  if (error instanceof RegistryError) return error;
  const messages = fabricMessages(error);
  const text = messages.join('\n');
  for (const message of messages) {
    const refusal = parseWireError(message);
    if (refusal) return withTx(refusal.code, refusal.message, context.txId);
  }
  const summary = (
    messages.find((message) => !/^(Endorsement has failed|No valid responses from any peers)/.test(message)) ??
    messages[0] ??
    String(error)
  ).split('\n')[0];
  if (UNAUTHENTICATED.some((pattern) => pattern.test(text))) {
    return withTx('UNAUTHENTICATED', `the channel does not accept this identity (${context.what}): ${summary}`, context.txId);
  }
  if (UNAVAILABLE.some((pattern) => pattern.test(text))) {
    return withTx('LEDGER_UNAVAILABLE', `Fabric is unreachable (${context.what}): ${summary}`, context.txId);
  }
  return withTx('INTERNAL', `Fabric failed (${context.what}): ${summary}`, context.txId);
}
