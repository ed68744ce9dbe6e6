/**
 * fabric-contract-api logs every decorator at `info` when its modules load, and fabric-shim logs
 * every refused transaction as an error. On a peer that goes to the chaincode's own log; in-process
 * it would drown the server's. A peer sets CORE_CHAINCODE_LOGGING_LEVEL for its chaincode; we set a
 * quiet default the same way. Imported before anything that loads the chaincode.
 *
 * Quiet also means free: winston runs a message through its stream pipeline (and, unless
 * `silent`, its whole format pipeline: timestamp, metadata, colours) before the level drops it,
 * and the shim and fabric-contract-api's serializer log several debug messages per call. Profiling
 * evaluate showed winston at ~19% of its time even with `silent` set, so a quiet logger's level
 * methods become no-ops, in both libraries' loggers.
 */
import contractLogger from 'fabric-contract-api/lib/logger';
import shimLogger from 'fabric-shim/lib/logger';

process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'CRITICAL';

const LEVELS = ['error', 'warn', 'info', 'verbose', 'debug', 'silly', 'fatal'] as const;
const nothing = (): void => undefined;

if (process.env.CORE_CHAINCODE_LOGGING_LEVEL.toUpperCase() === 'CRITICAL') {
  for (const library of [shimLogger, contractLogger]) {
    const getLogger = library.getLogger.bind(library);
    library.getLogger = (name?: string) => {
      const logger = getLogger(name);
      logger.silent = true;
      for (const level of LEVELS) logger[level] = nothing;
      return logger;
    };
  }
}
