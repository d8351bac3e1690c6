/**
 * WHATWG URL and URLSearchParams (URL Standard §4, §5), compact: covers what programs
 * commonly do: parse absolute and relative URLs, special schemes (http https ws wss ftp
 * file) and opaque ones (mailto:, data:), dot-segment removal, percent-encoding sets,
 * ASCII host lowercasing, IPv4 (incl. hex/octal parts) and IPv6 canonical forms, default
 * port removal, setters, and live searchParams.
 *
 * Not supported (documented in README.md): non-ASCII hosts (IDNA/punycode: TypeError
 * "Invalid URL"), Windows drive-letter quirks of file: URLs, blob: origins.
 */
import { utf8Decode, utf8Encode } from './encoding.ts';

const SPECIAL: Record<string, number | null> = { 'ftp:': 21, 'file:': null, 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };
const CUSTOM_INSPECT = Symbol.for('nodejs.util.inspect.custom');

function invalid(input: string): never {
  const e = new TypeError('Invalid URL') as TypeError & { code: string; input: string };
  e.code = 'ERR_INVALID_URL';
  e.input = input;
  throw e;
}

// §1.3 percent-encode sets, as predicates over a code point (ASCII part; non-ASCII always encoded).
const C0 = (c: number): boolean => c < 0x20 || c > 0x7e;
const FRAGMENT = (c: number): boolean => C0(c) || ' "<>`'.includes(String.fromCharCode(c));
const QUERY = (c: number): boolean => C0(c) || ' "#<>'.includes(String.fromCharCode(c));
const SPECIAL_QUERY = (c: number): boolean => QUERY(c) || c === 0x27;
const PATH = (c: number): boolean => QUERY(c) || '?`{}'.includes(String.fromCharCode(c));
const USERINFO = (c: number): boolean => PATH(c) || '/:;=@[\\]^|'.includes(String.fromCharCode(c));


function percentEncode(s: string, set: (c: number) => boolean): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80 && !set(c)) { out += ch; continue; }
    for (const b of utf8Encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function percentDecodeBytes(s: string): Uint8Array {
  const bytes = utf8Encode(s);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length + 0 && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0))) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
      i += 2;
    } else out.push(b);
  }
  return new Uint8Array(out);
}
const percentDecode = (s: string): string => utf8Decode(percentDecodeBytes(s));

// §3.5 IPv4 number parsing: decimal, 0x hex, 0-prefixed octal.
function ipv4Number(part: string): number | undefined {
  if (part === '') return undefined;
  let radix = 10;
  if (/^0[xX]/.test(part)) { part = part.slice(2); radix = 16; } else if (part.length > 1 && part[0] === '0') { part = part.slice(1); radix = 8; }
  if (part === '') return 0;
  const re = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!re.test(part)) return undefined;
  return parseInt(part, radix);
}

function endsInNumber(host: string): boolean {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  const last = parts[parts.length - 1];
  return /^[0-9]+$/.test(last) || /^0[xX][0-9a-fA-F]*$/.test(last);
}

function parseIpv4(host: string, input: string): string {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) invalid(input);
  const nums = parts.map((p) => ipv4Number(p) ?? invalid(input));
  for (let i = 0; i < nums.length - 1; i++) if (nums[i] > 255) invalid(input);
  if (nums[nums.length - 1] >= 256 ** (5 - nums.length)) invalid(input);
  let v = nums[nums.length - 1];
  for (let i = 0; i < nums.length - 1; i++) v += nums[i] * 256 ** (3 - i);
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

