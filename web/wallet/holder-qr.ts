/**
 * "Show license" without a request: the wallet's dynamic QR code. A presentation of the chosen
 * (default: the minimal) claims with a KB-JWT whose aud is the well-known holder-shown value, whose
 * nonce the wallet draws, and whose iat starts a 60-second window; the verifier accepts each nonce
 * once. The text is the EL1 compact encoding (core/presentation/holder-qr-codec.ts), small enough
 * for a QR code of version ≤ 25 at error correction M for an ID card showing the name.
 */
import { base64url } from 'jose';
import { encodeHolderQr } from '../../core/presentation/holder-qr-codec';
import { HOLDER_SHOWN_AUD, HOLDER_SHOWN_WINDOW_SECONDS } from '../../core/presentation/holder-shown';
import { presentWithKeyBinding, readHeldCredential, type HolderKey } from './sd-jwt-presentation';

/** What a holder-shown code discloses when the holder picks nothing: the name only. */
export const DEFAULT_HOLDER_SHOWN_CLAIMS = ['name'] as const;

export interface HolderQr {
  /** The QR code's text: `EL1:…`. */
  text: string;
  /** The same presentation in its plain compact form. */
  presentation: string;
  nonce: string;
  disclosed: string[];
  /** When the verifier stops accepting it: redraw the code before then. */
  expiresAt: Date;
}

export async function createHolderQr(input: { credential: string; holderKey: HolderKey; disclose?: readonly string[]; now?: Date }): Promise<HolderQr> {
  const now = input.now ?? new Date();
  const disclose = [...(input.disclose ?? DEFAULT_HOLDER_SHOWN_CLAIMS)];
  const nonce = base64url.encode(crypto.getRandomValues(new Uint8Array(16)));
  const presentation = await presentWithKeyBinding(await readHeldCredential(input.credential), disclose, {
    nonce,
    aud: HOLDER_SHOWN_AUD,
    holderKey: input.holderKey,
    iat: Math.floor(now.getTime() / 1000),
  });
  return {
    text: await encodeHolderQr(presentation),
    presentation,
    nonce,
    disclosed: disclose,
    expiresAt: new Date(now.getTime() + HOLDER_SHOWN_WINDOW_SECONDS * 1000),
  };
}
