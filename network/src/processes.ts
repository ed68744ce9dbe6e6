/**
 * Every process the network starts is recorded in <run>/pids/<name>.json, and stopping the network
 * stops exactly those pids: never a process found by name. The record also keeps the kernel's start
 * time of the process, so a pid the system has since given to someone else is left alone.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ProcessRecord {
  name: string;
  pid: number;
  command: string;
  args: string[];
  log: string;
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), where /proc exists. */
  startTicks: number | null;
}

export interface StartedProcess {
  record: ProcessRecord;
  /** Settles when the process exits, with its exit code (or the signal's name). */
  exited: Promise<string>;
  hasExited(): boolean;
}

export function pidDir(runDir: string): string {
  return join(runDir, 'pids');
}

export function logDir(runDir: string): string {
  return join(runDir, 'logs');
}

/** Command lines go to logs; the enrollment secrets in them do not. */
export function redact(args: string[]): string {
  return args
    .map((arg, i) => (['--id.secret', '--secret'].includes(args[i - 1] ?? '') ? '***' : arg))
    .join(' ')
    .replace(/(:\/\/[^:/\s]+:)[^@\s]+@/g, '$1***@')
    .replace(/(-b \S+?:)\S+/g, '$1***');
}

function startTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it follow the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return null;
  }
}

function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** True while the recorded process is alive and is still the one we started. */
export function isRunning(record: ProcessRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  if (existsSync('/proc')) {
    const state = processState(record.pid);
    if (state === null || state === 'Z' || state === 'X') return false;
    if (record.startTicks !== null && startTicks(record.pid) !== record.startTicks) return false;
  }
  return true;
}

/**
 * Starts a long-running process detached from us (it outlives `network:up`), its output appended
 * to <run>/logs/<name>.log, and records its pid.
 */
export function startProcess(runDir: string, name: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): StartedProcess {
  mkdirSync(pidDir(runDir), { recursive: true });
  mkdirSync(logDir(runDir), { recursive: true });
  const log = join(logDir(runDir), `${name}.log`);
  appendFileSync(log, `\n===== ${new Date().toISOString()} starting ${basename(command)} ${redact(args)}\n`);
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ?? String(code));
    });
    child.once('error', (error) => {
      done = true;
      resolve(error.message);
    });
  });
  child.unref();
  const record: ProcessRecord = { name, pid: child.pid, command, args, log, startTicks: startTicks(child.pid) };
  writeFileSync(join(pidDir(runDir), `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  return { record, exited, hasExited: () => done };
}

export function recordedProcesses(runDir: string): ProcessRecord[] {
  const dir = pidDir(runDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProcessRecord);
}

function forget(runDir: string, record: ProcessRecord): void {
  rmSync(join(pidDir(runDir), `${record.name}.json`), { force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops the recorded processes: SIGTERM to all at once (each takes a second or two to shut down
 * cleanly), then SIGKILL to whichever is still there after `graceMs`. Returns what it stopped.
 */
export async function stopRecordedProcesses(runDir: string, graceMs = 10000): Promise<{ stopped: string[]; killed: string[] }> {
  const live = recordedProcesses(runDir).filter((record) => {
    if (isRunning(record)) return true;
    forget(runDir, record);
    return false;
  });
  for (const record of live) {
    try {
      process.kill(record.pid, 'SIGTERM');
    } catch {
      // Gone in the meantime.
    }
  }
  const deadline = Date.now() + graceMs;
  while (live.some(isRunning) && Date.now() < deadline) await sleep(100);
  const killed: string[] = [];
  for (const record of live) {
    if (isRunning(record)) {
      try {
        process.kill(record.pid, 'SIGKILL');
        killed.push(record.name);
      } catch {
        // Gone in the meantime.
      }
    }
  }
  const killDeadline = Date.now() + 5000;
  while (live.some(isRunning) && Date.now() < killDeadline) await sleep(50);
  for (const record of live) forget(runDir, record);
  return { stopped: live.map((record) => record.name), killed };
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/**
 * Runs a short command (a Fabric CLI) to completion. Its command line and output go to
 * <run>/logs/commands.log, which is where to look when a step of network:up fails.
 */
export function runCommand(
  runDir: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  mkdirSync(logDir(runDir), { recursive: true });
  const log = join(logDir(runDir), 'commands.log');
  const line = `${basename(command)} ${redact(args)}`;
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 120000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.replace(/Password: \S+/g, 'Password: ***');
        appendFileSync(log, `\n$ ${line}\n${output}${error ? '=> failed\n' : ''}`);
        if (error) {
          const detail = (stderr || stdout).trim().split('\n').slice(-5).join('\n');
          reject(new CommandError(`${line.slice(0, 300)} failed:\n${detail}`, stdout, stderr));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}
