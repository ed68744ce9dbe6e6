/**
 * "Show license" without a request: the wallet's dynamic QR code. A presentation of the chosen
 * (default: the minimal) claims with a KB-JWT whose aud is the well-known holder-shown value, whose
 * nonce the wallet draws, and whose iat starts a 60-second window; the verifier accepts each nonce
 * once. The text is the EL1 compact encoding (core/presentation/holder-qr-codec.ts), small enough
 * for a QR code of version ≤ 25 at error correction M for an ID card showing the name.
 */
import { encodeHolderQr } from '../../core/presentation/holder-qr-codec';
import { HOLDER_SHOWN_AUD, HOLDER_SHOWN_WINDOW_SECONDS } from '../../core/presentation/holder-shown';
import { bytesToBase64Url } from './encoding';
import type { PresentingWallet } from './openid4vp';
import type { ClaimPath } from './sd-jwt';

/** What a holder-shown code discloses when the holder picks nothing: the name only. */
export const DEFAULT_HOLDER_SHOWN_CLAIMS: readonly ClaimPath[] = [['name']];

export interface HolderQr {
  /** The QR code's text: `EL1:…`. */
  text: string;
  /** The same presentation in its plain compact form. */
  presentation: string;
  nonce: string;
  disclosed: ClaimPath[];
  /** When the verifier stops accepting it: redraw the code before then. */
  expiresAt: Date;
}

/** `now` is the wallet's clock: the KB-JWT's iat is taken from the same clock by createPresentation. */
export async function createHolderQr(wallet: PresentingWallet, credentialId: string, disclose: readonly ClaimPath[], now: Date): Promise<HolderQr> {
  const nonce = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const disclosed = disclose.map((path) => [...path]);
  const presentation = await wallet.createPresentation({ credentialId, disclose: disclosed, nonce, aud: HOLDER_SHOWN_AUD });
  return {
    text: await encodeHolderQr(presentation),
    presentation,
    nonce,
    disclosed,
    expiresAt: new Date(now.getTime() + HOLDER_SHOWN_WINDOW_SECONDS * 1000),
  };
}
