/**
 * Signing keys for credentials (ES256). The adapter (jose) is the only code that touches
 * signatures; services hand it JWKs and claims.
 */
import type { PublicJwk } from '../../../core/anchor';

export interface PrivateJwk extends PublicJwk {
  d: string;
}

export interface KeyPair {
  /** RFC 7638 thumbprint: the kid the ledger's trust registry files the key under. */
  kid: string;
  publicJwk: PublicJwk;
  privateJwk: PrivateJwk;
}

export interface Keys {
  generate(): Promise<KeyPair>;
  /** A compact JWS over `payload` with header { alg: ES256, typ, kid }. */
  sign(privateJwk: PrivateJwk, kid: string, typ: string, payload: Record<string, unknown>): Promise<string>;
  /**
   * An ES256 signer for `privateJwk`, as @sd-jwt/core calls it: the base64url JWS signature
   * (r‖s, RFC 7518 §3.4) over `data`, always in low-S form.
   */
  es256Signer(privateJwk: PrivateJwk): (data: string) => string;
  /** True when `jws` carries a valid ES256 signature by `publicJwk`; never throws for a bad signature. */
  verify(jws: string, publicJwk: PublicJwk): Promise<boolean>;
}
