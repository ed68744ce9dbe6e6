/**
 * `npm run -s verify:offline -- <bundle-file> <credential> --anchor <anchor-file> [--max-age <seconds>]`
 *
 * A counter with no network: verifies one credential (its text, or @file) from an offline bundle
 * and the trust anchor alone — no server, no DATA_DIR. Prints the verdict JSON as POST /verify
 * does and exits 0 valid, 1 invalid, 2 indeterminate, 3 when the bundle (or the anchor) is
 * refused, 64 for a usage error.
 */
import { readFileSync } from 'node:fs';
import { RegistryError } from '../core/errors';
import { DEFAULT_OFFLINE_MAX_AGE_SECONDS } from '../core/offline-bundle';
import { verifyOffline } from '../server/src/offline-verifier';

const EXIT = { valid: 0, invalid: 1, indeterminate: 2, refused: 3, usage: 64 } as const;
const USAGE = 'usage: verify-offline <bundle-file> <credential | @credential-file> --anchor <anchor-file> [--max-age <seconds>]';

class UsageError extends Error {}

interface Arguments {
  bundleFile: string;
  credential: string;
  anchorFile: string;
  maxAgeSeconds: number;
}

function optionValue(args: string[], at: number, name: string): string {
  const value = args[at + 1];
  if (value === undefined) throw new UsageError(`${name} needs a value`);
  return value;
}

function parseArguments(args: string[]): Arguments {
  const positional: string[] = [];
  let anchorFile: string | undefined;
  let maxAgeSeconds = DEFAULT_OFFLINE_MAX_AGE_SECONDS;
  for (let at = 0; at < args.length; at++) {
    const arg = args[at] as string;
    if (arg === '--anchor') {
      anchorFile = optionValue(args, at, arg);
      at++;
    } else if (arg === '--max-age') {
      const text = optionValue(args, at, arg);
      maxAgeSeconds = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(maxAgeSeconds)) throw new UsageError('--max-age must be a whole number of seconds');
      at++;
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [bundleFile, credential] = positional;
  if (positional.length !== 2 || bundleFile === undefined || credential === undefined) throw new UsageError('expected a bundle file and a credential');
  if (anchorFile === undefined) throw new UsageError('--anchor <anchor-file> is required');
  return { bundleFile, credential, anchorFile, maxAgeSeconds };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readAnchor(path: string): unknown {
  const text = readText(path, 'trust anchor');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RegistryError('BUNDLE_REFUSED', `the trust anchor ${path} is not JSON`);
  }
}

async function main(argv: string[]): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    const credential = args.credential.startsWith('@') ? readText(args.credential.slice(1), 'credential').trim() : args.credential;
    const result = await verifyOffline(credential, readText(args.bundleFile, 'bundle'), readAnchor(args.anchorFile), { maxAgeSeconds: args.maxAgeSeconds });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT[result.verdict];
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof RegistryError && error.code === 'BUNDLE_REFUSED') {
      process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2)}\n`);
      return EXIT.refused;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
