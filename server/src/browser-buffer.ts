/**
 * Node's Buffer for the browser bundle of the offline verifier: core's credential parsing decodes
 * base64url with Buffer, as the server does. feross/buffer is the browser Buffer bundlers use, but
 * it predates Node's 'base64url' encoding (Node 15.7), so that one name is mapped onto its
 * base64 codec (whose decoder already reads `-` and `_`). Installed only where no Buffer exists:
 * in Node (the tests) this module changes nothing.
 */
import { Buffer as BrowserBuffer } from 'buffer';

type From = (value: unknown, encodingOrOffset?: unknown, length?: number) => BrowserBuffer;
type ToString = (this: BrowserBuffer, encoding?: string, start?: number, end?: number) => string;

function installBuffer(): void {
  const from = Object.getOwnPropertyDescriptor(BrowserBuffer, 'from')?.value as From;
  const toString = Object.getOwnPropertyDescriptor(BrowserBuffer.prototype as object, 'toString')?.value as ToString;
  (BrowserBuffer as unknown as { from: From }).from = (value, encodingOrOffset, length) =>
    from.call(BrowserBuffer, value, encodingOrOffset === 'base64url' ? 'base64' : encodingOrOffset, length);
  (BrowserBuffer.prototype as unknown as { toString: ToString }).toString = function (this: BrowserBuffer, encoding, start, end) {
    if (encoding !== 'base64url') return toString.call(this, encoding, start, end);
    return toString.call(this, 'base64', start, end).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  (globalThis as unknown as { Buffer: unknown }).Buffer = BrowserBuffer;
}

if (!('Buffer' in globalThis)) installBuffer();
