/**
 * Receipts the holder sees (用证留痕) and ratings (好差评).
 *
 * Every verification of a holder-bound presentation is recorded — counter, province, service,
 * time, the disclosed claim NAMES (never values), the verdict — under the holder key's RFC 7638
 * thumbprint. Receipts are hash-chained per node: hash = SHA-256 over the RFC 8785 form of the
 * receipt with the previous receipt's hash. The chain's head is anchored on the ledger
 * (`receipts:AnchorHead`) at least every minute, so a node that deletes or rewrites a receipt can
 * no longer reproduce what it anchored (`verifyReceiptChain`).
 *
 * Only the holder reads them: a request is a JWT signed by the holder key (typ
 * receipt-request+jwt, header jwk, iat within 60 s, a nonce used once, aud = this node's receipts
 * URL); the receipts returned are those of that key's thumbprint.
 */
import { RECEIPT_REQUEST_TYP, type Receipt } from '../../../core/presentation/receipt';
import { errors as joseErrors, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { canonicalize } from '../../../core/canonical-json';
import { RegistryError } from '../../../core/errors';
import { sha256Hex } from '../../../core/hash';
import { jwkThumbprint, parsePublicJwk } from '../../../core/jwk';
import { hiddenCharacterProblem } from '../../../core/license-types/fields';
import type { Clock } from '../ports/clock';
import type { RatingCount, ReceiptDraft, ReceiptRow } from '../ports/presentation-store';
import type { Store } from '../ports/store';
import type { RegistryLedger } from './registry-ledger';

export { RECEIPT_REQUEST_TYP };
const PROOF_WINDOW_SECONDS = 60;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const MAX_COMMENT = 200;

export interface ReceiptsDeps {
  store: Store;
  ledger: RegistryLedger;
  clock: Clock;
  /** This node's chain name: its province code (one chain per registry node). */
  node: string;
  /** The ledger identity that anchors heads: a member of the node's province. */
  anchorIdentity: string;
}

/** A receipt as its holder reads it (core/presentation/receipt). */
export type ReceiptView = Receipt;

export interface ChainReport {
  node: string;
  ok: boolean;
  receipts: number;
  anchored: { seq: number; hash: string; txId: string } | null;
  problem: string | null;
}

/** A score of 1 to 5; a comment of plain visible text (no bidi override or NUL to make it read otherwise), bounded. */
function checkRating(score: number, comment: string | null): void {
  if (!Number.isInteger(score) || score < 1 || score > 5) throw new RegistryError('INVALID_FIELD', 'score: must be 1 to 5', { field: 'score' });
  if (comment === null) return;
  if (comment.length > MAX_COMMENT) throw new RegistryError('INVALID_FIELD', `comment: at most ${MAX_COMMENT} characters`, { field: 'comment' });
  const hidden = hiddenCharacterProblem(comment);
  if (hidden !== null) throw new RegistryError('INVALID_FIELD', `comment: ${hidden}`, { field: 'comment' });
}

export interface HolderProof {
  holder: string;
  nonce: string;
}

/** The receipt's link in its node's chain. */
export function receiptHash(row: Omit<ReceiptRow, 'hash'>): string {
  return sha256Hex(
    canonicalize({
      node: row.node,
      seq: row.seq,
      prev: row.prevHash,
      holder: row.holder,
      at: row.at,
      counter: row.counterId,
      province: row.province,
      service: row.service,
      licenseType: row.licenseType,
      claims: row.claims,
      verdict: row.verdict,
    }),
  );
}

const receiptId = (row: Pick<ReceiptRow, 'node' | 'seq'>): string => `${row.node}.${row.seq}`;

export class ReceiptsService {
  private anchoredSeq = 0;
  private anchoring: Promise<void> | null = null;

  constructor(private readonly deps: ReceiptsDeps) {}

  record(draft: ReceiptDraft): Promise<ReceiptRow> {
    return this.deps.store.appendReceipt(this.deps.node, draft, receiptHash);
  }

  /**
   * Checks a holder's proof of key: a compact JWT (typ receipt-request+jwt, ES256) whose header
   * carries the public jwk it is signed with, with aud, a fresh iat and a nonce not seen before.
   */
  async proveHolder(proof: string, audience: string): Promise<HolderProof> {
    const refused = (why: string) => new RegistryError('UNAUTHENTICATED', `the holder proof is refused: ${why}`);
    let jwk;
    try {
      jwk = parsePublicJwk(decodeProtectedHeader(proof).jwk);
    } catch {
      throw refused('its header must carry the holder public key (jwk, P-256)');
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(proof, await importJWK({ ...jwk }, 'ES256'), {
        algorithms: ['ES256'],
        typ: RECEIPT_REQUEST_TYP,
        audience,
        requiredClaims: ['iat', 'nonce'],
        maxTokenAge: PROOF_WINDOW_SECONDS,
        clockTolerance: 10,
        currentDate: this.deps.clock(),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw refused(error.message);
      throw error;
    }
    const nonce = payload.nonce;
    if (typeof nonce !== 'string' || !NONCE.test(nonce)) throw refused('nonce must be 16 to 64 base64url characters');
    const holder = jwkThumbprint(jwk);
    const now = this.deps.clock();
    const until = new Date(now.getTime() + 5 * PROOF_WINDOW_SECONDS * 1000).toISOString();
    if (!(await this.deps.store.rememberOnce(`proof:${holder}:${nonce}`, until, now.toISOString()))) throw refused('this proof was already used');
    return { holder, nonce };
  }

  async receiptsOf(holder: string): Promise<ReceiptView[]> {
    const rows = await this.deps.store.listReceiptsByHolder(holder, 1000);
    const names = new Map<string, string | null>();
    for (const row of rows) if (!names.has(row.counterId)) names.set(row.counterId, (await this.deps.store.getCounter(row.counterId))?.name ?? null);
    return rows.map((row) => ({
      id: receiptId(row),
      at: row.at,
      counter: { id: row.counterId, name: names.get(row.counterId) ?? null, province: row.province },
      service: row.service,
      licenseType: row.licenseType,
      claims: row.claims,
      verdict: row.verdict,
    }));
  }

  /** 好差评: once per receipt, by its holder, 1–5 with an optional comment. */
  async rate(holder: string, receipt: string, score: number, comment: string | null): Promise<void> {
    const match = /^(\d{6}(?:-[a-z0-9-]+)?)\.([1-9]\d{0,15})$/.exec(receipt);
    const row = match?.[1] && match[2] ? await this.deps.store.getReceipt(match[1], Number(match[2])) : null;
    // Another holder's receipt reads as unknown: nobody learns that it exists.
    if (row?.holder !== holder) throw new RegistryError('NOT_FOUND', 'no such receipt of this holder');
    checkRating(score, comment);
    try {
      await this.deps.store.insertRating({
        node: row.node,
        seq: row.seq,
        holder,
        counterId: row.counterId,
        service: row.service,
        score,
        comment,
        at: this.deps.clock().toISOString(),
      });
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'ALREADY_EXISTS') throw new RegistryError('ALREADY_RATED', 'this service was already rated');
      throw error;
    }
  }

  ratings(counterId: string): Promise<RatingCount[]> {
    return this.deps.store.countRatings(counterId);
  }

  /** Anchors the chain head if it moved since the last anchor; one at a time. */
  anchorHead(): Promise<void> {
    this.anchoring ??= this.anchorNow().finally(() => {
      this.anchoring = null;
    });
    return this.anchoring;
  }

  private async lastReceipt(): Promise<ReceiptRow | null> {
    let last: ReceiptRow | null = null;
    for (let after = this.anchoredSeq; ;) {
      const page = await this.deps.store.listReceiptChain(this.deps.node, after, 1000);
      const tail = page[page.length - 1];
      if (!tail) return last;
      last = tail;
      after = tail.seq;
    }
  }

  private async anchorNow(): Promise<void> {
    const last = await this.lastReceipt();
    if (!last || last.seq <= this.anchoredSeq) return;
    await this.deps.ledger.submit(this.deps.anchorIdentity, 'receipts:AnchorHead', [this.deps.node, String(last.seq), last.hash]);
    this.anchoredSeq = last.seq;
  }

  /**
   * Re-computes the whole chain from the store and compares it with the head on the ledger: a
   * deleted, altered or inserted receipt breaks a link or no longer reproduces the anchored hash.
   */
  async verifyReceiptChain(): Promise<ChainReport> {
    const head = JSON.parse((await this.deps.ledger.port.evaluate(this.deps.anchorIdentity, 'receipts:GetHead', [this.deps.node])).toString('utf8')) as {
      seq: number;
      hash: string;
      txId: string;
    } | null;
    const report = (receipts: number, problem: string | null): ChainReport => ({
      node: this.deps.node,
      ok: problem === null,
      receipts,
      anchored: head ? { seq: head.seq, hash: head.hash, txId: head.txId } : null,
      problem,
    });
    let prev = '0'.repeat(64);
    let expected = 1;
    let count = 0;
    for (;;) {
      const page = await this.deps.store.listReceiptChain(this.deps.node, expected - 1, 1000);
      if (page.length === 0) break;
      for (const row of page) {
        if (row.seq !== expected) return report(count, `receipt ${expected} is missing (the chain jumps to ${row.seq})`);
        if (row.prevHash !== prev) return report(count, `receipt ${row.seq} does not link to receipt ${row.seq - 1}`);
        const { hash, ...unsealed } = row;
        if (receiptHash(unsealed) !== hash) return report(count, `receipt ${row.seq} was altered (its hash does not match its content)`);
        if (row.seq === head?.seq && hash !== head.hash) return report(count, `receipt ${row.seq} differs from the head anchored in tx ${head.txId}`);
        prev = hash;
        expected += 1;
        count += 1;
      }
    }
    if (head && count < head.seq) return report(count, `the ledger anchored receipt ${head.seq} (tx ${head.txId}) but the store ends at ${count}`);
    return report(count, null);
  }
}
