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
  /** True when `jws` carries a valid ES256 signature by `publicJwk`; never throws for a bad signature. */
  verify(jws: string, publicJwk: PublicJwk): Promise<boolean>;
}
