/**
 * The Ledger port on a real Fabric network, through fabric-network 2.2 (the Gateway SDK that works
 * with peers without the Gateway service). One Gateway per wallet identity, connected the first
 * time the identity is used and kept; discovery finds the endorsers the chaincode's policy needs
 * and the orderers, so a connection profile names only the province's own peer.
 *
 * It keeps the embedded ledger's semantics:
 *   submit      resolves only once the transaction is committed VALID, with its block number
 *               (commit-wait.ts); nothing here retries — a decorator above the port does;
 *   refusals    the chaincode's `[CODE]` survives as the RegistryError's code (errors.ts);
 *   events      chaincode events of valid transactions, in block order, from one block listener;
 *   status      qscc GetTransactionByID / GetBlockByTxID, null for a transaction never seen.
 */
import './quiet-sdk';
import { readFileSync } from 'node:fs';
import { Gateway, type BlockEvent, type BlockListener, type Contract, type Network, type X509Identity } from 'fabric-network';
import { RegistryError } from '../../../../core/errors';
import type { ChannelConfiguration, Ledger, LedgerEvent, SubmitResult, TransactionStatus } from '../../ports/ledger';
import type { IdentityWallet } from '../identity/wallet';
import { CommitWait, type CommitScope } from './commit-wait';
import { fabricError, fabricMessages } from './errors';
import { QSCC, blockNumber, chainHeight, channelOrganizations, isUnknownTransaction, validationCode } from './qscc';

export interface FabricTimeouts {
  /** Endorsement of a submit, per attempt at a set of peers. */
  endorseMs: number;
  /** From sending to the orderer until the commit is reported; then COMMIT_STATUS_UNKNOWN. */
  commitMs: number;
  /** An evaluate or qscc query. */
  evaluateMs: number;
  /** ping: a health check answers quickly or not at all. */
  pingMs: number;
  /** Once one peer reported the commit VALID, how long a submit waits for the other peers. */
  lagMs: number;
}

export interface FabricLedgerOptions {
  /** A common connection profile (object or path to its JSON) naming the province's peer. */
  connectionProfile: Record<string, unknown> | string;
  wallet: IdentityWallet;
  channel: string;
  /** The chaincode's name in the channel's lifecycle. */
  chaincode: string;
  /** Wallet label the block listener (onEvent) and ping use. */
  eventIdentity: string;
  timeouts?: Partial<FabricTimeouts>;
  /**
   * Whose commit a submit waits for. 'network' (default): every peer of the channel, so a read
   * anywhere right after a submit sees it, as on the embedded ledger. 'organization': the
   * submitter's own peers only, a little faster when other provinces' peers are far away.
   */
  commitScope?: CommitScope;
  /** Discovery rewrites peer hosts to localhost: for networks on this machine (default true). */
  asLocalhost?: boolean;
}

/** The Fabric ledger: the port, plus the chain height as an identity's own peer sees it. */
export interface FabricLedger extends Ledger {
  height(identity?: string): Promise<number>;
}

const DEFAULT_TIMEOUTS: FabricTimeouts = { endorseMs: 30000, commitMs: 30000, evaluateMs: 10000, pingMs: 3000, lagMs: 2000 };

interface Connection {
  gateway: Gateway;
  network: Network;
  contract: Contract;
  qscc: Contract;
}

