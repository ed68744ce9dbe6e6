/**
 * `npm run admin -- <command> …`: province administration from a terminal, on the node's own
 * DATA_DIR and ledger identities (the same configuration as `npm start`), through the same
 * AdminService the /admin page and /api/v1/admin/* use. It opens the data folder itself, so run it
 * while the node is stopped (a running node holds the folder's lock); with the node running, use
 * the HTTP API with an admin key. It never creates the demo. Output is JSON on stdout; an API key's
 * token is printed once, when it is issued, and never again.
 */
import { ConfigError, loadConfig } from '../server/src/config';
import { openRegistry, type Registry } from '../server/src/app';
import type { AdminActor, CounterService } from '../server/src/services/admin';
import type { ApiKeyKind } from '../server/src/ports/store';
import { RegistryError } from '../core/errors';
import { readFileSync } from 'node:fs';

const USAGE = `usage: npm run admin -- <command> [--province <code>] …

  node                                         the provinces this node serves
  admin-key                                    issue a province admin API key (bootstrap; shown once)
  agencies                                     list the province's agencies (from the ledger)
  create-agency <id> <name> <type[,type…]>     register an agency with a first signing key
  suspend-agency <id> | reinstate-agency <id>  change its status on the ledger
  agency-types <id> <type[,type…]>             the license types it may issue
  rotate-key <id>                              new signing key; the old one stays resolvable
  counters                                     list the province's counters
  save-counter <id> <name> [services.json]     create or rename a counter, adding or replacing services
                                               (a JSON array of { id, names: {zh,en}, licenseType, claims, acceptsUnbound })
  delete-service <counterId> <serviceId>       remove one service of a counter; requests already shown may finish
  api-keys                                     list the province's API keys (no secrets)
  issue-key <agency|counter|admin> <id>        issue an API key (shown once)
  revoke-key <keyId>                           revoke an API key

--province defaults to the node's only province; required when the node serves several.
Configuration: the environment of npm start (DATA_DIR, LEDGER, DATABASE_URL, …).`;

interface Parsed {
  command: string;
  args: string[];
  province: string | null;
}

function parseArgs(argv: string[]): Parsed {
  const args: string[] = [];
  let province: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--province') province = argv[++i] ?? null;
    else if (arg.startsWith('--province=')) province = arg.slice('--province='.length);
    else args.push(arg);
  }
  return { command: args.shift() ?? 'help', args, province };
}

function actorFor(registry: Registry, province: string | null): AdminActor {
  if (province) return { province };
  const [only, ...others] = registry.nodes;
  if (!only || others.length > 0)
    throw new RegistryError('INVALID_ARGUMENT', `this node serves ${registry.nodes.map((node) => node.code).join(', ')}: say which with --province`);
  return { province: only.code };
}

function need(args: string[], count: number, what: string): string[] {
  if (args.length < count) throw new RegistryError('INVALID_ARGUMENT', `expected ${what}`);
  return args;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function services(path: string | undefined): CounterService[] {
  if (path === undefined) return [];
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed)) throw new RegistryError('INVALID_ARGUMENT', `${path}: a JSON array of services is expected`);
  // Not checked as the HTTP edge checks it: the operator's file must have the shape the usage names.
  return parsed as CounterService[];
}

// One case per command, each one line: splitting it would hide the command list, not simplify it.
// eslint-disable-next-line complexity
async function run(registry: Registry, parsed: Parsed): Promise<unknown> {
  const { admin } = registry;
  const { args } = parsed;
  const actor = () => actorFor(registry, parsed.province);
  switch (parsed.command) {
    case 'node':
      return registry.info.node();
    case 'admin-key':
      return admin.issueApiKey(actor(), 'admin', actor().province);
    case 'agencies':
      return admin.listAgencies(actor());
    case 'create-agency': {
      const [id = '', name = '', types = ''] = need(args, 3, '<id> <name> <type[,type…]>');
      return admin.createAgency(actor(), { id, name, licenseTypes: list(types) });
    }
    case 'suspend-agency':
    case 'reinstate-agency':
      return admin.updateAgency(actor(), need(args, 1, '<id>')[0] ?? '', { status: parsed.command === 'suspend-agency' ? 'suspended' : 'active' });
    case 'agency-types': {
      const [id = '', types = ''] = need(args, 2, '<id> <type[,type…]>');
      return admin.updateAgency(actor(), id, { licenseTypes: list(types) });
    }
    case 'rotate-key':
      return admin.rotateAgencyKey(actor(), need(args, 1, '<id>')[0] ?? '');
    case 'counters':
      return admin.listCounters(actor());
    case 'save-counter': {
      const [id = '', name = '', file] = need(args, 2, '<id> <name> [services.json]');
      return admin.saveCounter(actor(), { id, name, services: services(file) });
    }
    case 'delete-service': {
      const [counterId = '', serviceId = ''] = need(args, 2, '<counterId> <serviceId>');
      return admin.deleteCounterService(actor(), counterId, serviceId);
    }
    case 'api-keys':
      return admin.listApiKeys(actor());
    case 'issue-key': {
      const [kind = '', id = ''] = need(args, 2, '<agency|counter|admin> <id>');
      if (!['agency', 'counter', 'admin'].includes(kind)) throw new RegistryError('INVALID_ARGUMENT', 'kind must be agency, counter or admin');
      return admin.issueApiKey(actor(), kind as ApiKeyKind, id);
    }
    case 'revoke-key':
      return admin.revokeApiKey(actor(), need(args, 1, '<keyId>')[0] ?? '');
    default:
      return null;
  }
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed.command === 'help' || parsed.command === '--help') {
    console.log(USAGE);
    return;
  }
  const config = { ...loadConfig(), demo: false };
  const registry = await openRegistry(config, { log: (line) => console.error(line) });
  try {
    const result = await run(registry, parsed);
    if (result === null) {
      console.error(`unknown command ${parsed.command}\n\n${USAGE}`);
      process.exitCode = 2;
    } else console.log(JSON.stringify(result, null, 2));
  } finally {
    await registry.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else if (error instanceof RegistryError) console.error(`${error.code}: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
