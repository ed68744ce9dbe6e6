import { RegistryError } from '../../core/errors';
import { validateIssueRequest } from '../../core/license-types';

/** The RegistryError validateIssueRequest throws for a body; fails the test when it accepts it. */
export function refusalOf(body: unknown, opts: { today?: string } = {}): RegistryError {
  try {
    validateIssueRequest(body, opts);
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error(`expected a refusal for ${JSON.stringify(body)}`);
}
