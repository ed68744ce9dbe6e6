/**
 * Input checks the chaincode runs itself: a transaction from any client, not only our server, must
 * be refused before it touches state. Every refusal is a RegistryError so its code survives.
 */
import { RegistryError } from '../../core/errors';
import { REGISTRY_ID } from '../../core/registry-id';
import { isIsoDate } from '../../core/dates';
import { SHA256_HEX } from '../../core/hash';

/** Arguments are bounded so a hostile client cannot make every peer parse megabytes. */
export const MAX_ARG_BYTES = 512 * 1024;

export const TYPE_PATTERN = /^[a-z][a-z0-9-]{1,47}$/;

export function parseJsonArg(text: string, what: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > MAX_ARG_BYTES) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} is larger than ${MAX_ARG_BYTES} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new RegistryError('INVALID_ARGUMENT', `${what} is not valid JSON`);
  }
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function requireId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !REGISTRY_ID.test(value)) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be 3-64 characters of A-Z a-z 0-9 _ - (starting with a letter or digit)`);
  }
  return value;
}

export function requireType(value: unknown, what = 'type'): string {
  if (typeof value !== 'string' || !TYPE_PATTERN.test(value)) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be a lower-case type id like "id-card"`);
  }
  return value;
}

export function requireHash(value: unknown, what: string): string {
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be 64 lower-case hex digits (SHA-256)`);
  }
  return value;
}

export function requireDate(value: unknown, what: string): string {
  if (!isIsoDate(value)) throw new RegistryError('INVALID_ARGUMENT', `${what} must be a calendar date YYYY-MM-DD`);
  return value;
}

export function requireText(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > maxLength) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value.trim();
}

/** An optional string argument: absent is '', anything but a string is refused. */
export function optionalString(value: unknown, what: string, maxLength: number): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > maxLength)
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be a string of at most ${maxLength} characters`);
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

export function requireStringList(value: unknown, what: string, maxItems: number, each: (item: unknown, what: string) => string): string[] {
  if (!Array.isArray(value) || value.length > maxItems) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be a list of at most ${maxItems} items`);
  }
  const items = value.map((item, index) => each(item, `${what}[${index}]`));
  if (new Set(items).size !== items.length) throw new RegistryError('INVALID_ARGUMENT', `${what} has duplicates`);
  return items;
}
