import { assert } from 'chai';

/** The value, or a failed test when it is missing: for the row or element a test has just made. */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  assert.exists(value, `${what} is missing`);
  return value;
}
