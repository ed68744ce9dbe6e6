/**
 * The machine a run was measured on, printed with every run: a figure from a loaded 2-core VM and
 * one from an idle 16-core server are different facts, and the load average says which it was.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const load = (): string =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** `df -T`'s type for the folder, or the longest /proc/mounts mount point above it. */
function filesystemOf(dir: string): string {
  try {
    const lines = execFileSync('df', ['-T', dir], { encoding: 'utf8' }).trim().split('\n');
    const fields = (lines[1] ?? '').split(/\s+/);
    if (fields[1]) return `${fields[1]} (${fields[6] ?? '?'})`;
  } catch {
    // df missing or refused: fall back to the kernel's mount table.
  }
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, mountPoint]) => mountPoint !== undefined && (dir === mountPoint || dir.startsWith(mountPoint.endsWith('/') ? mountPoint : `${mountPoint}/`)))
      .sort((a, b) => (b[1] ?? '').length - (a[1] ?? '').length);
    const best = mounts[0];
    return best ? `${best[2] ?? '?'} (${best[1] ?? '?'})` : 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  loadAtStart: string;
  dataFilesystem: string;
}

export function describeMachine(dataDir: string): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    loadAtStart: load(),
    dataFilesystem: filesystemOf(dataDir),
  };
}

export function printMachine(machine: Machine): void {
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${os.platform()} ${os.release()}`);
  console.log(`  load average at start (1/5/15 min): ${machine.loadAtStart}; data folder on ${machine.dataFilesystem}`);
}

/** Printed at the end: a load that rose during the run makes its later figures suspect. */
export function loadAverageNow(): string {
  return load();
}
