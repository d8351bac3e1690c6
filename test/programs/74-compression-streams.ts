// expect-exit: 0
// CompressionStream/DecompressionStream (gzip, deflate, deflate-raw) round trips, bytes Node's
// zlib made, and TextEncoderStream/TextDecoderStream with characters split across chunks.
// (Compressed bytes differ between implementations: only decoded results are printed.)
const text = 'Streams of Nimbus text, compressed on the way. '.repeat(30) + 'é😀 end';

function source<T>(chunks: T[]): ReadableStream<T> {
  return new ReadableStream<T>({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } });
}
async function collect<T>(s: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const r = s.getReader();
  for (;;) { const { done, value } = await r.read(); if (done) return out; out.push(value); }
}
const concat = (parts: Uint8Array[]) => { const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { all.set(p, o); o += p.length; } return all; };

async function main(): Promise<void> {
  const raw = new TextEncoder().encode(text);
  const halves = [raw.subarray(0, 700), raw.subarray(700)];
  for (const f of ['gzip', 'deflate', 'deflate-raw'] as const) {
    const packed = concat(await collect(source(halves).pipeThrough(new CompressionStream(f))));
    const back = concat(await collect(source([packed.subarray(0, 10), packed.subarray(10)]).pipeThrough(new DecompressionStream(f))));
    console.log(f, new TextDecoder().decode(back) === text, packed.length < raw.length / 5, packed[0] === 0x1f && packed[1] === 0x8b);
  }
  // gzip of "hello streams" made by Node's zlib.
  const nodeGzip = Uint8Array.from(atob('H4sIAAAAAAAAA8tIzcnJVyguKUpNzC0GAA89X5INAAAA'), (ch) => ch.charCodeAt(0));
  console.log(new TextDecoder().decode(concat(await collect(source([nodeGzip]).pipeThrough(new DecompressionStream('gzip'))))));
  const words = await collect(source(['Grüße ', '\ud83d', '\ude00', ' ok']).pipeThrough(new TextEncoderStream()).pipeThrough(new CompressionStream('gzip'))
    .pipeThrough(new DecompressionStream('gzip')).pipeThrough(new TextDecoderStream()));
  console.log(JSON.stringify(words.join('')));
  const bytes = new TextEncoder().encode('añb😀c');
  const split = await collect(source([...bytes].map((b) => new Uint8Array([b]))).pipeThrough(new TextDecoderStream('utf-8')));
  console.log(JSON.stringify(split.join('')), new TextDecoderStream().encoding, new TextEncoderStream().encoding);
  const u16 = await collect(source([new Uint8Array([0x41, 0]), new Uint8Array([0x42])] ).pipeThrough(new TextDecoderStream('utf-16le')));
  console.log(JSON.stringify(u16.join('')));
  try { new CompressionStream('brotli' as never); } catch (e) { console.log((e as Error).name); }
}
main();

export {}; // a module, not a script: its names stay its own
