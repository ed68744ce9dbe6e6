/**
 * The one shape of the ids the registry mints and accepts (agencies, counters, licenses, status
 * lists): an ASCII letter or digit, then 2 to 63 letters, digits, '_' or '-'. Safe in a URL path,
 * a file name and a Fabric composite key, and short enough for a QR code.
 */
export const REGISTRY_ID_SOURCE = '[A-Za-z0-9][A-Za-z0-9_-]{2,63}';
export const REGISTRY_ID = new RegExp(`^${REGISTRY_ID_SOURCE}$`);

export function isRegistryId(value: unknown): value is string {
  return typeof value === 'string' && REGISTRY_ID.test(value);
}
