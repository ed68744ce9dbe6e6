/**
 * One process per DATA_DIR: the embedded ledger and PGlite each assume a single writer, and a
 * second process would corrupt them (PGlite merely aborts with "Aborted()"). The lock is a file
 * holding the owner's pid, created atomically; a lock whose process is gone (a crash, a SIGKILL)
 * is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from '../../../core/errors';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, '.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8'));
      // Our own pid means another registry in this very process holds it.
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || alive(owner))) {
        throw new RegistryError('STORE_UNAVAILABLE', `DATA_DIR ${dataDir} is in use by process ${owner}; stop it or use another DATA_DIR`);
      }
      unlinkSync(path);
    }
  }
  throw new RegistryError('STORE_UNAVAILABLE', `could not lock DATA_DIR ${dataDir}`);
}
