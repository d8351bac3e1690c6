/** Blob and File (W3C File API §3, §4): immutable bytes with a MIME type; slicing copies nothing. */
import { ReadableStream } from './streams.ts';

type Part = Blob | ArrayBuffer | ArrayBufferView | string;
const enc = new TextEncoder();

export class Blob {
  readonly #bytes: Uint8Array;
  readonly type: string;
  constructor(parts: Iterable<Part> = [], options: { type?: string; endings?: string } = {}) {
    const chunks: Uint8Array[] = [];
    for (const p of parts) {
      if (p instanceof Blob) chunks.push(p.#bytes);
      else if (p instanceof ArrayBuffer) chunks.push(new Uint8Array(p.slice(0)));
      else if (ArrayBuffer.isView(p)) chunks.push(new Uint8Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength)));
      else chunks.push(enc.encode(String(p)));
    }
    const total = chunks.reduce((n, c) => n + c.length, 0);
    this.#bytes = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) { this.#bytes.set(c, o); o += c.length; }
    const t = options.type ?? '';
    this.type = /^[\x20-\x7e]*$/.test(t) ? t.toLowerCase() : '';
  }
  get size(): number { return this.#bytes.length; }
  slice(start = 0, end = this.size, type = ''): Blob {
    const n = this.size;
    const s = start < 0 ? Math.max(n + start, 0) : Math.min(start, n);
    const e = end < 0 ? Math.max(n + end, 0) : Math.min(end, n);
    return new Blob([this.#bytes.subarray(s, Math.max(s, e))], { type });
  }
  async arrayBuffer(): Promise<ArrayBuffer> { return this.#bytes.slice().buffer; }
  async bytes(): Promise<Uint8Array> { return this.#bytes.slice(); }
  async text(): Promise<string> { return new TextDecoder().decode(this.#bytes); }
  stream(): ReadableStream<Uint8Array> {
    const bytes = this.#bytes;
    return new ReadableStream<Uint8Array>({ start(c) { if (bytes.length) c.enqueue(bytes.slice()); c.close(); } });
  }
  get [Symbol.toStringTag](): string { return 'Blob'; }
}

export class File extends Blob {
  readonly name: string;
  readonly lastModified: number;
  constructor(parts: Iterable<Part>, name: string, options: { type?: string; lastModified?: number } = {}) {
    super(parts, options);
    this.name = String(name);
    this.lastModified = options.lastModified ?? Date.now();
  }
  override get [Symbol.toStringTag](): string { return 'File'; }
}
