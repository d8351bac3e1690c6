/**
 * CompressionStream and DecompressionStream (WHATWG Compression §5-6) for "gzip" (RFC 1952),
 * "deflate" (zlib, RFC 1950) and "deflate-raw" (RFC 1951) over fflate's streaming codecs, and
 * TextEncoderStream/TextDecoderStream (WHATWG Encoding §10.3-10.4). Each is a TransformStream
 * pair; chunks must be BufferSource (compression) or strings (TextEncoderStream).
 */
import { TextDecoder, TextEncoder } from '../runtime/encoding.ts';
import { TransformStream, type ReadableStream, type WritableStream } from './streams.ts';
import { lazyFflate } from '../runtime/lazy.ts';

type Format = 'gzip' | 'deflate' | 'deflate-raw';
interface Codec { push(chunk: Uint8Array, final?: boolean): void; ondata: (data: Uint8Array, final: boolean) => void }

function format(f: unknown): Format {
  if (f === 'gzip' || f === 'deflate' || f === 'deflate-raw') return f;
  const e = new TypeError(`The provided value '${String(f)}' is not a valid enum value of type CompressionFormat.`) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_VALUE';
  throw e;
}

function bytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const e = new TypeError('The "chunk" argument must be of type ArrayBuffer or ArrayBufferView') as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_TYPE';
  throw e;
}

/** A TransformStream driven by one fflate streaming codec. */
function codecStream(make: () => Codec): TransformStream<unknown, Uint8Array> {
  let codec: Codec;
  return new TransformStream<unknown, Uint8Array>({
    start(c) {
      codec = make();
      codec.ondata = (data) => { if (data.length) c.enqueue(data); };
    },
    transform(chunk) { codec.push(bytes(chunk)); },
    flush() { codec.push(new Uint8Array(0), true); },
  });
}

abstract class Pair<I, O> {
  readonly #t: TransformStream<I, O>;
  constructor(t: TransformStream<I, O>) { this.#t = t; }
  get readable(): ReadableStream<O> { return this.#t.readable; }
  get writable(): WritableStream<I> { return this.#t.writable; }
}

export class CompressionStream extends Pair<unknown, Uint8Array> {
  constructor(f: Format) {
    const kind = format(f);
    super(codecStream(() => {
      const z = lazyFflate();
      return (kind === 'gzip' ? new z.Gzip() : kind === 'deflate' ? new z.Zlib() : new z.Deflate()) as unknown as Codec;
    }));
  }
}

export class DecompressionStream extends Pair<unknown, Uint8Array> {
  constructor(f: Format) {
    const kind = format(f);
    super(codecStream(() => {
      const z = lazyFflate();
      return (kind === 'gzip' ? new z.Gunzip() : kind === 'deflate' ? new z.Unzlib() : new z.Inflate()) as unknown as Codec;
    }));
  }
}

export class TextEncoderStream extends Pair<string, Uint8Array> {
  constructor() {
    const enc = new TextEncoder();
    let high = ''; // a lone high surrogate at a chunk's end waits for the next chunk
    super(new TransformStream<string, Uint8Array>({
      transform(chunk, c) {
        let s = high + String(chunk);
        high = '';
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last < 0xdc00) { high = s.slice(-1); s = s.slice(0, -1); }
        if (s) c.enqueue(enc.encode(s));
      },
      flush(c) { if (high) c.enqueue(enc.encode(high)); },
    }));
  }
  get encoding(): string { return 'utf-8'; }
}

export class TextDecoderStream extends Pair<unknown, string> {
  readonly #dec: TextDecoder;
  constructor(label = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const dec = new TextDecoder(label, options);
    super(new TransformStream<unknown, string>({
      transform(chunk, c) { const s = dec.decode(bytes(chunk), { stream: true }); if (s) c.enqueue(s); },
      flush(c) { const s = dec.decode(); if (s) c.enqueue(s); },
    }));
    this.#dec = dec;
  }
  get encoding(): string { return this.#dec.encoding; }
  get fatal(): boolean { return this.#dec.fatal; }
  get ignoreBOM(): boolean { return this.#dec.ignoreBOM; }
}
