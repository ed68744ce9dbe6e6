/**
 * The holder's own receipts (用证留痕) and ratings (好差评), asked for with a proof of the holder
 * key: a short-lived JWT (typ receipt-request+jwt) signed by it, the public key in its header,
 * aud = the endpoint, a fresh nonce. Nobody without the key reads them. Receipts are kept per
 * holder key, and the wallet holds one key per credential, so a credential's key asks for its own.
 */
import { RECEIPT_REQUEST_TYP, type Receipt } from '../../core/presentation/receipt';
import { bytesToBase64Url } from './encoding';
import { WalletError } from './errors';
import { signJwt, type HolderKey } from './holder-key';

export { RECEIPT_REQUEST_TYP, type Receipt };

export interface ReceiptContext {
  fetch: typeof fetch;
  now: () => Date;
}

export async function holderProof(holderKey: HolderKey, audience: string, now: Date = new Date()): Promise<string> {
  const nonce = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  return signJwt(holderKey.privateKey, { alg: 'ES256', typ: RECEIPT_REQUEST_TYP, jwk: holderKey.publicJwk }, { nonce, iat: Math.floor(now.getTime() / 1000), aud: audience });
}

async function postProven(url: string, body: Record<string, unknown>, ctx: ReceiptContext): Promise<Response> {
  return ctx.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The receipts a registry node (`baseUrl`, where the verifications happened) keeps for this key. */
export async function fetchReceipts(baseUrl: string, holderKey: HolderKey, ctx: ReceiptContext): Promise<Receipt[]> {
  const url = `${baseUrl}/api/v1/receipts`;
  const response = await postProven(url, { proof: await holderProof(holderKey, url, ctx.now()) }, ctx);
  if (!response.ok) throw new WalletError('RECEIPTS_REFUSED', `the registry refused the receipts: HTTP ${String(response.status)}`);
  return ((await response.json()) as { receipts: Receipt[] }).receipts;
}

/** Rates the service of one receipt once (1–5); returns the HTTP status: 201 rated, 404 not this key's receipt, 409 already rated. */
export async function rateService(baseUrl: string, holderKey: HolderKey, rating: { receipt: string; score: number; comment?: string }, ctx: ReceiptContext): Promise<number> {
  const url = `${baseUrl}/api/v1/receipts/ratings`;
  const response = await postProven(url, { proof: await holderProof(holderKey, url, ctx.now()), ...rating }, ctx);
  return response.status;
}
