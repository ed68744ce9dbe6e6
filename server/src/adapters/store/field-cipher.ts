import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { RegistryError } from '../../../../core/errors';

/**
 * Field encryption at rest: AES-256-GCM (node:crypto), one random 96-bit IV per value.
 *
 * Stored form:  version (1 byte, 0x01) ‖ IV (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes)
 *
 * The additional authenticated data binds a value to where it lives — version, table, column and
 * the row's primary key — so a ciphertext copied into another row or column fails authentication
 * just as an altered one does. The version byte leaves room for a key or algorithm change: a new
 * version can name another key without rewriting old rows first.
 */
const VERSION = 0x01;
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit IVs, generated at random
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Where a sealed value lives: its table, its column, and its row's primary key value(s). */
export interface FieldAddress {
  table: string;
  column: string;
  row: readonly string[];
}

export class FieldCipher {
  private readonly key: KeyObject;

  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) {
      throw new RegistryError('INVALID_ARGUMENT', `the store encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    // A KeyObject copies the bytes and never prints them in a log or an inspected object.
    this.key = createSecretKey(key);
  }

  seal(plaintext: string, at: FieldAddress): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(VERSION, at));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]);
  }

  open(sealed: Uint8Array, at: FieldAddress): string {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES) throw refused(at, 'is too short to be a sealed value');
    const version = bytes[0];
    if (version !== VERSION) throw refused(at, `has unknown format version ${version}`);
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(version, at));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw refused(at, 'failed authentication: it was altered, moved from another row or column, or sealed under another key');
    }
  }
}

function additionalData(version: number, at: FieldAddress): Buffer {
  // JSON keeps the parts unambiguous (no separator a row id could contain).
  return Buffer.concat([Buffer.of(version), Buffer.from(JSON.stringify(['elicense-store', at.table, at.column, at.row]), 'utf8')]);
}

function refused(at: FieldAddress, problem: string): RegistryError {
  return new RegistryError('INTERNAL', `stored ${at.table}.${at.column} of row ${JSON.stringify(at.row)} ${problem}`, {
    table: at.table,
    column: at.column,
    row: [...at.row],
  });
}
