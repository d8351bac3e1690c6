/**
 * Shrinks the bundle's source map before it goes into the image: only segments that point
 * into the program's own files are kept (frames inside the library OS or npm packages stay
 * unmapped, like Node's internal frames), and symbol names are dropped (stack traces take
 * function names from the engine). Source map v3 mappings: ';' separates generated lines,
 * ',' segments; each segment is 1, 4 or 5 base64 VLQ fields, relative to the previous one.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

function decodeSegment(text: string): number[] {
  const out: number[] = [];
  let value = 0, shift = 0;
  for (const ch of text) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) throw new Error(`bad source map character '${ch}'`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

function encodeValue(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let s = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    s += B64[digit];
  } while (v > 0);
  return s;
}

interface SourceMapV3 { version: 3; sources: string[]; names?: string[]; mappings: string; [k: string]: unknown }

export function pruneSourceMap(json: string, keepSource: (source: string) => boolean, renameSource: (source: string) => string = (x) => x): string {
  const map = JSON.parse(json) as SourceMapV3;
  const keptIndex = new Map<number, number>();
  const sources: string[] = [];
  map.sources.forEach((s, i) => {
    if (keepSource(s)) {
      keptIndex.set(i, sources.length);
      sources.push(s);
    }
  });
  // Absolute decoder state (source, line, column) and the encoder's previous values.
  let src = 0, line = 0, col = 0;
  let outSrc = 0, outLine = 0, outCol = 0;
  const lines = map.mappings.split(';').map((lineText) => {
    let genCol = 0, outGenCol = 0;
    let lastMapped = false;
    const kept: string[] = [];
    for (const seg of lineText ? lineText.split(',') : []) {
      const f = decodeSegment(seg);
      genCol += f[0]!;
      if (f.length < 4) continue;
      src += f[1]!;
      line += f[2]!;
      col += f[3]!;
      const target = keptIndex.get(src);
      if (target === undefined) {
        // A one-field segment ends the previous mapping here: this code maps to nothing.
        if (lastMapped) {
          kept.push(encodeValue(genCol - outGenCol));
          outGenCol = genCol;
          lastMapped = false;
        }
        continue;
      }
      lastMapped = true;
      kept.push(encodeValue(genCol - outGenCol) + encodeValue(target - outSrc) + encodeValue(line - outLine) + encodeValue(col - outCol));
      outGenCol = genCol;
      outSrc = target;
      outLine = line;
      outCol = col;
    }
    return kept.join(',');
  });
  return JSON.stringify({ version: 3, sources: sources.map(renameSource), names: [], mappings: lines.join(';').replace(/;+$/, '') });
}
