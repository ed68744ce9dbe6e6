/**
 * The `x5c` header of a certified JWS (RFC 7515 §4.1.6), read one way by the Node and the browser
 * certificate readers: 1 to MAX_CHAIN certificates, leaf first, each standard base64 (a certificate
 * constructor would also take hex or PEM, so only this alphabet passes). Free of node: modules.
 */
import { decodeProtectedHeader } from 'jose';
import { RegistryError } from '../../../../core/errors';

/** A leaf and at most a few intermediates: anything longer is not a chain a province CA makes. */
const MAX_CHAIN = 4;

function refuse(message: string): never {
  throw new RegistryError('BUNDLE_REFUSED', message);
}

/** The certificates of `jws`'s x5c as base64 text, each parsed by `parse` (whose failure refuses the bundle). */
export function x5cChain<Certificate>(jws: string, parse: (base64: string) => Certificate): Certificate[] {
  let x5c: unknown;
  try {
    x5c = decodeProtectedHeader(jws).x5c;
  } catch {
    refuse('the bundle is not a compact JWS');
  }
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN) refuse(`the bundle's x5c must hold 1 to ${MAX_CHAIN} certificates`);
  return x5c.map((entry) => {
    if (typeof entry !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry)) refuse('an x5c entry is not base64 text');
    try {
      return parse(entry);
    } catch {
      return refuse('an x5c certificate cannot be parsed');
    }
  });
}