// §3.6/§3.7 IPv6 parse and serialize (compress the first longest run of ≥2 zero pieces).
function parseIpv6(s: string, input: string): string {
  const pieces = new Array<number>(8).fill(0);
  let idx = 0, compress = -1, i = 0;
  if (s.startsWith('::')) { i = 2; compress = idx = 0; } else if (s.startsWith(':')) invalid(input);
  while (i < s.length) {
    if (idx === 8) invalid(input);
    if (s[i] === ':') {
      if (compress !== -1) invalid(input);
      i++; compress = idx; continue;
    }
    const m = /^[0-9a-fA-F]{1,4}/.exec(s.slice(i));
    if (s.slice(i).match(/^[0-9]{1,3}\./) || (m && s[i + m[0].length] === '.')) {
      if (idx > 6) invalid(input);
      const v4 = parseIpv4(s.slice(i), input).split('.').map(Number);
      if (!/^\d+(\.\d+){3}$/.test(s.slice(i))) invalid(input);
      pieces[idx++] = v4[0] * 256 + v4[1];
      pieces[idx++] = v4[2] * 256 + v4[3];
      i = s.length;
      break;
    }
    if (!m) invalid(input);
    pieces[idx++] = parseInt(m[0], 16);
    i += m[0].length;
    if (i < s.length) {
      if (s[i] !== ':') invalid(input);
      i++;
      if (i === s.length) invalid(input);
    }
  }
  if (compress !== -1) {
    const tail = pieces.slice(compress, idx);
    pieces.fill(0, compress);
    pieces.splice(8 - tail.length, tail.length, ...tail);
  } else if (idx !== 8) invalid(input);
  let best = -1, bestLen = 1;
  for (let a = 0; a < 8;) {
    if (pieces[a] !== 0) { a++; continue; }
    let b = a;
    while (b < 8 && pieces[b] === 0) b++;
    if (b - a > bestLen) { best = a; bestLen = b - a; }
    a = b;
  }
  let out = '';
  for (let a = 0; a < 8; a++) {
    if (a === best) { out += a === 0 ? '::' : ':'; a += bestLen - 1; continue; }
    out += pieces[a].toString(16) + (a < 7 ? ':' : '');
  }
  return `[${out}]`;
}

/** §3.5 host parser. */
function parseHost(raw: string, special: boolean, input: string): string {
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) invalid(input);
    return parseIpv6(raw.slice(1, -1), input);
  }
  if (!special) {
    if (/[\0\t\n\r #/:<>?@[\\\]^|]/.test(raw)) invalid(input);
    return percentEncode(raw, C0);
  }
  if (raw === '') invalid(input);
  const host = percentDecode(raw).toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(host)) invalid(input); // IDNA not supported
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20#%/:<>?@[\\\]^|\x7f]/.test(host)) invalid(input);
  return endsInNumber(host) ? parseIpv4(host, input) : host;
}

interface Record_ {
  scheme: string; // with ':'
  username: string;
  password: string;
  host: string | null;
  port: string;
  path: string[] | string; // string = opaque path
  query: string | null;
  fragment: string | null;
}

const isSingleDot = (s: string): boolean => s === '.' || s.toLowerCase() === '%2e';
const isDoubleDot = (s: string): boolean => ['..', '.%2e', '%2e.', '%2e%2e'].includes(s.toLowerCase());

/** Append the segments of `p` (already split) to `path`, resolving dot segments (§4.4 path state). */
function pushSegments(path: string[], segs: string[]): void {
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (isDoubleDot(seg)) {
      path.pop();
      if (last) path.push('');
    } else if (isSingleDot(seg)) {
      if (last) path.push('');
    } else {
      path.push(percentEncode(seg, PATH));
    }
  });
}

function parseAuthority(auth: string, rec: Record_, special: boolean, input: string): void {
  const at = auth.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = auth.slice(0, at);
    const colon = userinfo.indexOf(':');
    rec.username = percentEncode(colon < 0 ? userinfo : userinfo.slice(0, colon), USERINFO);
    rec.password = colon < 0 ? '' : percentEncode(userinfo.slice(colon + 1), USERINFO);
    auth = auth.slice(at + 1);
  }
  const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(auth);
  if (!m) invalid(input);
  if (at >= 0 && m[1] === '') invalid(input);
  rec.host = special && rec.scheme === 'file:' && m[1] === '' ? '' : m[1] === '' && !special ? '' : parseHost(m[1], special, input);
  if (rec.scheme === 'file:' && rec.host === 'localhost') rec.host = '';
  rec.port = '';
  if (m[2] !== undefined && m[2] !== '') {
    if (!/^[0-9]+$/.test(m[2])) invalid(input);
    const port = Number(m[2]);
    if (port > 65535) invalid(input);
    if (SPECIAL[rec.scheme] !== port) rec.port = String(port);
  }
}

/** Split "path?query#fragment" into its three parts (query/fragment null if absent). */
function splitRest(s: string): [string, string | null, string | null] {
  let frag: string | null = null, query: string | null = null;
  const h = s.indexOf('#');
  if (h >= 0) { frag = s.slice(h + 1); s = s.slice(0, h); }
  const q = s.indexOf('?');
  if (q >= 0) { query = s.slice(q + 1); s = s.slice(0, q); }
  return [s, query, frag];
}

