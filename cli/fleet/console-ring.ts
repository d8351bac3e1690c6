/**
 * An instance's console kept on disk in a bounded ring: a file of a fixed size that always
 * holds the newest output (`nimbus logs`), however long the instance runs. The supervisor is
 * the one writer; readers (the CLI) read the file directly, so logs outlive the supervisor.
 *
 * Layout: a 32-byte header (magic "NBRING1\0", u32 capacity, u32 reserved, u64 bytes written
 * in all, little-endian), then `capacity` data bytes. Byte number n of the output is at data
 * offset n % capacity. The header's count is written after the data, so a reader never sees
 * bytes that are not there yet (at worst, bytes just overwritten: it drops a partial first line).
 */
import { closeSync, openSync, readSync, writeSync, ftruncateSync, fstatSync } from 'node:fs';

const MAGIC = Buffer.from('NBRING1\0', 'latin1');
const HEADER = 32;
export const DEFAULT_RING_BYTES = 64 * 1024;

export class ConsoleRing {
  #fd: number;
  #capacity: number;
  #written: bigint;

  /** Opens (or creates) the ring at `path`; an existing ring keeps its contents. */
  constructor(path: string, capacity = DEFAULT_RING_BYTES) {
    this.#fd = openSync(path, 'a+');
    closeSync(this.#fd);
    this.#fd = openSync(path, 'r+');
    const head = readHeader(this.#fd);
    if (head) {
      this.#capacity = head.capacity;
      this.#written = head.written;
    } else {
      this.#capacity = capacity;
      this.#written = 0n;
      ftruncateSync(this.#fd, HEADER + capacity);
      this.#writeHeader();
    }
  }

  get written(): bigint {
    return this.#written;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    let data = bytes;
    let start = this.#written;
    if (data.length > this.#capacity) {
      start += BigInt(data.length - this.#capacity);
      data = data.subarray(data.length - this.#capacity);
    }
    const at = Number(start % BigInt(this.#capacity));
    const first = Math.min(data.length, this.#capacity - at);
    writeSync(this.#fd, data, 0, first, HEADER + at);
    if (first < data.length) writeSync(this.#fd, data, first, data.length - first, HEADER);
    this.#written += BigInt(bytes.length);
    this.#writeHeader();
  }

  close(): void {
    closeSync(this.#fd);
  }

  #writeHeader(): void {
    const h = Buffer.alloc(HEADER);
    MAGIC.copy(h, 0);
    h.writeUInt32LE(this.#capacity, 8);
    h.writeBigUInt64LE(this.#written, 16);
    writeSync(this.#fd, h, 0, HEADER, 0);
  }
}

function readHeader(fd: number): { capacity: number; written: bigint } | undefined {
  const h = Buffer.alloc(HEADER);
  if (readSync(fd, h, 0, HEADER, 0) < HEADER || !h.subarray(0, 8).equals(MAGIC)) return undefined;
  const capacity = h.readUInt32LE(8);
  if (capacity === 0 || fstatSync(fd).size < HEADER + capacity) return undefined;
  return { capacity, written: h.readBigUInt64LE(16) };
}

export interface RingRead {
  /** The output from byte `from` on (or from the oldest byte kept), and where it ended. */
  bytes: Buffer;
  next: bigint;
  /** True when bytes before the returned ones were overwritten (the ring wrapped past `from`). */
  lost: boolean;
}

/** Reads a ring file from output byte `from` (default: everything kept). Missing file: nothing. */
export function readRing(path: string, from = 0n): RingRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { bytes: Buffer.alloc(0), next: from, lost: false };
  }
  try {
    const head = readHeader(fd);
    if (!head) return { bytes: Buffer.alloc(0), next: from, lost: false };
    const { capacity, written } = head;
    const oldest = written > BigInt(capacity) ? written - BigInt(capacity) : 0n;
    const start = from < oldest ? oldest : from > written ? written : from;
    const n = Number(written - start);
    const out = Buffer.alloc(n);
    const at = Number(start % BigInt(capacity));
    const first = Math.min(n, capacity - at);
    readSync(fd, out, 0, first, HEADER + at);
    if (first < n) readSync(fd, out, first, n - first, HEADER);
    let bytes = out;
    const lost = start > from;
    // A ring that wrapped starts mid-line: drop the partial line.
    if (start > 0n && start === oldest && oldest > 0n) {
      const nl = bytes.indexOf(0x0a);
      bytes = nl >= 0 ? bytes.subarray(nl + 1) : bytes;
    }
    return { bytes, next: written, lost };
  } finally {
    closeSync(fd);
  }
}

/** The last `n` lines of a ring (for `nimbus ps` of a stopped instance). */
export function lastLines(path: string, n: number): string[] {
  const text = readRing(path).bytes.toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n);
}
