/** Fetch `Response` (WHATWG Fetch §6.4). */
import { BodyMixin, extractBody, type BodyInit } from './body.ts';
import { Headers, type HeadersInit } from './headers.ts';
import { utf8Encode } from './text.ts';

export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** Fields the fetch client sets on the responses it makes. */
export interface ResponseMeta { url: string; redirected: boolean; type?: 'basic' | 'default' | 'error' }
const META = new WeakMap<Response, ResponseMeta>();
export function setResponseMeta(r: Response, meta: ResponseMeta): void { META.set(r, meta); }

export class Response extends BodyMixin {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;

  constructor(body: BodyInit | null = null, init: ResponseInit = {}) {
    super();
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive (got ${status})`);
    }
    const statusText = init.statusText ?? '';
    if (/[^\t\x20-\x7e\x80-\xff]/.test(statusText)) throw new TypeError('Invalid statusText');
    this.status = status;
    this.statusText = statusText;
    this.headers = new Headers(init.headers);
    if (body !== null && body !== undefined) {
      if (NULL_BODY.has(status)) throw new TypeError(`Response with null body status ${status} cannot have body`);
      const b = extractBody(body);
      if (b.contentType && !this.headers.has('content-type')) this.headers.set('content-type', b.contentType);
      this._setBody(b);
    }
  }

  get ok(): boolean { return this.status >= 200 && this.status < 300; }
  get url(): string { return META.get(this)?.url ?? ''; }
  get redirected(): boolean { return META.get(this)?.redirected ?? false; }
  get type(): string { return META.get(this)?.type ?? 'default'; }

  clone(): Response {
    const r = new Response(null, { status: this.status, statusText: this.statusText, headers: this.headers });
    r._setBody(this._cloneBody());
    const meta = META.get(this);
    if (meta) META.set(r, { ...meta });
    return r;
  }

  static json(data: unknown, init: ResponseInit = {}): Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError('Value is not JSON serializable');
    const headers = new Headers(init.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new Response(utf8Encode(text), { ...init, headers });
  }

  static redirect(url: string | URL, status = 302): Response {
    if (!REDIRECT.has(status)) throw new RangeError(`Invalid status code ${status}`);
    const URLCtor = (globalThis as { URL?: typeof URL }).URL;
    const location = URLCtor ? new URLCtor(String(url)).href : String(url);
    const r = new Response(null, { status, headers: { location } });
    r.headers._freeze();
    return r;
  }

  static error(): Response {
    const r = new Response(null, { status: 200 });
    // A network error has status 0, which the constructor cannot make.
    Object.defineProperty(r, 'status', { value: 0 });
    META.set(r, { url: '', redirected: false, type: 'error' });
    r.headers._freeze();
    return r;
  }

  get [Symbol.toStringTag](): string { return 'Response'; }
}

/**
 * @internal For the fetch client: a Response with any status a server may send (1xx/6xx
 * included) and a streamed body, bypassing the constructor's checks meant for user code.
 */
export function makeNetworkResponse(status: number, statusText: string, headers: Headers, body: import('./streams.ts').ReadableStream<Uint8Array> | null, meta: ResponseMeta): Response {
  const r = new Response(null, { status: 200, statusText: /[^\t\x20-\x7e\x80-\xff]/.test(statusText) ? '' : statusText, headers });
  if (status !== 200) Object.defineProperty(r, 'status', { value: status, enumerable: true });
  if (body) (r as unknown as { _setBody(b: { bytes: null; stream: typeof body; contentType: null }): void })._setBody({ bytes: null, stream: body, contentType: null });
  r.headers._freeze();
  META.set(r, meta);
  return r;
}
