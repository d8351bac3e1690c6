/**
 * Builds the `node:http` module object over an injected `net` (and optional DNS lookup), so
 * os/node/http.ts is a few lines of wiring. Server side: everything in server.ts. Client side:
 * a minimal `request()`/`get()` on the fetch client (ClientRequest collects the body and
 * sends it on end(); the response is an IncomingMessage). Limits of the client: no Agent
 * options (one shared keep-alive pool), no 'socket'/'upgrade'/'information' events,
 * no streaming of the request body (it is buffered until end()).
 */
import EventEmitter from 'events/events.js';
import { createServerFactory, type HttpEnv, Server } from './server.ts';
import { IncomingMessage, headersObject } from './incoming.ts';
import { HIGH_WATER_MARK, ServerResponse, Stream, cannotPipe, validateHeaderName, validateHeaderValue, defaultEncode, type HeaderValue } from './response.ts';
import { STATUS_CODES, METHODS } from './status.ts';
import { createFetch, WIRE_HEAD, type FetchClient, type TlsConnect, type TlsRequestOptions, type WireHead } from './fetch.ts';
import type { SocketLike } from './net-types.ts';
import { concatBytes } from '../web/text.ts';
import { AbortController } from '../web/abort.ts';

export interface NodeHttpEnv extends HttpEnv {
  readonly lookup?: (hostname: string) => Promise<string>;
  /** 'https:' for node:https (the client then needs `tls`). */
  readonly protocol?: 'http:' | 'https:';
  readonly tls?: TlsConnect;
}

export interface ClientRequestOptions {
  protocol?: string;
  host?: string;
  hostname?: string;
  port?: number | string;
  method?: string;
  path?: string;
  headers?: Record<string, HeaderValue>;
  timeout?: number;
  signal?: { addEventListener(type: 'abort', fn: () => void): void };
  /** node:https: its `options` (TLS ones: ca, cert, key, ...) are applied over the request's, as Node's Agent does. */
  agent?: { options?: Record<string, unknown> } | false;
  [tlsOption: string]: unknown;
}

