/**
 * The holder's own receipts (用证留痕) and ratings (好差评), asked for with a proof of the holder
 * key: a short-lived JWT (typ receipt-request+jwt) signed by it, the public key in its header,
 * aud = the endpoint, a fresh nonce. Nobody without the key reads them.
 */
import { SignJWT, base64url } from 'jose';
import type { HolderKey } from './sd-jwt-presentation';

export const RECEIPT_REQUEST_TYP = 'receipt-request+jwt';

export interface Receipt {
  id: string;
  at: string;
  counter: { id: string; name: string | null; province: string };
  service: string | null;
  licenseType: string;
  claims: string[];
  verdict: string;
}

export async function holderProof(holderKey: HolderKey, audience: string): Promise<string> {
  return new SignJWT({ nonce: base64url.encode(crypto.getRandomValues(new Uint8Array(16))) })
    .setProtectedHeader({ alg: 'ES256', typ: RECEIPT_REQUEST_TYP, jwk: holderKey.publicJwk })
    .setIssuedAt()
    .setAudience(audience)
    .sign(holderKey.privateKey);
}

export async function fetchReceipts(baseUrl: string, holderKey: HolderKey): Promise<Receipt[]> {
  const url = `${baseUrl}/api/v1/receipts`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ proof: await holderProof(holderKey, url) }) });
  if (!response.ok) throw new Error(`receipts refused: HTTP ${response.status}`);
  return ((await response.json()) as { receipts: Receipt[] }).receipts;
}

export async function rateService(baseUrl: string, holderKey: HolderKey, receipt: string, score: number, comment?: string): Promise<number> {
  const url = `${baseUrl}/api/v1/receipts/ratings`;
  const body = { proof: await holderProof(holderKey, url), receipt, score, ...(comment === undefined ? {} : { comment }) };
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.status;
}
