/**
 * The outcome of parsing untrusted bytes. Parsers never throw on malformed input: they return
 * `{ ok: false, reason }`, where `reason` is a short stable kebab-case string the layer above
 * counts in its `stats` (STYLE "Errors by layer").
 */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(reason: string): Result<T> {
  return { ok: false, reason };
}

/** Per-reason counters: a plain object so tests and the socket layer can read it directly. */
export type Stats = Record<string, number>;

export function count(stats: Stats, reason: string, n = 1): void {
  stats[reason] = (stats[reason] ?? 0) + n;
}

/** A DataView over exactly the bytes of `bytes` (respects byteOffset/byteLength). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** uint32 host-order IPv4 address read from / written to 4 network-order bytes. */
export function readAddr(view: DataView, offset: number): number {
  return view.getUint32(offset);
}

export function writeAddr(view: DataView, offset: number, addr: number): void {
  view.setUint32(offset, addr >>> 0);
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
