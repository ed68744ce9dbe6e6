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

declare module 'fabric-shim/lib/logger' {
  interface ShimLogger {
    silent: boolean;
    level: string;
  }
  const logger: {
    getLogger(name?: string): ShimLogger;
    setLevel(level: string): void;
  };
  export = logger;
}
