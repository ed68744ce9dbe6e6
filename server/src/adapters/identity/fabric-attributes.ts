/**
 * Fabric CA's attribute extension (OID 1.2.3.4.5.6.7.8.1, `{"attrs":{…}}` as UTF-8 JSON): what
 * `ctx.clientIdentity.getAttributeValue` reads on a peer. Kept free of node: modules, so the Node
 * certificate reader (local-ca) and the browser's (webcrypto-certified-jwt) read it one way.
 */
export const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

/** The string attributes of the extension's JSON; anything else (not JSON, no attrs) is none. */
export function parseFabricAttributes(json: string): Record<string, string> {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (typeof parsed !== 'object' || parsed === null || !Object.hasOwn(parsed, 'attrs')) return {};
    const attrs = (parsed as { attrs: unknown }).attrs;
    if (typeof attrs !== 'object' || attrs === null) return {};
    return Object.fromEntries(Object.entries(attrs).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}
