/**
 * fabric-shim ships no types for its contract dispatch, which the embedded ledger drives
 * directly so contracts run through exactly the code path they run through on a peer.
 */
declare module 'fabric-shim/lib/contract-spi/chaincodefromcontract' {
  import type { ChaincodeResponse } from 'fabric-shim-api';

  class ChaincodeFromContract {
    constructor(contractClasses: unknown[], serializers: unknown, metadata: unknown, title: string, version: string);
    Invoke(stub: unknown): Promise<ChaincodeResponse>;
    Init(stub: unknown): Promise<ChaincodeResponse>;
  }
  export = ChaincodeFromContract;
}

/** A winston logger as fabric-shim's and fabric-contract-api's `lib/logger` hand them out (one per name). */
interface ChaincodeLibraryLogger {
  silent: boolean;
  level: string;
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  verbose(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  silly(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
}

declare module 'fabric-shim/lib/logger' {
  const logger: {
    getLogger(name?: string): ChaincodeLibraryLogger;
    setLevel(level: string): void;
  };
  export = logger;
}

declare module 'fabric-contract-api/lib/logger' {
  const logger: {
    getLogger(name?: string): ChaincodeLibraryLogger;
    setLevel(level: string): void;
  };
  export = logger;
}
