/**
 * The append-only block file. A block is acknowledged only after its whole line, newline
 * included, is written and fdatasync'd, so after a crash the file is every acknowledged block
 * followed by at most one torn, unacknowledged line, which `open` cuts off. Anything else that
 * fails its hash is corruption, and opening refuses to go on.
 */
import { closeSync, fsyncSync, openSync, readSync, statSync, truncateSync, existsSync } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RegistryError } from '../../../../core/errors';
import { sha256Hex } from '../../../../core/hash';
import { GENESIS_PREVIOUS_HASH, blockHashOf, splitLine, type Block, type BlockBody, type BlockHeader } from './blocks';

const READ_CHUNK = 8 * 1024 * 1024;

export interface ScannedBlock {
  header: BlockHeader;
  hash: string;
  offset: number;
  length: number;
  /** A view into the read buffer: valid only during the callback. */
  bodyBytes: Buffer;
}

export type ScanProblem = { kind: 'torn-tail'; offset: number; bytes: number } | { kind: 'corrupt'; offset: number; block: number | null; message: string };

/**
 * Reads the file line by line, checking each block's number, link and data hash. Calls `onBlock`
 * for each good block and stops at the first problem, which it returns (null when clean), or when
 * `onBlock` returns false.
 */
export function scanBlocks(path: string, onBlock: (block: ScannedBlock) => boolean): ScanProblem | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    let carry = Buffer.alloc(0);
    let position = 0;
    let lineStart = 0;
    let expected = 0;
    let previousHash = GENESIS_PREVIOUS_HASH;
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    while (position < size) {
      const read = readSync(fd, chunk, 0, Math.min(READ_CHUNK, size - position), position);
      position += read;
      const buffer = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let from = 0;
      for (let newline = buffer.indexOf(0x0a, from); newline >= 0; newline = buffer.indexOf(0x0a, from)) {
        const line = buffer.subarray(from, newline);
        const parsed = splitLine(line);
        const problem = (message: string): ScanProblem => ({ kind: 'corrupt', offset: lineStart, block: parsed ? parsed.header.number : null, message });
        if (!parsed) return problem(`line at byte ${lineStart} is not a block`);
        const { header } = parsed;
        if (header.number !== expected) return problem(`block ${header.number} found where block ${expected} was expected`);
        if (header.previousHash !== previousHash) return problem(`block ${expected} does not link to block ${expected - 1} (previousHash differs)`);
        if (sha256Hex(parsed.bodyBytes) !== header.dataHash) return problem(`block ${expected}: its transactions do not match its data hash`);
        const hash = blockHashOf(parsed.headerBytes);
        if (!onBlock({ header, hash, offset: lineStart, length: line.length + 1, bodyBytes: parsed.bodyBytes })) return null;
        previousHash = hash;
        expected += 1;
        lineStart += line.length + 1;
        from = newline + 1;
      }
      // The chunk buffer is reused by the next read, so the unfinished line must be copied out.
      carry = Buffer.from(buffer.subarray(from));
    }
    if (carry.length > 0) return { kind: 'torn-tail', offset: lineStart, bytes: carry.length };
    return null;
  } finally {
    closeSync(fd);
  }
}

export class BlockFile {
  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    private readonly offsets: Array<[number, number]>,
    private tipHash: string,
  ) {}

  /**
   * Opens (creating if need be) the block file, cutting off a torn tail. `onBlock` sees every
   * verified block in order, so the caller can rebuild what it derives from them.
   */
  static async open(path: string, onBlock: (block: ScannedBlock) => void): Promise<BlockFile> {
    const offsets: Array<[number, number]> = [];
    let tipHash = GENESIS_PREVIOUS_HASH;
    const problem = scanBlocks(path, (block) => {
      offsets.push([block.offset, block.length]);
      tipHash = block.hash;
      onBlock(block);
      return true;
    });
    if (problem?.kind === 'corrupt') {
      throw new RegistryError('INTERNAL', `ledger block file ${path} is corrupt at byte ${problem.offset}: ${problem.message}; run npm run ledger:verify`);
    }
    if (problem?.kind === 'torn-tail') {
      // Written but never fsync'd-and-acknowledged: a crash interrupted it. Dropping it loses nothing.
      truncateSync(path, problem.offset);
      const fd = openSync(path, 'r+');
      fsyncSync(fd);
      closeSync(fd);
    }
    const created = !existsSync(path);
    const handle = await openFile(path, 'a');
    if (created) {
      // The new file's directory entry must be durable too, or a crash could lose the whole file.
      const dir = openSync(dirname(path), 'r');
      fsyncSync(dir);
      closeSync(dir);
    }
    return new BlockFile(path, handle, offsets, tipHash);
  }

  /** Number of the last block, -1 when the file is empty. */
  get height(): number {
    return this.offsets.length - 1;
  }

  get lastHash(): string {
    return this.tipHash;
  }

  /** Appends one encoded block and returns once it is on disk. */
  async append(line: Buffer, hash: string): Promise<void> {
    const previous = this.offsets.at(-1);
    const offset = previous === undefined ? 0 : previous[0] + previous[1];
    let written = 0;
    while (written < line.length) {
      const { bytesWritten } = await this.handle.write(line, written, line.length - written);
      written += bytesWritten;
    }
    await this.handle.datasync();
    this.offsets.push([offset, line.length]);
    this.tipHash = hash;
  }

  read(number: number): Block {
    const location = this.offsets[number];
    if (!location) throw new RegistryError('NOT_FOUND', `block ${number} does not exist`);
    const fd = openSync(this.path, 'r');
    try {
      const line = Buffer.allocUnsafe(location[1] - 1);
      readSync(fd, line, 0, line.length, location[0]);
      const parsed = splitLine(line);
      if (!parsed) throw new RegistryError('INTERNAL', `block ${number} cannot be read back`);
      return { header: parsed.header, body: JSON.parse(parsed.bodyBytes.toString('utf8')) as BlockBody };
    } finally {
      closeSync(fd);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
