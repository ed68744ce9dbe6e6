/**
 * Who is calling, as Fabric CA certificates say it: the MSP the identity belongs to and the
 * attributes (`role`, `agency`) the CA wrote into the enrollment certificate. The same reading holds
 * on a peer and on the embedded ledger, which hands the contracts a real certificate.
 */
import type { Context } from 'fabric-contract-api';
import { RegistryError } from '../../core/errors';
import type { Agency, Province } from '../../core/anchor';
import { KEY, readJson, stateKey } from './state';

export interface Caller {
  mspId: string;
  role: string | null;
  agency: string | null;
  id: string;
}

export function callerOf(ctx: Context): Caller {
  const identity = ctx.clientIdentity;
  return {
    mspId: identity.getMSPID(),
    role: identity.getAttributeValue('role'),
    agency: identity.getAttributeValue('agency'),
    id: identity.getID(),
  };
}

/** The province bound to the caller's MSP, or a FORBIDDEN refusal when there is none. */
export async function callerProvince(ctx: Context, caller: Caller): Promise<Province | null> {
  const binding = await readJson<{ code: string }>(ctx, stateKey(ctx, KEY.mspProvince, caller.mspId));
  if (!binding) return null;
  return readJson<Province>(ctx, stateKey(ctx, KEY.province, binding.code));
}

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') {
    throw new RegistryError('FORBIDDEN', `identity ${caller.mspId} lacks the attribute role=admin`);
  }
}

/** An admin may manage only the agencies of the province its own MSP is bound to. */
export async function requireProvinceAdmin(ctx: Context, caller: Caller, province: string): Promise<void> {
  requireAdmin(caller);
  const own = await callerProvince(ctx, caller);
  if (!own) throw new RegistryError('FORBIDDEN', `MSP ${caller.mspId} has no registered province`);
  if (own.code !== province) {
    throw new RegistryError('WRONG_PROVINCE', `MSP ${caller.mspId} manages province ${own.code}, not ${province}`);
  }
}

/** Only the agency's own issuer identities (role=issuer, agency=<id>, of the agency's MSP) act for it. */
export function requireAgencyIssuer(caller: Caller, agency: Agency): void {
  if (caller.mspId !== agency.mspId) {
    throw new RegistryError('WRONG_PROVINCE', `agency ${agency.id} belongs to ${agency.mspId}; caller is of ${caller.mspId}`);
  }
  if (caller.role !== 'issuer' || caller.agency !== agency.id) {
    throw new RegistryError('NOT_AGENCY_ISSUER', `identity is not an issuer of agency ${agency.id} (needs role=issuer, agency=${agency.id})`);
  }
  if (agency.status !== 'active') {
    throw new RegistryError('AGENCY_INACTIVE', `agency ${agency.id} is ${agency.status}`);
  }
}
