/**
 * `npm start`: the registry on the embedded ledger by default, with the demo created on first
 * start. Configuration comes from the environment (config.ts; README "Configuration").
 */
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { startServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startServer(config);
  const { registry } = running;
  console.log(
    `elicense registry listening on ${running.url}  (ledger: ${config.ledger}, store: ${config.databaseUrl ? 'PostgreSQL' : 'PGlite'}, data: ${config.dataDir})`,
  );
  console.log(`  provinces served: ${registry.nodes.map((node) => `${node.name} ${node.code} (${node.mspId})`).join(', ')}`);
  if (registry.demo) {
    console.log('\nDemo created. These API keys are shown once; they are also in', join(config.dataDir, 'demo.json'), '(mode 0600):');
    for (const agency of registry.demo.agencies)
      console.log(`  agency  ${agency.id.padEnd(22)} ${agency.name}  [${agency.licenseTypes.join(', ')}]\n          ${agency.apiKey}`);
    for (const counter of registry.demo.counters) console.log(`  counter ${counter.id.padEnd(22)} ${counter.name}\n          ${counter.apiKey}`);
  } else {
    console.log(`  demo API keys: ${join(config.dataDir, 'demo.json')}`);
  }
  console.log(`\nTry: curl ${running.url}/api/v1/license-types   |   API: ${running.url}/api/v1/openapi.json`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: closing (finishing in-flight requests, checkpointing the ledger)…`);
    // The server cuts slow clients at SHUTDOWN_TIMEOUT_MS; this is the backstop should the ledger
    // or the store hang on close.
    setTimeout(() => {
      console.error(`${signal}: not closed within ${config.http.shutdownTimeoutMs + 10000} ms; exiting`);
      process.exit(1);
    }, config.http.shutdownTimeoutMs + 10000).unref();
    running.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(error.stack ?? error.message);
  process.exit(1);
});
