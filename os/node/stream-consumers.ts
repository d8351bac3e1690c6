/** node:stream/consumers: read a whole stream (Node or web, anything async-iterable). */
import { Buffer } from './buffer.ts';

type Source = AsyncIterable<unknown> | { getReader(): unknown };

async function* chunks(stream: Source): AsyncGenerator<unknown> {
  if (Symbol.asyncIterator in (stream as object)) { yield* stream as AsyncIterable<unknown>; return; }
  const reader = (stream as { getReader(): { read(): Promise<{ done: boolean; value: unknown }>; releaseLock(): void } }).getReader();
  try {
    for (;;) { const { done, value } = await reader.read(); if (done) return; yield value; }
  } finally { reader.releaseLock(); }
}

export async function buffer(stream: Source): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks(stream)) parts.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}
export async function arrayBuffer(stream: Source): Promise<ArrayBuffer> {
  const b = await buffer(stream);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
export async function text(stream: Source): Promise<string> { return (await buffer(stream)).toString('utf8'); }
export async function json(stream: Source): Promise<unknown> { return JSON.parse(await text(stream)); }
export async function blob(stream: Source): Promise<unknown> {
  const B = (globalThis as { Blob?: new (parts: unknown[]) => unknown }).Blob;
  if (!B) throw new TypeError('Blob is not available');
  return new B([await buffer(stream)]);
}
export default { buffer, arrayBuffer, text, json, blob };
