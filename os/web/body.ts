/**
 * The Body mixin shared by Request and Response (WHATWG Fetch §5.3): a body is either bytes
 * known up front or a ReadableStream of Uint8Array; it can be consumed once (bodyUsed).
 * formData() parses multipart/form-data (os/web/form-data.ts) and
 * application/x-www-form-urlencoded; a FormData body is sent as multipart/form-data.
 * blob() needs a global Blob.
 */
import { ReadableStream } from './streams.ts';
import { utf8Encode, Utf8Decoder, concatBytes } from './text.ts';
import { FormData, parseMultipart, serializeMultipart } from './form-data.ts';

export type BodyInit = string | ArrayBuffer | ArrayBufferView | URLSearchParams | ReadableStream<Uint8Array> | { arrayBuffer(): Promise<ArrayBuffer>; type?: string; size?: number };

export interface ExtractedBody {
  bytes: Uint8Array | null;
  stream: ReadableStream<Uint8Array> | null;
  contentType: string | null;
}

export function extractBody(init: BodyInit): ExtractedBody {
  if (typeof init === 'string') return { bytes: utf8Encode(init), stream: null, contentType: 'text/plain;charset=UTF-8' };
  if (init instanceof Uint8Array) return { bytes: init.slice(), stream: null, contentType: null };
  if (init instanceof ArrayBuffer) return { bytes: new Uint8Array(init.slice(0)), stream: null, contentType: null };
  if (ArrayBuffer.isView(init)) return { bytes: new Uint8Array(init.buffer.slice(init.byteOffset, init.byteOffset + init.byteLength)), stream: null, contentType: null };
  if (typeof URLSearchParams !== 'undefined' && init instanceof URLSearchParams) {
    return { bytes: utf8Encode(init.toString()), stream: null, contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (isStream(init)) return { bytes: null, stream: init, contentType: null };
  if (init instanceof FormData) {
    const boundary = `----formdata-nimbus-${String(Math.random()).slice(2, 13).padEnd(11, '0')}`;
    const stream = new ReadableStream<Uint8Array>({
      async start(c) { c.enqueue((await serializeMultipart(init, boundary)).bytes); c.close(); },
    });
    return { bytes: null, stream, contentType: `multipart/form-data; boundary=${boundary}` };
  }
  if (init && typeof (init as { arrayBuffer?: unknown }).arrayBuffer === 'function') {
    // Blob-like: read lazily through a stream.
    const blob = init as { arrayBuffer(): Promise<ArrayBuffer>; type?: string };
    const stream = new ReadableStream<Uint8Array>({
      async start(c) { c.enqueue(new Uint8Array(await blob.arrayBuffer())); c.close(); },
    });
    return { bytes: null, stream, contentType: blob.type || null };
  }
  return { bytes: utf8Encode(String(init)), stream: null, contentType: 'text/plain;charset=UTF-8' };
}

export function isStream(x: unknown): x is ReadableStream<Uint8Array> {
  return !!x && typeof (x as { getReader?: unknown }).getReader === 'function';
}

export abstract class BodyMixin {
  #bytes: Uint8Array | null = null;
  #stream: ReadableStream<Uint8Array> | null = null;
  #used = false;

  /** @internal */
  protected _setBody(b: ExtractedBody | null): void {
    this.#bytes = b?.bytes ?? null;
    this.#stream = b?.stream ?? null;
  }

  /** @internal the body as given, for a sender: bytes when known, else the stream. */
  _bodySource(): { bytes: Uint8Array | null; stream: ReadableStream<Uint8Array> | null } {
    return { bytes: this.#bytes, stream: this.#stream };
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream) return this.#stream;
    if (this.#bytes === null) return null;
    const bytes = this.#bytes;
    this.#stream = new ReadableStream<Uint8Array>({
      start(c) { if (bytes.length > 0) c.enqueue(bytes); c.close(); },
    });
    this.#bytes = null;
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** @internal: a second body for clone(); the original keeps one branch. */
  protected _cloneBody(): ExtractedBody | null {
    if (this.#used) throw new TypeError('Cannot clone: body already used');
    if (this.#bytes !== null) return { bytes: this.#bytes, stream: null, contentType: null };
    if (this.#stream === null) return null;
    const [a, b] = this.#stream.tee();
    this.#stream = a;
    return { bytes: null, stream: b, contentType: null };
  }

  async #consume(): Promise<Uint8Array> {
    if (this.#used) throw new TypeError('Body has already been consumed');
    this.#used = true;
    if (this.#bytes !== null) return this.#bytes;
    if (this.#stream === null) return new Uint8Array(0);
    if (this.#stream.locked) throw new TypeError('Body stream is locked');
    const parts: Uint8Array[] = [];
    const reader = this.#stream.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const v = r.value as unknown;
      parts.push(typeof v === 'string' ? utf8Encode(v) : v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer));
    }
    reader.releaseLock();
    return concatBytes(parts);
  }

  async bytes(): Promise<Uint8Array> {
    const b = await this.#consume();
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.#consume();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    const b = await this.#consume();
    // UTF-8 decode, dropping a leading BOM (Encoding §4 "UTF-8 decode").
    const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
    return new Utf8Decoder().decode(b.subarray(start));
  }

  async json(): Promise<any> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<unknown> {
    const B = (globalThis as { Blob?: new (parts: unknown[], o?: { type?: string }) => unknown }).Blob;
    if (!B) throw new TypeError('blob() is not supported: no Blob in this runtime');
    const type = (this as unknown as { headers: { get(n: string): string | null } }).headers.get('content-type') ?? '';
    return new B([await this.#consume()], { type });
  }

  async formData(): Promise<FormData> {
    const type = (this as unknown as { headers: { get(n: string): string | null } }).headers.get('content-type') ?? '';
    if (/^multipart\/form-data/i.test(type)) {
      const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
      if (!boundary) throw new TypeError('Failed to parse body as FormData.');
      return parseMultipart(await this.#consume(), boundary[1] ?? boundary[2]!);
    }
    if (!/^application\/x-www-form-urlencoded/i.test(type)) throw new TypeError('Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".');
    const fd = new FormData();
    for (const [k, v] of new URLSearchParams(await this.text())) fd.append(k, v);
    return fd;
  }
}