function parse(input: string, base?: Record_): Record_ {
  // eslint-disable-next-line no-control-regex
  let s = input.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/[\t\n\r]/g, '');
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  const rec: Record_ = { scheme: '', username: '', password: '', host: null, port: '', path: [], query: null, fragment: null };
  let special: boolean;
  if (sm) {
    rec.scheme = `${sm[1].toLowerCase()}:`;
    s = s.slice(sm[0].length);
    special = rec.scheme in SPECIAL;
    if (special) {
      const [p] = splitRest(s);
      s = p.replace(/\\/g, '/') + s.slice(p.length);
      if (base && base.scheme === rec.scheme && !s.startsWith('/') && rec.scheme !== 'file:') return relative(s, base, rec, input);
      if (rec.scheme !== 'file:') s = `//${s.replace(/^\/*/, '')}`;
    }
  } else {
    if (!base) invalid(input);
    rec.scheme = base.scheme;
    special = rec.scheme in SPECIAL;
    if (typeof base.path === 'string') {
      if (!s.startsWith('#')) invalid(input);
      return { ...base, fragment: percentEncode(s.slice(1), FRAGMENT) };
    }
    if (special) {
      const [p] = splitRest(s);
      s = p.replace(/\\/g, '/') + s.slice(p.length);
    }
    if (!s.startsWith('//')) return relative(s, base, rec, input);
  }
  const [rest, query, frag] = splitRest(s);
  let pathPart = rest;
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const auth = end < 0 ? rest.slice(2) : rest.slice(2, end);
    pathPart = end < 0 ? '' : rest.slice(end);
    parseAuthority(auth, rec, special, input);
  } else if (rec.scheme === 'file:') {
    rec.host = '';
  }
  if (!special && rec.host === null && !pathPart.startsWith('/')) {
    rec.path = percentEncode(pathPart, C0); // opaque path (mailto:, data:)
  } else {
    const path: string[] = [];
    if (pathPart !== '' || special) pushSegments(path, pathPart === '' ? [''] : pathPart.slice(1).split('/'));
    rec.path = path;
  }
  rec.query = query === null ? null : percentEncode(query, special ? SPECIAL_QUERY : QUERY);
  rec.fragment = frag === null ? null : percentEncode(frag, FRAGMENT);
  return rec;
}

function relative(s: string, base: Record_, rec: Record_, input: string): Record_ {
  const special = rec.scheme in SPECIAL;
  const [pathPart, query, frag] = splitRest(s);
  const out: Record_ = { ...base, path: [...(base.path as string[])], query: base.query, fragment: null };
  const q = (v: string | null): string | null => v === null ? null : percentEncode(v, special ? SPECIAL_QUERY : QUERY);
  if (pathPart === '') {
    if (query !== null) out.query = q(query);
  } else {
    const path = out.path as string[];
    if (pathPart.startsWith('/')) path.length = 0;
    else path.pop();
    pushSegments(path, (pathPart.startsWith('/') ? pathPart.slice(1) : pathPart).split('/'));
    out.query = q(query);
  }
  out.fragment = frag === null ? null : percentEncode(frag, FRAGMENT);
  void input;
  return out;
}

function pathString(r: Record_): string {
  if (typeof r.path === 'string') return r.path;
  // §4.5: a path starting with an empty segment and no host gets "/." to stay unambiguous.
  const prefix = r.host === null && r.path.length > 1 && r.path[0] === '' ? '/.' : '';
  return prefix + r.path.map((p) => `/${p}`).join('');
}

function serialize(r: Record_, excludeFragment = false): string {
  let s = r.scheme;
  if (r.host !== null) {
    s += '//';
    if (r.username !== '' || r.password !== '') s += r.username + (r.password !== '' ? `:${r.password}` : '') + '@';
    s += r.host + (r.port !== '' ? `:${r.port}` : '');
  }
  s += pathString(r);
  if (r.query !== null) s += `?${r.query}`;
  if (!excludeFragment && r.fragment !== null) s += `#${r.fragment}`;
  return s;
}

// ---------- application/x-www-form-urlencoded (§5) ----------

