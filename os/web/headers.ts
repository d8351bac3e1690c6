/**
 * Fetch `Headers` (WHATWG Fetch §5.2): case-insensitive, values normalized (leading/trailing
 * HTTP whitespace removed), iteration sorted by lowercase name with values combined by ", "
 * except Set-Cookie, which iterates one entry per value (and getSetCookie()).
 */

export type HeadersInit = Headers | Iterable<readonly [string, string]> | Record<string, string | readonly string[]>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function normalizeValue(v: unknown): string {
  const s = String(v).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  if (/[\0\r\n]/.test(s) || /[^\x00-\xff]/.test(s)) throw new TypeError(`Invalid header value: ${JSON.stringify(s)}`);
  return s;
}

function checkName(n: unknown): string {
  const s = String(n);
  if (!TOKEN.test(s)) throw new TypeError(`Invalid header name: ${JSON.stringify(s)}`);
  return s.toLowerCase();
}

export class Headers {
  /** In insertion order: [lowercase name, value]. */
  #list: [string, string][] = [];
  #immutable = false;

  constructor(init?: HeadersInit | null) {
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      this.#list = init.#list.map(([n, v]) => [n, v]);
    } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<readonly [string, string]>) {
        const p = [...(pair as Iterable<string>)];
        if (p.length !== 2) throw new TypeError('Each header pair must be [name, value]');
        this.append(p[0], p[1]);
      }
    } else if (typeof init === 'object') {
      for (const k of Object.keys(init)) {
        const v = (init as Record<string, string | readonly string[]>)[k];
        if (Array.isArray(v)) for (const x of v) this.append(k, x);
        else this.append(k, v as string);
      }
    } else {
      throw new TypeError('Headers init must be an object, an iterable of pairs or a Headers');
    }
  }

  /** @internal freeze (Response.error/redirect, fetch results). */
  _freeze(): this { this.#immutable = true; return this; }

  #mutable(): void {
    if (this.#immutable) throw new TypeError('Headers are immutable');
  }

  append(name: string, value: string): void {
    this.#mutable();
    this.#list.push([checkName(name), normalizeValue(value)]);
  }

  set(name: string, value: string): void {
    this.#mutable();
    const n = checkName(name);
    const v = normalizeValue(value);
    const i = this.#list.findIndex(([k]) => k === n);
    if (i < 0) { this.#list.push([n, v]); return; }
    this.#list[i][1] = v;
    this.#list = this.#list.filter(([k], j) => k !== n || j === i);
  }

  delete(name: string): void {
    this.#mutable();
    const n = checkName(name);
    this.#list = this.#list.filter(([k]) => k !== n);
  }

  get(name: string): string | null {
    const n = checkName(name);
    const vs = this.#list.filter(([k]) => k === n).map(([, v]) => v);
    return vs.length === 0 ? null : vs.join(', ');
  }

  has(name: string): boolean {
    const n = checkName(name);
    return this.#list.some(([k]) => k === n);
  }

  getSetCookie(): string[] {
    return this.#list.filter(([k]) => k === 'set-cookie').map(([, v]) => v);
  }

  forEach(cb: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this);
  }

  *entries(): IterableIterator<[string, string]> {
    const names = [...new Set(this.#list.map(([k]) => k))].sort();
    for (const n of names) {
      if (n === 'set-cookie') for (const v of this.getSetCookie()) yield [n, v];
      else yield [n, this.get(n)!];
    }
  }

  *keys(): IterableIterator<string> { for (const [k] of this.entries()) yield k; }
  *values(): IterableIterator<string> { for (const [, v] of this.entries()) yield v; }
  [Symbol.iterator](): IterableIterator<[string, string]> { return this.entries(); }

  /** @internal raw pairs in insertion order, for serializing on the wire. */
  _raw(): readonly (readonly [string, string])[] { return this.#list; }

  get [Symbol.toStringTag](): string { return 'Headers'; }
}
