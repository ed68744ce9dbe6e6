/**
 * SD-JWT VC issuer metadata (draft-ietf-oauth-sd-jwt-vc §"Issuer Metadata"): for an `iss` of
 * `<base>/<issuer path>`, the document at `<base>/.well-known/jwt-vc-issuer/<issuer path>` is
 * `{ issuer, jwks: { keys } }`. It is a view of the ledger's trust registry, never a second
 * source of truth: every key is read from the ledger through the caller's peer.
 *
 * Issuer kinds are a table keyed on the path prefix: `issuers/<agencyId>` (agencies, here);
 * other kinds (a province signing status lists, `provinces/<code>`) register their own resolver.
 */
import type { AgencyKey } from '../../../core/anchor';
import { AGENCY_ISSUER_PREFIX, CREDENTIAL_ALG } from '../../../core/credential';
import { REGISTRY_ID } from '../../../core/registry-id';
import { RegistryError } from '../../../core/errors';
import type { PublicBaseUrl } from './public-base-url';
import type { RegistryLedger } from './registry-ledger';

/**
 * A JWK as the metadata lists it. A retired key stays listed, so credentials it signed before
 * its retirement still verify, with `retired_at` (an extension member, RFC 7517 §4): a verifier
 * must not accept it for a credential issued at or after that instant, and it signs nothing new.
 */
export interface IssuerJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof CREDENTIAL_ALG;
  use: 'sig';
  retired_at?: string;
}

export interface IssuerMetadata {
  issuer: string;
  jwks: { keys: IssuerJwk[] };
}

/** Resolves the keys of one issuer from the rest of its path (after the prefix); null when there is no such issuer. */
export type IssuerKeysResolver = (rest: string, ledgerIdentity: string) => Promise<AgencyKey[] | null>;

export function issuerJwk(key: AgencyKey): IssuerJwk {
  return {
    ...key.jwk,
    kid: key.kid,
    alg: CREDENTIAL_ALG,
    use: 'sig',
    ...(key.retiredAt !== null ? { retired_at: key.retiredAt } : {}),
  };
}

const ISSUER_PATH = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

export class IssuerMetadataService {
  readonly #resolvers = new Map<string, IssuerKeysResolver>();

  constructor(
    ledger: RegistryLedger,
    private readonly baseUrl: PublicBaseUrl,
  ) {
    this.register(AGENCY_ISSUER_PREFIX, async (agencyId, identity) => {
      if (!REGISTRY_ID.test(agencyId)) return null;
      const agency = await ledger.getAgency(identity, agencyId);
      return agency ? agency.keys : null;
    });
  }

  /** Adds an issuer kind: `prefix` is the start of its path, e.g. 'provinces/'. */
  register(prefix: string, resolve: IssuerKeysResolver): void {
    if (!prefix.endsWith('/')) throw new RegistryError('INTERNAL', `issuer path prefix ${prefix} must end with /`);
    this.#resolvers.set(prefix, resolve);
  }

  /** The metadata document of the issuer at `<base>/<issuerPath>`; 404 when no resolver knows it. */
  async metadata(issuerPath: string, ledgerIdentity: string): Promise<IssuerMetadata> {
    const notFound = new RegistryError('NOT_FOUND', `no issuer at ${issuerPath.slice(0, 80)} on this node`);
    if (!ISSUER_PATH.test(issuerPath)) throw notFound;
    for (const [prefix, resolve] of this.#resolvers) {
      if (!issuerPath.startsWith(prefix)) continue;
      const keys = await resolve(issuerPath.slice(prefix.length), ledgerIdentity);
      if (!keys) throw notFound;
      return { issuer: `${this.baseUrl.get()}/${issuerPath}`, jwks: { keys: keys.map(issuerJwk) } };
    }
    throw notFound;
  }
}
