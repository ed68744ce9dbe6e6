/**
 * `npm start`: the registry on the embedded ledger by default, with the demo created on first
 * start. Configuration comes from the environment (config.ts; README "Configuration"). Everything
 * it says goes through the one logger as JSON lines; API keys never do (they are in demo.json).
 */
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startServer } from './server';

const logger = createLogger();

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startServer(config, { logger });
  const { registry } = running;
  const store = config.databaseUrl ? 'PostgreSQL' : 'PGlite';
  // `listening on <url> ` (a space after the url): test/support/server-process.ts reads the url from this line.
  logger.info(
    {
      url: running.url,
      ledger: config.ledger,
      store,
      dataDir: config.dataDir,
      provinces: registry.nodes.map((node) => `${node.name} ${node.code} (${node.mspId})`),
    },
    `elicense registry listening on ${running.url} (ledger: ${config.ledger}, store: ${store})`,
  );
  const demoFile = join(config.dataDir, 'demo.json');
  // Keys never go to the log, where a collector would keep them: only the 0600 file has them.
  if (registry.demo) {
    logger.info(
      { demoFile, agencies: registry.demo.agencies.map((agency) => agency.id), counters: registry.demo.counters.map((counter) => counter.id) },
      `demo created: its API keys (province admins, agencies, counters) are in ${demoFile} (mode 0600)`,
    );
  } else if (config.demo) {
    logger.info({ demoFile }, `demo API keys: ${demoFile}`);
  } else {
    logger.info('no demo (DEMO=false): provision with npm run admin -- help');
  }
  logger.info(`pages: ${running.url}/  ${running.url}/agency  ${running.url}/admin  ${running.url}/wallet  ${running.url}/counter`);
  logger.info(`try: curl ${running.url}/api/v1/license-types   |   API: ${running.url}/api/v1/openapi.json`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'closing: finishing in-flight requests, checkpointing the ledger');
    // The server cuts slow clients at SHUTDOWN_TIMEOUT_MS; this is the backstop should the ledger
    // or the store hang on close.
    setTimeout(() => {
      logger.fatal({ signal }, `not closed within ${config.http.shutdownTimeoutMs + 10000} ms; exiting`);
      process.exit(1);
    }, config.http.shutdownTimeoutMs + 10000).unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'closing failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) logger.fatal(`configuration error: ${error.message}`);
  else logger.fatal({ err: error }, 'start failed');
  process.exit(1);
});
