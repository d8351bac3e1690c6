/**
 * UTF-8 encode/decode. Encoding is the runtime's (os/runtime/encoding.ts); decoding uses the
 * platform's TextDecoder when present (Node, or the image's runtime once it installs it) and
 * a small pure fallback otherwise, so the web and HTTP layers work on a bare QuickJS.
 */

interface Dec { decode(b: Uint8Array, o?: { stream?: boolean }): string }
const G = globalThis as unknown as {
  TextDecoder?: new (label?: string) => Dec;
};

/** UTF-8 as TextEncoder writes it: the runtime's encoder (in C once the runtime installed it). */
export { latin1Encode, utf8Encode } from '../runtime/encoding.ts';

/** Incremental UTF-8 decoder: a multi-byte sequence split across chunks is held back. */
export class Utf8Decoder {
  readonly #native: Dec | null;
  #pending: number[] = [];

  /** `useNative: false` forces the pure decoder (tests). */
  constructor(useNative = true) {
    this.#native = useNative && G.TextDecoder ? new G.TextDecoder('utf-8') : null;
  }

  decode(bytes: Uint8Array, stream = false): string {
    if (this.#native) return this.#native.decode(bytes, { stream });
    let s = '';
    const all = this.#pending.length ? [...this.#pending, ...bytes] : bytes;
    this.#pending = [];
    let i = 0;
    const n = all.length;
    while (i < n) {
      const c = all[i];
      const need = c < 0x80 ? 0 : c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
      if (need < 0) { s += '\ufffd'; i++; continue; }
      if (i + need >= n && stream && need > 0) {
        let ok = true;
        for (let k = i + 1; k < n; k++) if ((all[k] & 0xc0) !== 0x80) ok = false;
        if (ok) { this.#pending = Array.from(all).slice(i) as number[]; break; }
      }
      let cp = need === 0 ? c : c & (0x3f >> need);
      let k = 1;
      for (; k <= need; k++) {
        const d = all[i + k];
        if (d === undefined || (d & 0xc0) !== 0x80) break;
        cp = (cp << 6) | (d & 63);
      }
      if (k <= need || (need === 2 && cp < 0x800) || (need === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) {
        s += '\ufffd';
        i += Math.max(1, k);
        continue;
      }
      s += String.fromCodePoint(cp);
      i += need + 1;
    }
    return s;
  }
}

export function utf8Decode(bytes: Uint8Array): string {
  return new Utf8Decoder().decode(bytes);
}


export function latin1Decode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