/** The TLS options node:https takes per request (and from an Agent's options). */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'ciphers', 'minVersion', 'maxVersion',
  'checkServerIdentity', 'ALPNProtocols', 'ecdhCurve', 'secureContext', 'session'];

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/** A request's TLS options and a stable id for them (equal options share pooled connections). */
function tlsRequestOptions(o: ClientRequestOptions): TlsRequestOptions | undefined {
  const merged: Record<string, unknown> = {};
  const agentOptions = o.agent ? o.agent.options ?? {} : {};
  for (const name of TLS_OPTIONS) {
    const v = agentOptions[name] ?? o[name];
    if (v !== undefined) merged[name] = v;
  }
  if (Object.keys(merged).length === 0) return undefined;
  const id = JSON.stringify(merged, (_k, v) => {
    if (v instanceof Uint8Array) return `bytes:${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    if (typeof v === 'function' || v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype) {
      let n = objectIds.get(v);
      if (n === undefined) objectIds.set(v, (n = ++nextObjectId));
      return `object:${n}`;
    }
    return v;
  });
  return { options: merged, id };
}

type ResponseCallback = (res: IncomingMessage) => void;

/** A socket stand-in for client responses (the pool owns the real sockets). */
function detachedSocket(): SocketLike {
  const s = new EventEmitter() as unknown as SocketLike & { destroyed: boolean };
  Object.assign(s, {
    destroyed: false,
    write: () => true, end: () => s, destroy: () => { (s as { destroyed: boolean }).destroyed = true; return s; },
    pause: () => s, resume: () => s,
  });
  return s;
}

export function createNodeHttp(env: NodeHttpEnv) {
  const { Server: BoundServer, createServer } = createServerFactory(env);
  let client: FetchClient | null = null;
  const encode = env.encode ?? defaultEncode;

  class ClientRequest extends Stream {
    readonly method: string;
    readonly path: string;
    readonly host: string;
    #headers = new Map<string, [string, HeaderValue]>();
    #body: Uint8Array[] = [];
    #ended = false;
    #aborted = false;
    #controller = new AbortController();
    #url: string;
    #timeout: number;
    #tls: TlsRequestOptions | undefined;
    /** Whether the request went out on a kept-alive connection (known once the response head is in). */
    reusedSocket = false;

    constructor(url: string | URL | ClientRequestOptions, options?: ClientRequestOptions | ResponseCallback, cb?: ResponseCallback) {
      super();
      if (typeof options === 'function') { cb = options; options = undefined; }
      let o: ClientRequestOptions = {};
      if (typeof url === 'string' || url instanceof URL) {
        const u = new URL(String(url));
        o = { protocol: u.protocol, hostname: u.hostname, port: u.port || undefined, path: `${u.pathname}${u.search}` };
      } else o = url;
      o = { ...o, ...(options as ClientRequestOptions | undefined) };
      const protocol = env.protocol ?? 'http:';
      if (o.protocol && o.protocol !== protocol) {
        throw Object.assign(new TypeError(`Protocol "${o.protocol}" not supported. Expected "${protocol}"`), { code: 'ERR_INVALID_PROTOCOL' });
      }
      this.method = (o.method ?? 'GET').toUpperCase();
      this.path = o.path ?? '/';
      this.host = o.hostname ?? o.host ?? 'localhost';
      const port = o.port ? `:${o.port}` : '';
      const h = this.host.includes(':') ? `[${this.host}]` : this.host;
      this.#url = `${protocol}//${h}${port}${this.path}`;
      this.#timeout = o.timeout ?? 0;
      if (protocol === 'https:') this.#tls = tlsRequestOptions(o);
      for (const [k, v] of Object.entries(o.headers ?? {})) this.setHeader(k, v);
      if (o.signal) o.signal.addEventListener('abort', () => this.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' })));
      if (cb) this.once('response', cb);
    }

    setHeader(name: string, value: HeaderValue): this {
      validateHeaderName(name);
      validateHeaderValue(name, value);
      this.#headers.set(name.toLowerCase(), [name, value]);
      return this;
    }
    getHeader(name: string): HeaderValue | undefined { return this.#headers.get(name.toLowerCase())?.[1]; }
    removeHeader(name: string): void { this.#headers.delete(name.toLowerCase()); }
    hasHeader(name: string): boolean { return this.#headers.has(name.toLowerCase()); }
    setTimeout(ms: number, cb?: () => void): this { this.#timeout = ms; if (cb) this.once('timeout', cb); return this; }
    get writableObjectMode(): boolean { return false; }
    get writableHighWaterMark(): number { return HIGH_WATER_MARK; }
    // @ts-expect-error Node's OutgoingMessage.pipe takes nothing and only reports the error.
    override pipe(): void { this.emit('error', cannotPipe()); }
    setNoDelay(): void {}
    setSocketKeepAlive(): void {}
    flushHeaders(): void {}

    write(chunk: string | Uint8Array, encoding?: string | (() => void), cb?: () => void): boolean {
      if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
      this.#body.push(typeof chunk === 'string' ? encode(chunk, encoding) : chunk);
      if (cb) queueMicrotask(cb);
      return true;
    }

    end(chunk?: string | Uint8Array | (() => void), encoding?: string | (() => void), cb?: () => void): this {
      if (typeof chunk === 'function') { cb = chunk; chunk = undefined; }
      if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
      if (this.#ended) return this;
      if (chunk !== undefined) this.write(chunk, encoding as string | undefined);
      this.#ended = true;
      if (cb) this.once('finish', cb);
      queueMicrotask(() => this.#send());
      return this;
    }

    destroy(error?: Error): this {
      if (this.#aborted) return this;
      this.#aborted = true;
      this.#controller.abort(error);
      if (error) queueMicrotask(() => this.emit('error', error));
      queueMicrotask(() => this.emit('close'));
      return this;
    }
    abort(): void { this.destroy(); }

    async #send(): Promise<void> {
      if (this.#aborted) return;
      client ??= createFetch({ net: env.net, lookup: env.lookup, tls: env.tls });
      const headers: [string, string][] = [];
      const headerCase = new Map<string, string>();
      for (const [lower, [name, value]] of this.#headers) {
        headerCase.set(lower, name);
        for (const v of Array.isArray(value) ? value : [String(value)]) headers.push([name, v]);
      }
      const body = this.#body.length > 0 ? concatBytes(this.#body) : null;
      let timer: ReturnType<typeof setTimeout> | null = null;
      if (this.#timeout > 0) timer = setTimeout(() => this.emit('timeout'), this.#timeout);
      try {
        const res = await client.fetch(this.#url, {
          method: this.method, headers, body: this.method === 'GET' || this.method === 'HEAD' ? null : body,
          redirect: 'manual', signal: this.#controller.signal as never, headerCase, tls: this.#tls,
        });
        if (timer) clearTimeout(timer);
        this.emit('finish');
        const msg = new IncomingMessage(detachedSocket(), null, env.wrapChunk);
        msg.statusCode = res.status;
        msg.statusMessage = res.statusText;
        // Node keeps the server's header-name case in rawHeaders; the fetch Headers lowercase them.
        const wire = (res as unknown as { [WIRE_HEAD]?: WireHead })[WIRE_HEAD];
        this.reusedSocket = wire?.reused ?? false;
        const raw: string[] = [];
        if (wire) raw.push(...wire.rawHeaders);
        else for (const [k, v] of res.headers) raw.push(k, v);
        msg.rawHeaders = raw;
        msg.headers = headersObject(raw);
        this.emit('response', msg);
        if (res.body) {
          for await (const c of res.body) msg._push(c as Uint8Array);
        }
        msg._end([]);
        msg._close();
        this.emit('close');
      } catch (e) {
        if (timer) clearTimeout(timer);
        if (this.#aborted) return;
        const cause = (e as { cause?: Error }).cause;
        this.emit('error', cause ?? e);
        this.emit('close');
      }
    }
  }

  function request(url: string | URL | ClientRequestOptions, options?: ClientRequestOptions | ResponseCallback, cb?: ResponseCallback): ClientRequest {
    return new ClientRequest(url, options, cb);
  }
  function get(url: string | URL | ClientRequestOptions, options?: ClientRequestOptions | ResponseCallback, cb?: ResponseCallback): ClientRequest {
    const r = new ClientRequest(url, options, cb);
    r.end();
    return r;
  }

  class Agent {
    constructor(readonly options: Record<string, unknown> = {}) {}
    destroy(): void {}
  }

  const mod = {
    createServer,
    Server: BoundServer,
    IncomingMessage,
    ServerResponse,
    ClientRequest,
    Agent,
    globalAgent: new Agent(),
    STATUS_CODES,
    METHODS: [...METHODS],
    maxHeaderSize: 16384,
    request,
    get,
    validateHeaderName,
    validateHeaderValue,
  };
  return mod;
}

export { Server };
