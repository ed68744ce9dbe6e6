/**
 * The DCQL query (OpenID4VP 1.0 §6) of a counter's request: one SD-JWT VC credential query of the
 * license type's vct with exactly the asked claim paths, and the check that a vp_token answers it.
 */
import { splitClaimPath } from './claim-paths';

/** The credential query id the request uses; the vp_token answers under it. */
export const CREDENTIAL_QUERY_ID = 'license';

export interface DcqlQuery {
  credentials: Array<{
    id: string;
    format: 'dc+sd-jwt';
    meta: { vct_values: string[] };
    claims: Array<{ path: string[] }>;
    require_cryptographic_holder_binding?: boolean;
  }>;
}

export function dcqlQueryFor(vct: string, claims: readonly string[], requireBinding: boolean): DcqlQuery {
  return {
    credentials: [
      {
        id: CREDENTIAL_QUERY_ID,
        format: 'dc+sd-jwt',
        meta: { vct_values: [vct] },
        claims: claims.map((path) => ({ path: splitClaimPath(path) })),
        require_cryptographic_holder_binding: requireBinding,
      },
    ],
  };
}
