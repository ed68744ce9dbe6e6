/** Renders the credential text as a QR code a phone camera reads at a counter. */
export interface QrRenderer {
  png(text: string): Promise<Buffer>;
  svg(text: string): Promise<string>;
}
