/**
 * The base of our contracts. fabric-shim turns a thrown error into the transaction's failure
 * message, and only that string crosses to the client; so every refusal leaves here as
 * `[CODE] message`, and both ledger adapters recover the code from it (core/errors.ts).
 */
import { Context, Contract } from 'fabric-contract-api';
import { RegistryError } from '../../core/errors';

export class RegistryContract extends Contract {
  // The signature is fabric-contract-api's own (it types the transaction function as Function).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  override async aroundTransaction(ctx: Context, fn: Function, parameters: unknown): Promise<void> {
    try {
      // fabric-contract-api types this as void, yet the shim sends what it returns as the transaction's payload.
      // eslint-disable-next-line @typescript-eslint/no-confusing-void-expression
      return await super.aroundTransaction(ctx, fn, parameters);
    } catch (error) {
      if (error instanceof RegistryError) throw new Error(error.toWire(), { cause: error });
      // Anything else is a fault in the chaincode, not a refusal of the input.
      throw new Error(`[INTERNAL] ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
