/**
 * State access for the contracts. Every value is written as RFC 8785 canonical JSON: endorsing
 * peers must produce byte-identical write sets or the transaction fails endorsement.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalize } from '../../core/canonical-json';

export const KEY = {
  province: 'province',
  mspProvince: 'msp~province',
  agency: 'agency',
  agencyKey: 'key',
  licenseType: 'ltype',
  license: 'license',
  byIssuer: 'license~issuer',
  byType: 'license~type',
  byHolder: 'license~holder',
  statusEntry: 'status',
  statusByLicense: 'status~license',
  provinceKey: 'pkey',
  receiptHead: 'receipts~head',
} as const;

export function stateKey(ctx: Context, objectType: string, ...attributes: string[]): string {
  return ctx.stub.createCompositeKey(objectType, attributes);
}

export async function readJson<T>(ctx: Context, key: string): Promise<T | null> {
  const bytes = await ctx.stub.getState(key);
  if (bytes.length === 0) return null;
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

export async function writeJson(ctx: Context, key: string, value: unknown): Promise<void> {
  await ctx.stub.putState(key, Buffer.from(canonicalize(value), 'utf8'));
}

/** Index entries carry no value of their own; a single zero byte marks presence, as Fabric samples do. */
export async function writeIndex(ctx: Context, objectType: string, attributes: string[]): Promise<void> {
  await ctx.stub.putState(stateKey(ctx, objectType, ...attributes), Buffer.from([0]));
}

export function txTime(ctx: Context): string {
  return ctx.stub.getDateTimestamp().toISOString();
}

/** Sets the transaction's one chaincode event (Fabric keeps only the last setEvent of a transaction). */
export function emit(ctx: Context, name: string, payload: unknown): void {
  ctx.stub.setEvent(name, Buffer.from(canonicalize(payload), 'utf8'));
}

export function reply(value: unknown): string {
  return canonicalize(value);
}