const FORM_SAFE = /[*\-._0-9A-Za-z]/;
function formEncode(s: string): string {
  let out = '';
  for (const ch of s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')) {
    if (ch === ' ') out += '+';
    else if (ch.length === 1 && FORM_SAFE.test(ch)) out += ch;
    else for (const b of utf8Encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
function formParse(s: string): [string, string][] {
  const out: [string, string][] = [];
  for (const seq of s.split('&')) {
    if (seq === '') continue;
    const eq = seq.indexOf('=');
    const name = eq < 0 ? seq : seq.slice(0, eq);
    const value = eq < 0 ? '' : seq.slice(eq + 1);
    out.push([percentDecode(name.replace(/\+/g, ' ')), percentDecode(value.replace(/\+/g, ' '))]);
  }
  return out;
}

export class URLSearchParams {
  #list: [string, string][] = [];
  #url: URL | null = null;

  constructor(init: unknown = '') {
    if (typeof init === 'object' && init !== null) {
      if (init instanceof URLSearchParams) this.#list = init.#list.map(([k, v]) => [k, v]);
      else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
        for (const pair of init as Iterable<unknown>) {
          const arr = [...(pair as Iterable<unknown>)];
          if (arr.length !== 2) throw new TypeError('Each query pair must be an iterable [name, value] tuple');
          this.#list.push([String(arr[0]), String(arr[1])]);
        }
      } else {
        for (const k of Object.keys(init)) this.#list.push([k, String((init as Record<string, unknown>)[k])]);
      }
    } else {
      const s = String(init);
      this.#list = formParse(s.startsWith('?') ? s.slice(1) : s);
    }
  }

  /** Internal: bind to a URL whose query mirrors this list. */
  static _attach(p: URLSearchParams, url: URL, query: string | null): void {
    p.#url = url;
    p.#list = query === null ? [] : formParse(query);
  }
  static _reset(p: URLSearchParams, query: string | null): void {
    p.#list = query === null ? [] : formParse(query);
  }
  #update(): void {
    if (this.#url) URL._setQueryFromParams(this.#url, this.toString());
  }

  get size(): number { return this.#list.length; }
  append(name: string, value: string): void { this.#list.push([String(name), String(value)]); this.#update(); }
  delete(name: string, value?: string): void {
    const n = String(name);
    this.#list = this.#list.filter(([k, v]) => !(k === n && (value === undefined || v === String(value))));
    this.#update();
  }
  get(name: string): string | null { return this.#list.find(([k]) => k === String(name))?.[1] ?? null; }
  getAll(name: string): string[] { return this.#list.filter(([k]) => k === String(name)).map(([, v]) => v); }
  has(name: string, value?: string): boolean {
    return this.#list.some(([k, v]) => k === String(name) && (value === undefined || v === String(value)));
  }
  set(name: string, value: string): void {
    const n = String(name), v = String(value);
    const i = this.#list.findIndex(([k]) => k === n);
    if (i < 0) this.#list.push([n, v]);
    else {
      this.#list[i][1] = v;
      this.#list = this.#list.filter(([k], j) => j <= i || k !== n);
    }
    this.#update();
  }
  sort(): void {
    // Stable sort by UTF-16 code units of the name.
    this.#list = this.#list.map((e, i) => [e, i] as const)
      .sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j)).map(([e]) => e);
    this.#update();
  }
  forEach(cb: (value: string, key: string, parent: URLSearchParams) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.#list.length; i++) cb.call(thisArg, this.#list[i][1], this.#list[i][0], this);
  }
  *keys(): IterableIterator<string> { for (const [k] of this.#list) yield k; }
  *values(): IterableIterator<string> { for (const [, v] of this.#list) yield v; }
  *entries(): IterableIterator<[string, string]> { for (const [k, v] of this.#list) yield [k, v]; }
  [Symbol.iterator](): IterableIterator<[string, string]> { return this.entries(); }
  toString(): string { return this.#list.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&'); }
  get [Symbol.toStringTag](): string { return 'URLSearchParams'; }
  [CUSTOM_INSPECT](_depth: number, opts: { stylize?: (s: string, t: string) => string }): string {
    if (this.#list.length === 0) return 'URLSearchParams {}';
    const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
    const st = opts?.stylize ?? ((s: string) => s);
    return `URLSearchParams { ${this.#list.map(([k, v]) => `${st(q(k), 'string')} => ${st(q(v), 'string')}`).join(', ')} }`;
  }
}

export class URL {
  #r: Record_;
  #params: URLSearchParams;

  constructor(url: unknown, base?: unknown) {
    const input = String(url);
    let b: Record_ | undefined;
    if (base !== undefined) b = parse(String(base));
    this.#r = parse(input, b);
    this.#params = new URLSearchParams();
    URLSearchParams._attach(this.#params, this, this.#r.query);
  }

  static canParse(url: unknown, base?: unknown): boolean {
    try { new URL(url, base); return true; } catch { return false; }
  }

  /** Internal: URLSearchParams mutated; §6.2 "update steps". */
  static _setQueryFromParams(u: URL, query: string): void {
    u.#r.query = query === '' ? null : query;
  }

  get href(): string { return serialize(this.#r); }
  set href(v: string) {
    this.#r = parse(String(v));
    URLSearchParams._reset(this.#params, this.#r.query);
  }
  get origin(): string {
    const r = this.#r;
    if (r.scheme === 'blob:' && typeof r.path === 'string') {
      try { return new URL(r.path).origin; } catch { return 'null'; }
    }
    if (!(r.scheme in SPECIAL) || r.scheme === 'file:') return 'null';
    return `${r.scheme}//${r.host}${r.port !== '' ? `:${r.port}` : ''}`;
  }
  get protocol(): string { return this.#r.scheme; }
  set protocol(v: string) {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):?/.exec(String(v));
    if (!m) return;
    const scheme = `${m[1].toLowerCase()}:`;
    // §4.4 scheme state override: special ↔ non-special switches are refused.
    if ((scheme in SPECIAL) !== (this.#r.scheme in SPECIAL)) return;
    if (scheme === 'file:' && (this.#r.username || this.#r.password || this.#r.port)) return;
    this.#r.scheme = scheme;
    if (SPECIAL[scheme] !== undefined && String(SPECIAL[scheme]) === this.#r.port) this.#r.port = '';
  }
  get username(): string { return this.#r.username; }
  set username(v: string) { if (this.#hasCredentials()) this.#r.username = percentEncode(String(v), USERINFO); }
  get password(): string { return this.#r.password; }
  set password(v: string) { if (this.#hasCredentials()) this.#r.password = percentEncode(String(v), USERINFO); }
  #hasCredentials(): boolean { return this.#r.host !== null && this.#r.host !== '' && this.#r.scheme !== 'file:'; }
  get host(): string {
    const r = this.#r;
    return r.host === null ? '' : r.host + (r.port !== '' ? `:${r.port}` : '');
  }
  set host(v: string) {
    if (typeof this.#r.path === 'string') return;
    try {
      const t = parse(`${this.#r.scheme}//${String(v).split(/[/?#]/)[0]}`);
      this.#r.host = t.host;
      if (t.port !== '' || /:\d*$/.test(String(v))) this.#r.port = t.port;
    } catch { /* invalid hosts are ignored, as in the standard */ }
  }
  get hostname(): string { return this.#r.host ?? ''; }
  set hostname(v: string) {
    if (typeof this.#r.path === 'string') return;
    try {
      const t = parse(`${this.#r.scheme}//${String(v).split(/[:/?#]/)[0]}`);
      this.#r.host = t.host;
    } catch { /* ignored */ }
  }
  get port(): string { return this.#r.port; }
  set port(v: string) {
    if (this.#r.host === null || this.#r.host === '' || this.#r.scheme === 'file:') return;
    const s = String(v);
    if (s === '') { this.#r.port = ''; return; }
    const m = /^[0-9]+/.exec(s);
    if (!m || Number(m[0]) > 65535) return;
    const port = Number(m[0]);
    this.#r.port = SPECIAL[this.#r.scheme] === port ? '' : String(port);
  }
  get pathname(): string { return pathString(this.#r); }
  set pathname(v: string) {
    if (typeof this.#r.path === 'string') return;
    const special = this.#r.scheme in SPECIAL;
    let s = String(v);
    if (special) s = s.replace(/\\/g, '/');
    const path: string[] = [];
    if (s !== '' || special) pushSegments(path, (s.startsWith('/') ? s.slice(1) : s).split('/'));
    this.#r.path = path;
  }
  get search(): string { return this.#r.query ? `?${this.#r.query}` : ''; }
  set search(v: string) {
    let s = String(v);
    if (s.startsWith('?')) s = s.slice(1);
    this.#r.query = s === '' ? null : percentEncode(s, this.#r.scheme in SPECIAL ? SPECIAL_QUERY : QUERY);
    URLSearchParams._reset(this.#params, this.#r.query);
  }
  get searchParams(): URLSearchParams { return this.#params; }
  get hash(): string { return this.#r.fragment ? `#${this.#r.fragment}` : ''; }
  set hash(v: string) {
    let s = String(v);
    if (s.startsWith('#')) s = s.slice(1);
    this.#r.fragment = s === '' ? null : percentEncode(s, FRAGMENT);
  }
  toString(): string { return this.href; }
  toJSON(): string { return this.href; }
  get [Symbol.toStringTag](): string { return 'URL'; }
  [CUSTOM_INSPECT](depth: number, opts: Record<string, unknown>, inspect?: (v: unknown, o: unknown) => string): string {
    const keys = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'searchParams', 'hash'] as const;
    const obj: Record<string, unknown> = {};
    for (const k of keys) obj[k] = this[k];
    if (typeof inspect !== 'function' || depth < 0) return depth < 0 ? '[URL]' : `URL ${JSON.stringify(obj)}`;
    return `URL ${inspect(obj, { ...opts, depth })}`;
  }
}
