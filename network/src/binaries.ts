/**
 * The Fabric binaries and sample config are the user's installation, never ours: found in
 * FABRIC_BIN (a folder) or on PATH, with the config folder (core.yaml, orderer.yaml) in
 * FABRIC_CFG_PATH or beside the binaries as the release tarballs lay it out (<bin>/../config).
 */
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

export const REQUIRED_BINARIES = ['peer', 'orderer', 'configtxgen', 'osnadmin', 'fabric-ca-server', 'fabric-ca-client'] as const;
export type FabricBinary = (typeof REQUIRED_BINARIES)[number];

export interface FabricInstall {
  bin: Record<FabricBinary, string>;
  /** Holds the user's core.yaml and orderer.yaml. */
  configDir: string;
}

export class FabricNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FabricNotFoundError';
  }
}

const HOW_TO = 'Install the Hyperledger Fabric 2.4+ and Fabric CA 1.5+ binaries (see network/README.md) and set FABRIC_BIN to the folder holding them';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds every required binary and the config folder, or throws naming what is missing and how to fix it. */
export function findFabric(env: NodeJS.ProcessEnv = process.env): FabricInstall {
  const fromEnv = env.FABRIC_BIN?.trim();
  const folders = fromEnv ? [resolve(fromEnv)] : (env.PATH ?? '').split(delimiter).filter(Boolean);
  const where = fromEnv ? `in FABRIC_BIN=${fromEnv}` : 'on PATH';
  const found: Partial<Record<FabricBinary, string>> = {};
  const missing: FabricBinary[] = [];
  for (const binary of REQUIRED_BINARIES) {
    const hit = folders.map((folder) => join(folder, binary)).find(executable);
    if (hit) found[binary] = hit;
    else missing.push(binary);
  }
  if (missing.length > 0) {
    throw new FabricNotFoundError(`${missing.join(', ')} not found ${where}. ${HOW_TO}.`);
  }
  const bin = found as Record<FabricBinary, string>;
  const candidates = [env.FABRIC_CFG_PATH?.trim(), join(dirname(bin.peer), '..', 'config'), join(dirname(realpathSync(bin.peer)), '..', 'config')].filter(
    (dir): dir is string => Boolean(dir),
  );
  const configDir = candidates.map((dir) => resolve(dir)).find((dir) => existsSync(join(dir, 'core.yaml')) && existsSync(join(dir, 'orderer.yaml')));
  if (!configDir) {
    throw new FabricNotFoundError(
      `Fabric's config folder (core.yaml, orderer.yaml) not found in ${candidates.join(' or ')}. Set FABRIC_CFG_PATH to the release's config/ folder.`,
    );
  }
  return { bin, configDir };
}

/** For callers that may go on without Fabric (tests that skip themselves): the install, or why not. */
export function fabricAvailability(env: NodeJS.ProcessEnv = process.env): { ok: true; install: FabricInstall } | { ok: false; reason: string } {
  try {
    return { ok: true, install: findFabric(env) };
  } catch (error) {
    if (error instanceof FabricNotFoundError) return { ok: false, reason: error.message };
    throw error;
  }
}
