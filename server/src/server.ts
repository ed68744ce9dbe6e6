/**
 * Starts the registry: opens everything (app.ts), serves HTTP, and closes in order on stop.
 * Tests start it exactly like `npm start` does, on a port of their own.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Config } from './config';
import { openRegistry, type Registry, type RegistryOverrides } from './app';
import { createHttpApp } from './http/http-app';

export interface RunningServer {
  url: string;
  registry: Registry;
  close(): Promise<void>;
}

export async function startServer(config: Config, overrides: RegistryOverrides = {}): Promise<RunningServer> {
  const registry = await openRegistry(config, overrides);
  const app = createHttpApp(registry.services, overrides.log);
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(config.port, config.host, () => resolve(listening));
      listening.once('error', reject);
    });
  } catch (error) {
    await registry.close();
    throw error;
  }
  // Counters hold connections open between scans; keep them, but not past a stop.
  server.keepAliveTimeout = 30000;
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
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Counter pages waiting on Server-Sent Events hold their connections open.
          registry.services.presentations.endStreams();
          server.closeIdleConnections();
        });
        await registry.close();
      })()),
  };
}
