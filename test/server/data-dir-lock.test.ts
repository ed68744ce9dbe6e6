/**
 * The DATA_DIR lock after a crash: a lock left by a dead process is taken over even when that
 * process had our pid (node is PID 1 in every container start), while a live owner is refused.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir, processStartTime } from '../../server/src/adapters/data-dir-lock';
import { tempDir } from '../support/temp-dir';

function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

describe('DATA_DIR lock', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('elicense-lock-')));
  afterEach(() => dir.remove());
  const lockFile = () => join(dir.path, '.lock');

  it('takes over a lock left by a dead earlier run that had the same pid as ours (bare pid, as older registries wrote it)', () => {
    writeFileSync(lockFile(), String(process.pid));
    const unlock = lockDataDir(dir.path);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).to.include({ pid: process.pid });
    unlock();
    expect(existsSync(lockFile())).to.equal(false);
  });

  it('takes over a lock naming our pid, this boot, but another start time and nonce (a restarted container)', () => {
    writeFileSync(lockFile(), JSON.stringify({ boot: bootId(), pid: process.pid, start: '1', nonce: 'an-earlier-run' }));
    lockDataDir(dir.path)();
    expect(readdirSync(dir.path)).to.deep.equal([]);
  });

  it('refuses a second lock in this very process, and a lock held by another live process', () => {
    const unlock = lockDataDir(dir.path);
    expect(() => lockDataDir(dir.path)).to.throw(/in use by process/);
    unlock();

    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      const start = processStartTime(pid);
      expect(start).to.be.a('string');
      writeFileSync(lockFile(), JSON.stringify({ boot: bootId(), pid, start, nonce: 'other' }));
      expect(() => lockDataDir(dir.path)).to.throw(/in use by process/);
      // The same pid with another start time is a reused pid: the owner is gone.
      writeFileSync(lockFile(), JSON.stringify({ boot: bootId(), pid, start: `${Number(start) - 1}`, nonce: 'other' }));
      lockDataDir(dir.path)();
      // A lock from before a reboot names a process that cannot be running.
      writeFileSync(lockFile(), JSON.stringify({ boot: 'another-boot', pid, start, nonce: 'other' }));
      lockDataDir(dir.path)();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('does not let a contender delete a lock another process freshly took over (the takeover file guards it)', () => {
    writeFileSync(lockFile(), String(process.pid));
    // A takeover in progress elsewhere: this process must not delete the stale lock itself.
    writeFileSync(join(dir.path, '.lock.takeover'), '');
    expect(() => lockDataDir(dir.path)).to.throw(/in use by another process/);
    expect(readFileSync(lockFile(), 'utf8')).to.equal(String(process.pid));
  });
});
