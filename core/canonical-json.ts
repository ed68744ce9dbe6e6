/**
 * RFC 8785 (JSON Canonicalization Scheme). Every peer must produce identical bytes for the same
 * state, and a docHash must not depend on key order, so all hashing and all ledger state go
 * through this one function. Numbers use ECMAScript serialisation, which RFC 8785 §3.2.2.3 adopts;
 * keys sort by UTF-16 code units, which is what Array.prototype.sort compares.
 *
 * Input must be I-JSON (RFC 7493, required by RFC 8785 §3.1): a string with a lone surrogate
 * throws, as does anything that is not plain JSON data — a Date, a Map, a class instance would
 * otherwise become `{}` or a string chosen by its toJSON, and hash as something it is not.
 */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function plainString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new TypeError('canonical JSON cannot represent a string with a lone surrogate (RFC 8785 requires I-JSON)');
  return JSON.stringify(value);
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function canonicalize(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot represent a non-finite number');
      return JSON.stringify(value);
    case 'string':
      return plainString(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalize(item ?? null)).join(',')}]`;
      if (!isPlainObject(value))
        throw new TypeError(`canonical JSON cannot represent a ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'non-plain'} object`);
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        members.push(`${plainString(key)}:${canonicalize(member)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
  }
}
