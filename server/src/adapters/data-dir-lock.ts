/**
 * One process per DATA_DIR: the embedded ledger and PGlite each assume a single writer, and a
 * second process would corrupt them (PGlite merely aborts with "Aborted()").
 *
 * The lock file names its owner by more than a pid, because pids repeat: in a container node is
 * PID 1 on every start, so a lock left by a SIGKILLed run holds our own pid. The owner is
 * `{ boot, pid, start, nonce }`: the kernel's boot id, the pid, the process start time
 * (/proc/<pid>/stat field 22, clock ticks since boot) and a random nonce of the process. The
 * owner is alive only if that very process still runs: same boot, a process with that pid that
 * started at that tick — or, for our own pid, the same nonce (another registry in this process).
 *
 * Races: the lock appears with its whole content at once (written to a private file, then
 * hard-linked to `.lock`, which fails if one exists). Only a holder of `.lock.takeover` (created
 * exclusively) may delete a stale lock, and only after re-reading it byte for byte, so two
 * processes that both saw the same stale owner cannot each delete the other's fresh lock.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from '../../../core/errors';

interface Owner {
  boot: string | null;
  pid: number;
  start: string | null;
  nonce: string | null;
}

/** A takeover takes microseconds; a takeover file this old was left by a crash mid-takeover. */
const STALE_TAKEOVER_MS = 10000;
const PROCESS_NONCE = randomBytes(16).toString('hex');

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function bootId(): string | null {
  return readOptional('/proc/sys/kernel/random/boot_id');
}

/** Field 22 of /proc/<pid>/stat, or null where there is no /proc (or no such process). */
export function processStartTime(pid: number): string | null {
  const stat = readOptional(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // Field 2 (the command name) is parenthesised and may hold spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function currentOwner(): Owner {
  return { boot: bootId(), pid: process.pid, start: processStartTime(process.pid), nonce: PROCESS_NONCE };
}

function parseOwner(text: string): Owner | null {
  // Older registries wrote the bare pid.
  if (/^\d+$/.test(text)) return { boot: null, pid: Number(text), start: null, nonce: null };
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null;
    const str = (field: unknown) => (typeof field === 'string' ? field : null);
    return { boot: str(value.boot), pid: value.pid, start: str(value.start), nonce: str(value.nonce) };
  } catch {
    return null;
  }
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote `owner` still runs; a pid alone never decides it on Linux. */
export function ownerAlive(owner: Owner): boolean {
  if (owner.nonce === PROCESS_NONCE) return true;
  // Our pid with another nonce is an earlier incarnation of this pid, gone by definition.
  if (owner.pid === process.pid) return false;
  const boot = bootId();
  if (owner.boot !== null && boot !== null && owner.boot !== boot) return false;
  if (boot !== null) {
    const start = processStartTime(owner.pid);
    if (start === null) return false;
    return owner.start === null || owner.start === start;
  }
  return signalable(owner.pid);
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function inUse(dataDir: string, owner: Owner | null): RegistryError {
  const who = owner ? `process ${owner.pid}` : 'another process';
  return new RegistryError('STORE_UNAVAILABLE', `DATA_DIR ${dataDir} is in use by ${who}; stop it or use another DATA_DIR`);
}

/** Deletes `lockPath` if it still holds exactly `staleText`, under the exclusive takeover file. */
function removeStale(lockPath: string, staleText: string): void {
  const guard = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw error;
    const stat = statSync(guard, { throwIfNoEntry: false });
    if (stat !== undefined && Date.now() - stat.mtimeMs > STALE_TAKEOVER_MS) unlinkSync(guard);
    return; // another process is taking over; the caller's next attempt sees its result
  }
  try {
    if (readOptional(lockPath) === staleText) unlinkSync(lockPath);
  } finally {
    closeSync(fd);
    unlinkSync(guard);
  }
}

export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, '.lock');
  const mine = JSON.stringify(currentOwner());
  const staging = join(dataDir, `.lock.${PROCESS_NONCE}.${randomBytes(4).toString('hex')}`);
  writeFileSync(staging, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(staging, path);
        return () => {
          if (readOptional(path) === mine) unlinkSync(path);
        };
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
      }
      const text = readOptional(path);
      if (text === null) continue; // released between our link and our read
      const owner = parseOwner(text);
      if (owner !== null && ownerAlive(owner)) throw inUse(dataDir, owner);
      removeStale(path, text);
    }
    throw inUse(dataDir, null);
  } finally {
    unlinkSync(staging);
  }
}