/** fabric-network 2.2 takes whole seconds. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function transactionName(fn: string): string {
  if (!/^[A-Za-z]\w*:[A-Za-z]\w*$/.test(fn)) throw new RegistryError('BAD_REQUEST', `transaction function must read contract:Function, got ${fn}`);
  return fn;
}

class FabricNetworkLedger implements FabricLedger {
  private readonly profile: Record<string, unknown>;
  private readonly timeouts: FabricTimeouts;
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly listeners = new Set<(event: LedgerEvent) => void>();
  private events: Promise<void> | null = null;
  private eventSource: { network: Network; listener: BlockListener } | null = null;
  private closed = false;

  constructor(private readonly options: FabricLedgerOptions) {
    this.profile =
      typeof options.connectionProfile === 'string'
        ? (JSON.parse(readFileSync(options.connectionProfile, 'utf8')) as Record<string, unknown>)
        : options.connectionProfile;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  private connect(label: string): Promise<Connection> {
    if (this.closed) return Promise.reject(new RegistryError('LEDGER_UNAVAILABLE', 'the Fabric ledger adapter is closed'));
    let connection = this.connections.get(label);
    if (!connection) {
      connection = this.openConnection(label);
      this.connections.set(label, connection);
      // A failed connection is not kept: the next call tries again (the peer may be back).
      connection.catch(() => {
        if (this.connections.get(label) === connection) this.connections.delete(label);
      });
    }
    return connection;
  }

  private async openConnection(label: string): Promise<Connection> {
    const stored = await this.options.wallet.get(label);
    if (!stored) throw new RegistryError('UNAUTHENTICATED', `identity ${label} is not in the wallet`);
    const identity: X509Identity = { type: 'X.509', mspId: stored.mspId, credentials: { certificate: stored.certificate, privateKey: stored.privateKey } };
    const gateway = new Gateway();
    try {
      await gateway.connect(this.profile, {
        identity,
        discovery: { enabled: true, asLocalhost: this.options.asLocalhost ?? true },
        // Commit waiting is ours (CommitWait), per transaction; the SDK's strategy is off.
        eventHandlerOptions: { strategy: null, endorseTimeout: seconds(this.timeouts.endorseMs), commitTimeout: seconds(this.timeouts.commitMs) },
        queryHandlerOptions: { timeout: seconds(this.timeouts.evaluateMs) },
      });
      // getNetwork runs discovery, signed by this identity: where the channel refuses it.
      const network = await gateway.getNetwork(this.options.channel);
      return { gateway, network, contract: network.getContract(this.options.chaincode), qscc: network.getContract(QSCC) };
    } catch (error) {
      gateway.disconnect();
      throw fabricError(error, { what: `connecting as ${label}` });
    }
  }

  async submit(identity: string, fn: string, args: string[]): Promise<SubmitResult> {
    const name = transactionName(fn);
    const { contract } = await this.connect(identity);
    const transaction = contract.createTransaction(name);
    const txId = transaction.getTransactionId();
    const scope = this.options.commitScope ?? 'network';
    // The SDK creates the handler only after the endorsements came back good.
    const commit: { wait?: CommitWait } = {};
    transaction.setEventHandler((id, network) => (commit.wait = new CommitWait(id, network, scope, this.timeouts.commitMs, this.timeouts.lagMs)));
    let payload: Buffer;
    try {
      payload = await transaction.submit(...args);
    } catch (error) {
      // A RegistryError here is the commit wait's verdict; the SDK has hung its proposal
      // responses on it, which do not belong in a RegistryError: a clean copy goes up.
      if (error instanceof RegistryError) throw new RegistryError(error.code, error.message, error.details);
      // Once the commit wait exists the endorsements were good; a failure after that is the
      // orderer's. An answer from it (a status) means the transaction was not taken; anything else
      // leaves its fate open.
      if (commit.wait && !/orderer response status|is not connected|Failed to connect|UNAVAILABLE/i.test(fabricMessages(error).join('\n'))) {
        throw new RegistryError('COMMIT_STATUS_UNKNOWN', `transaction ${txId} may or may not have been ordered: ${fabricMessages(error)[0] ?? 'no message'}`, {
          txId,
        });
      }
      throw fabricError(error, { txId, what: `${fn} as ${identity}` });
    }
    if (!commit.wait) throw new RegistryError('INTERNAL', `no commit wait for ${txId}`, { txId });
    return { txId, blockNumber: commit.wait.committedBlock, payload };
  }

  async evaluate(identity: string, fn: string, args: string[]): Promise<Buffer> {
    const name = transactionName(fn);
    const { contract } = await this.connect(identity);
    try {
      return await contract.evaluateTransaction(name, ...args);
    } catch (error) {
      throw fabricError(error, { what: `${fn} as ${identity}` });
    }
  }

  private async query(identity: string, fn: string, ...args: string[]): Promise<Buffer> {
    const { qscc } = await this.connect(identity);
    return qscc.evaluateTransaction(fn, ...args);
  }

  async height(identity = this.options.eventIdentity): Promise<number> {
    try {
      return chainHeight(await this.query(identity, 'GetChainInfo', this.options.channel));
    } catch (error) {
      throw fabricError(error, { what: `chain height as ${identity}` });
    }
  }

  /** From the channel's latest config block, as the peer holds it (qscc GetConfigBlock). */
  async channelConfiguration(identity: string): Promise<ChannelConfiguration> {
    try {
      return { channel: this.options.channel, organizations: channelOrganizations(await this.query(identity, 'GetConfigBlock', this.options.channel)) };
    } catch (error) {
      throw fabricError(error, { what: `the channel configuration as ${identity}` });
    }
  }

  async transactionStatus(identity: string, txId: string): Promise<TransactionStatus | null> {
    let processed: Buffer;
    try {
      processed = await this.query(identity, 'GetTransactionByID', this.options.channel, txId);
    } catch (error) {
      if (!(error instanceof RegistryError) && isUnknownTransaction(fabricMessages(error).join('\n'))) return null;
      throw fabricError(error, { txId, what: `looking up ${txId}` });
    }
    try {
      const code = validationCode(processed);
      const block = blockNumber(await this.query(identity, 'GetBlockByTxID', this.options.channel, txId));
      return { txId, blockNumber: block, code, valid: code === 'VALID' };
    } catch (error) {
      throw fabricError(error, { txId, what: `looking up ${txId}` });
    }
  }

  onEvent(listener: (event: LedgerEvent) => void): () => void {
    this.listeners.add(listener);
    this.startEvents().catch(() => undefined);
    return () => this.listeners.delete(listener);
  }

  /**
   * One full-block listener for the adapter, from the chain height when it starts: full blocks,
   * because filtered ones carry chaincode events without their payload. The SDK reconnects it
   * after a peer restart and resumes from the next block, so no event is skipped.
   */
  startEvents(): Promise<void> {
    this.events ??= (async () => {
      const { network } = await this.connect(this.options.eventIdentity);
      const startBlock = await this.height();
      const listener: BlockListener = (block) => {
        this.dispatch(block);
        return Promise.resolve();
      };
      await network.addBlockListener(listener, { type: 'full', startBlock });
      this.eventSource = { network, listener };
    })();
    this.events.catch(() => {
      this.events = null;
    });
    return this.events;
  }

  private dispatch(block: BlockEvent): void {
    const blockNumber = block.blockNumber.toNumber();
    for (const tx of block.getTransactionEvents()) {
      if (!tx.isValid) continue;
      for (const event of tx.getContractEvents()) {
        if (event.chaincodeId !== this.options.chaincode) continue;
        const ledgerEvent: LedgerEvent = { txId: tx.transactionId, blockNumber, name: event.eventName, payload: Buffer.from(event.payload ?? []) };
        for (const listener of this.listeners) {
          try {
            listener(ledgerEvent);
          } catch {
            // A listener's fault must not stop the others or the stream.
          }
        }
      }
    }
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RegistryError('LEDGER_UNAVAILABLE', `Fabric did not answer within ${this.timeouts.pingMs} ms`)),
        this.timeouts.pingMs,
      );
    });
    try {
      await Promise.race([this.height(), late]);
      if (this.listeners.size > 0) await Promise.race([this.startEvents(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.eventSource) this.eventSource.network.removeBlockListener(this.eventSource.listener);
    const connections = [...this.connections.values()];
    this.connections.clear();
    for (const settled of await Promise.allSettled(connections)) {
      if (settled.status === 'fulfilled') settled.value.gateway.disconnect();
    }
  }
}

/**
 * Opens the Fabric ledger and starts its event listener. A network that is down at this point
 * does not fail the open: ping() reports it, and the first call that reaches Fabric connects.
 */
export async function openFabricLedger(options: FabricLedgerOptions): Promise<FabricLedger> {
  const ledger = new FabricNetworkLedger(options);
  await ledger.startEvents().catch(() => undefined);
  return ledger;
}
