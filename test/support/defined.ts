import { assert } from 'chai';

/** The value, or a failed test when it is missing: for the row or element a test has just made. */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  assert.exists(value, `${what} is missing`);
  return value;
}

/** For after(): it runs even when before() failed, and then there is nothing to stop. */
export async function ifStarted<T>(resource: T | undefined, stop: (resource: T) => unknown): Promise<void> {
  if (resource !== undefined) await stop(resource);
}
