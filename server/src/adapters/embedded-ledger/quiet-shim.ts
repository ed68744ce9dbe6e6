/**
 * fabric-contract-api logs every decorator at `info` when its modules load, and fabric-shim logs
 * every refused transaction as an error. On a peer that goes to the chaincode's own log; in-process
 * it would drown the server's. A peer sets CORE_CHAINCODE_LOGGING_LEVEL for its chaincode; we set a
 * quiet default the same way. Imported before anything that loads the chaincode.
 *
 * Quiet also means silent: winston runs its whole format pipeline (timestamp, metadata, colours)
 * for a message before the transport drops it by level, and the shim logs two debug messages per
 * call. Profiling evaluate showed that at ~16% of its time, so quiet loggers are made `silent`,
 * which winston checks first.
 */
import shimLogger from 'fabric-shim/lib/logger';

process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'CRITICAL';

if (process.env.CORE_CHAINCODE_LOGGING_LEVEL.toUpperCase() === 'CRITICAL') {
  const getLogger = shimLogger.getLogger.bind(shimLogger);
  shimLogger.getLogger = (name?: string) => {
    const logger = getLogger(name);
    logger.silent = true;
    return logger;
  };
}
