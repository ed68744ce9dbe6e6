/**
 * The chaincode's entry point: fabric-chaincode-node (`start` on a peer, `server` as a service)
 * and the embedded ledger both load the contracts from here.
 */
import 'reflect-metadata';
import { LicenseContract } from './license-contract';
import { ReceiptsContract } from './receipts-contract';
import { StatusContract } from './status-contract';
import { TrustContract } from './trust-contract';

export { LicenseContract, ReceiptsContract, StatusContract, TrustContract };
export const contracts = [TrustContract, LicenseContract, ReceiptsContract, StatusContract];
