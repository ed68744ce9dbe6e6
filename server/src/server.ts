/**
 * Starts the registry: opens everything (app.ts), serves HTTP, and closes in order on stop.
 * Tests start it exactly like `npm start` does, on a port of their own.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type Config } from './config';
import { openRegistry, type Registry, type RegistryOverrides } from './app';
import { createHttpApp } from './http/http-app';
import { createLogger, type Logger } from './logger';
import { errorBody } from './http/middleware';

export interface RunningServer {
  url: string;
  registry: Registry;
  logger: Logger;
  close(): Promise<void>;
}

/** Listens, or fails with a ConfigError an operator can act on (a busy port, a wrong address). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new ConfigError(`port ${port} on ${host} is in use by another program; stop it or set PORT`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES')
        reject(new ConfigError(`cannot listen on ${host}:${port} (${error.code}); check HOST and PORT`));
      else reject(error);
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

export async function startServer(config: Config, overrides: RegistryOverrides = {}): Promise<RunningServer> {
  const { headersTimeoutMs, requestTimeoutMs, shutdownTimeoutMs } = config.http;
  const logger = overrides.logger ?? createLogger(overrides.log);
  logger.level = config.logLevel;
  // Until the registry is open (seconds: the ledger replays, the store migrates) every request is
  // told so; listening first makes a busy port fail at once rather than after all that work.
  let handle: RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify(errorBody('STORE_UNAVAILABLE', 'the registry is starting')));
  };
  const server = createServer(
    {
      // A client gets this long for its headers, and for its whole request: slow sockets are closed,
      // not held. Node checks them every connectionsCheckingInterval (30 s by default: too coarse).
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
      // Counters hold connections open between scans; keep them, but not past a stop.
      keepAliveTimeout: 30000,
    },
    (req, res) => handle(req, res),
  );
  await listen(server, config.port, config.host);
  let registry: Registry;
  try {
    registry = await openRegistry(config, { ...overrides, logger });
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  handle = createHttpApp(registry.services, logger);
  const { port } = server.address() as AddressInfo;
  try {
    await registry.listening(port);
  } catch (error) {
    server.close();
    await registry.close();
    throw error;
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    registry,
    logger,
    close: () =>
      (closing ??= (async () => {
        // In-flight requests may finish until the deadline; then their sockets are cut, so a stop
        // never waits on a client that stopped reading.
        // Counter pages waiting on Server-Sent Events hold their connections open.
        registry.services.presentations.endStreams();
        const deadline = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        clearTimeout(deadline);
        await registry.close();
      })()),
  };
}
