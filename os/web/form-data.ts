/**
 * FormData (XHR §4.3) and its multipart/form-data form (RFC 7578 over RFC 2046 §5.1.1): the
 * parser behind Request/Response.formData() and the serializer for a FormData body. Entries
 * are strings or Files; a Blob appended becomes a File named "blob". A body that does not
 * parse throws TypeError, as undici does.
 */
import { Blob, File } from './blob.ts';
import { utf8Encode, utf8Decode, concatBytes } from './text.ts';

type Entry = [string, string | File];
const toFile = (v: Blob, filename?: string): File =>
  v instanceof File && filename === undefined ? v : new File([v], filename ?? (v instanceof File ? v.name : 'blob'), { type: v.type });

export class FormData {
  #entries: Entry[] = [];
  constructor(form?: unknown) {
    if (form !== undefined) throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
  }
  #value(value: unknown, filename?: string): string | File {
    return value instanceof Blob ? toFile(value, filename) : String(value);
  }
  append(name: string, value: unknown, filename?: string): void { this.#entries.push([String(name), this.#value(value, filename)]); }
  set(name: string, value: unknown, filename?: string): void {
    const n = String(name), v = this.#value(value, filename);
    const i = this.#entries.findIndex(([k]) => k === n);
    if (i < 0) { this.#entries.push([n, v]); return; }
    this.#entries[i] = [n, v];
    this.#entries = this.#entries.filter(([k], j) => j <= i || k !== n);
  }
  get(name: string): string | File | null { return this.#entries.find(([k]) => k === String(name))?.[1] ?? null; }
  getAll(name: string): (string | File)[] { return this.#entries.filter(([k]) => k === String(name)).map(([, v]) => v); }
  has(name: string): boolean { return this.#entries.some(([k]) => k === String(name)); }
  delete(name: string): void { this.#entries = this.#entries.filter(([k]) => k !== String(name)); }
  forEach(cb: (value: string | File, key: string, parent: FormData) => void, thisArg?: unknown): void {
    for (const [k, v] of [...this.#entries]) cb.call(thisArg, v, k, this);
  }
  *entries(): IterableIterator<Entry> { for (const [k, v] of this.#entries) yield [k, v]; }
  *keys(): IterableIterator<string> { for (const [k] of this.#entries) yield k; }
  *values(): IterableIterator<string | File> { for (const [, v] of this.#entries) yield v; }
  [Symbol.iterator](): IterableIterator<Entry> { return this.entries(); }
  get [Symbol.toStringTag](): string { return 'FormData'; }
}

const CRLF = utf8Encode('\r\n');
const parseError = () => new TypeError('Failed to parse body as FormData.');

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** RFC 7578 §4.2: the name and filename parameters of Content-Disposition (quoted strings, %22 for quotes). */
function disposition(value: string): { name: string; filename?: string } {
  if (!/^\s*form-data\s*(;|$)/i.test(value)) throw parseError();
  const params: Record<string, string> = {};
  for (const m of value.matchAll(/;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').trim().replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
  }
  if (params.name === undefined) throw parseError();
  return { name: params.name, filename: params.filename };
}

/** Parses a multipart/form-data body with `boundary` (RFC 2046 §5.1.1: preamble and epilogue ignored). */
export function parseMultipart(body: Uint8Array, boundary: string): FormData {
  const fd = new FormData();
  const delimiter = utf8Encode(`--${boundary}`);
  let pos = indexOf(body, delimiter, 0);
  if (pos < 0) throw parseError();
  const text = utf8Decode;
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return fd; // close delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw parseError();
    pos += 2;
    const headersEnd = indexOf(body, utf8Encode('\r\n\r\n'), pos);
    if (headersEnd < 0) throw parseError();
    const headers = new Map<string, string>();
    for (const line of text(body.subarray(pos, headersEnd)).split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
    }
    const contentStart = headersEnd + 4;
    const next = indexOf(body, concatBytes([CRLF, delimiter]), contentStart - 2);
    if (next < 0) throw parseError();
    const content = body.subarray(contentStart, Math.max(contentStart, next));
    const { name, filename } = disposition(headers.get('content-disposition') ?? '');
    if (filename !== undefined) fd.append(name, new File([content.slice()], filename, { type: headers.get('content-type') ?? 'text/plain' }));
    else fd.append(name, text(content));
    pos = next + 2;
  }
}

const escapeName = (s: string) => s.replace(/\r?\n|\r/g, '\r\n').replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');

/** The multipart/form-data body of `fd` (RFC 7578 §4) and its Content-Type. */
export async function serializeMultipart(fd: FormData, boundary: string): Promise<{ bytes: Uint8Array; contentType: string }> {
  const parts: Uint8Array[] = [];
  for (const [name, value] of fd) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"`;
    if (typeof value === 'string') {
      parts.push(utf8Encode(`${head}\r\n\r\n${value.replace(/\r(?!\n)|(?<!\r)\n/g, '\r\n')}\r\n`));
    } else {
      head += `; filename="${escapeName(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`;
      parts.push(utf8Encode(head), new Uint8Array(await value.arrayBuffer()), CRLF);
    }
  }
  parts.push(utf8Encode(`--${boundary}--\r\n`));
  return { bytes: concatBytes(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
