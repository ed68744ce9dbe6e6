/**
 * Searches bytes for personal data in every form it takes on its way through the registry: the
 * raw UTF-8 text, and base64url as in a credential's payload — which encodes 3 bytes as 4
 * characters, so a value shows as one of three strings depending on its offset in the encoded
 * JSON. Each form is what the encoder writes from the value's own bytes only, dropping the
 * characters that its neighbours would change.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Needle {
  label: string;
  bytes: Buffer;
}

/** The base64url text a value's bytes produce wherever they start, one string per offset mod 3. */
export function base64urlForms(value: Buffer): string[] {
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), value]).toString('base64url');
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + value.length) * 8) / 6);
    return encoded.slice(first, end);
  });
}

/** Raw and base64url forms of each value; `texts` (a credential, a stored reply) are searched as they are. */
export function personalDataNeedles(values: Record<string, string>, texts: Record<string, string> = {}): Needle[] {
  const needles: Needle[] = [];
  for (const [label, value] of Object.entries(values)) {
    const bytes = Buffer.from(value, 'utf8');
    // Short values in base64 would match by chance; every value we search for is longer.
    if (bytes.length < 8) throw new Error(`${label} is too short to search for without false matches`);
    needles.push({ label: `${label} (UTF-8)`, bytes });
    base64urlForms(bytes).forEach((form, offset) => needles.push({ label: `${label} (base64url, offset ${offset})`, bytes: Buffer.from(form, 'latin1') }));
  }
  for (const [label, text] of Object.entries(texts)) needles.push({ label, bytes: Buffer.from(text, 'utf8') });
  return needles;
}

/** The labels of the needles found in `bytes`. */
export function findNeedles(bytes: Buffer, needles: readonly Needle[]): string[] {
  return needles.filter((needle) => bytes.includes(needle.bytes)).map((needle) => needle.label);
}

export function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

/** `file: label` for every needle found in any file under `dir`. */
export function scanDirectory(dir: string, needles: readonly Needle[]): string[] {
  return allFiles(dir).flatMap((file) => findNeedles(readFileSync(file), needles).map((label) => `${file}: ${label}`));
}
