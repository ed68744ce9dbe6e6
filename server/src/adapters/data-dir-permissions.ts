/**
 * DATA_DIR holds the store, the ledger, the local CAs and the secret keys: nobody but the user
 * running the registry may read or change any of it. A DATA_DIR that already existed keeps
 * whatever modes it was made with (0755 folders, and PGlite writes 0666 files under a 0000 umask),
 * so every start tightens it: folders 0700, files 0600. A folder another user owns cannot be
 * tightened, and the start is refused rather than run on files a stranger may rewrite.
 */
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config';

/** Files created from now on by this process (PGlite's included) are private to its user. */
export function privateFileCreation(): void {
  process.umask(0o077);
}

function tighten(path: string, mode: number, folder: string): void {
  try {
    chmodSync(path, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EACCES') {
      throw new ConfigError(`${folder}: cannot make ${path} private to this user (${code}); it belongs to another user — fix its owner or use another folder`);
    }
    if (code !== 'ENOENT') throw error;
  }
}

/** Folders 0700 and files 0600 under `root`, root included; symbolic links are left alone. */
export function makePrivate(root: string, folder: string): void {
  const stack = [root];
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined || stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) tighten(path, 0o700, folder);
      for (const name of readdirSync(path)) stack.push(join(path, name));
    } else if ((stat.mode & 0o077) !== 0) {
      tighten(path, 0o600, folder);
    }
  }
}
