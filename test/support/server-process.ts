/**
 * The registry as `npm start` runs it, in a child process: for tests that kill it and for the
 * bench, whose load must come from another process than the server it measures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'server', 'src', 'main.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Settles when the process has exited, however it ended. */
  exited: Promise<unknown>;
}

/**
 * Starts the server with `env` on top of this process's and resolves with its URL once it listens.
 * `nodeArgs` go to node before the script (`--cpu-prof`, which NODE_OPTIONS refuses).
 */
export async function spawnServer(env: Record<string, string>, timeoutMs = 180000, nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Listened for at once: an exit before anyone awaits it must not be missed.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // A first start creates CAs, keys and the demo: minutes on a loaded 2-core machine. A child that
    // never got there is killed, so it cannot keep writing into a folder the caller removes.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${output}`));
    });
  });
  return { child, url, exited };
}
