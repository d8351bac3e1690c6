/** Fetch `Request` (WHATWG Fetch §6.3). `url` is parsed with the global URL (the runtime's). */
import { BodyMixin, extractBody, type BodyInit } from './body.ts';
import { Headers, type HeadersInit } from './headers.ts';
import { AbortController, type AbortSignal } from './abort.ts';

export interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | null;
  signal?: AbortSignal | null;
  redirect?: 'follow' | 'error' | 'manual';
  duplex?: 'half';
  [other: string]: unknown;
}

const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH']);
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);

export class Request extends BodyMixin {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly signal: AbortSignal;
  readonly redirect: 'follow' | 'error' | 'manual';
  readonly credentials = 'same-origin';
  readonly mode = 'cors';
  readonly cache = 'default';
  readonly referrer = 'about:client';
  readonly integrity = '';
  readonly keepalive = false;
  readonly duplex = 'half';

  constructor(input: string | URL | Request, init: RequestInit = {}) {
    super();
    const from = input instanceof Request ? input : null;
    const URLCtor = (globalThis as { URL?: typeof URL }).URL;
    const href = from ? from.url : String(input);
    if (URLCtor) {
      let u: URL;
      try { u = new URLCtor(href); } catch { throw new TypeError(`Failed to parse URL from ${href}`); }
      if (u.username || u.password) throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${href}`);
      this.url = u.href;
    } else {
      this.url = href;
    }
    let method = init.method ?? from?.method ?? 'GET';
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new TypeError(`'${method}' is not a valid HTTP method`);
    const upper = method.toUpperCase();
    if (FORBIDDEN.has(upper)) throw new TypeError(`'${method}' HTTP method is unsupported`);
    if (NORMALIZED.has(upper)) method = upper;
    this.method = method;
    this.headers = new Headers(init.headers ?? from?.headers);
    this.redirect = init.redirect ?? from?.redirect ?? 'follow';
    this.signal = init.signal ?? from?.signal ?? new AbortController().signal;

    const body = init.body !== undefined ? init.body : null;
    if (body !== null && (method === 'GET' || method === 'HEAD')) throw new TypeError('Request with GET/HEAD method cannot have body');
    if (body !== null) {
      const b = extractBody(body);
      if (b.contentType && !this.headers.has('content-type')) this.headers.set('content-type', b.contentType);
      this._setBody(b);
    } else if (from && init.body === undefined) {
      if (from.bodyUsed) throw new TypeError('Cannot construct a Request with a Request whose body is already used');
      const src = from._bodySource();
      if (src.bytes || src.stream) this._setBody({ bytes: src.bytes, stream: src.stream, contentType: null });
    }
  }

  clone(): Request {
    const r = new Request(this.url, { method: this.method, headers: this.headers, signal: this.signal, redirect: this.redirect });
    r._setBody(this._cloneBody());
    return r;
  }

  get [Symbol.toStringTag](): string { return 'Request'; }
}
