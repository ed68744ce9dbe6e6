import { makeIdCardRequest } from '../../core/license-types';

let seed = 1000;
/** A fresh, valid ID card request whose card is current today (2026-06-01 on, at least 5 years). */
export function idCardBody(options: { expiring?: boolean } = {}): Record<string, unknown> {
  for (;;) {
    try {
      const request = makeIdCardRequest(seed++, { province: '330000', validFrom: '2026-06-01' });
      // Holders of 46 and over get long-term cards (validUntil null), which never expire.
      if (options.expiring && request.validUntil === null) continue;
      return request;
    } catch (error) {
      // A sample holder born after that date cannot hold the card yet: take the next seed.
      if (!(error instanceof RangeError)) throw error;
    }
  }
}
