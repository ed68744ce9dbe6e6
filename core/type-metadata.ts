/**
 * SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §"Type Metadata") for each license type,
 * generated from the type's descriptor, so the labels a wallet shows and the claims the
 * credential carries come from one place. Every node serves the same document for the same vct.
 */
import { vctOf } from './credential';
import { getLicenseType } from './license-types';

export interface TypeMetadataDisplay {
  lang: 'zh-CN' | 'en';
  name: string;
  description: string;
}

export interface TypeMetadataClaim {
  path: string[];
  display: Array<{ lang: 'zh-CN' | 'en'; label: string }>;
  sd: 'always' | 'allowed' | 'never';
}

export interface TypeMetadata {
  vct: string;
  name: string;
  description: string;
  display: TypeMetadataDisplay[];
  claims: TypeMetadataClaim[];
}

/** Registered claims a wallet may show, in clear in every type's credential. */
const REGISTERED_CLAIMS: readonly TypeMetadataClaim[] = [
  {
    path: ['lid'],
    display: [
      { lang: 'zh-CN', label: '证照编号' },
      { lang: 'en', label: 'License number' },
    ],
    sd: 'never',
  },
];

/** The Type Metadata of a license type, or null for an unknown type id. */
export function typeMetadata(typeId: string): TypeMetadata | null {
  const type = getLicenseType(typeId);
  if (!type) return null;
  return {
    vct: vctOf(type.id),
    name: type.names.en,
    description: type.descriptions.en,
    display: [
      { lang: 'zh-CN', name: type.names.zh, description: type.descriptions.zh },
      { lang: 'en', name: type.names.en, description: type.descriptions.en },
    ],
    claims: [
      ...type.claimMetadata.map((claim) => ({
        path: [...claim.path],
        display: [
          { lang: 'zh-CN' as const, label: claim.zh },
          { lang: 'en' as const, label: claim.en },
        ],
        sd: claim.sd,
      })),
      ...REGISTERED_CLAIMS,
    ],
  };
}
