/**
 * fabric-network and fabric-ca-client log through fabric-common's winston logger, which writes
 * every endorsement refusal to the console as an error ("No valid responses from any peers").
 * Here a refusal is an answer the adapter turns into a RegistryError, so by default the SDK is
 * silent. An operator who wants its logs sets HFC_LOGGING, e.g. '{"error":"console"}'.
 * fabric-common reads its logger from `global.hfc.logger` when one is set, so this must be
 * imported before anything that loads the SDK.
 */
interface HfcGlobal {
  hfc?: { logger?: unknown };
}

const holder = globalThis as HfcGlobal;

if (!process.env.HFC_LOGGING && !holder.hfc?.logger) {
  const silent = (): void => undefined;
  holder.hfc = { ...holder.hfc, logger: { debug: silent, info: silent, warn: silent, error: silent, log: silent } };
}

export {};
