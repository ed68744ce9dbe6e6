/**
 * License ids: `<province code>-<13 Crockford base32 characters>`, e.g. `330000-7K3M9Q2XW8PAB`.
 * 64 random bits make a collision negligible (the ledger refuses a duplicate anyway); the province
 * prefix tells a clerk at a glance where a license was minted; Crockford's alphabet has no I, L,
 * O or U, so an id read aloud or typed from paper survives.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function formatLicenseId(province: string, random: Uint8Array): string {
  if (random.length < 8) throw new RangeError('a license id needs 8 random bytes');
  let value = 0n;
  for (const byte of random.subarray(0, 8)) value = (value << 8n) | BigInt(byte);
  let text = '';
  for (let i = 0; i < 13; i++) {
    text = CROCKFORD.charAt(Number(value & 31n)) + text;
    value >>= 5n;
  }
  return `${province}-${text}`;
}

/** The province code a license id opens with: the issuing agency's province. */
export function provinceOfLicenseId(licenseId: string): string {
  return licenseId.slice(0, licenseId.indexOf('-'));
}
