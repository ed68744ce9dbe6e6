import { expect } from 'chai';
import { RegistryError, type ErrorCode } from '../../core/errors';

/** Awaits `work`, which must fail with a RegistryError carrying `code`; returns that error. */
export async function refusedWith(work: Promise<unknown>, code: ErrorCode): Promise<RegistryError> {
  let outcome: unknown;
  try {
    outcome = await work;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(RegistryError);
    expect((error as RegistryError).code, (error as Error).message).to.equal(code);
    return error as RegistryError;
  }
  return expect.fail(`expected a refusal with ${code}, got success: ${(JSON.stringify(outcome) as string | undefined)?.slice(0, 200) ?? 'undefined'}`);
}
