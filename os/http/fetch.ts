/**
 * `fetch()` for http:// URLs over an injected `net` module, with a keep-alive pool per
 * host:port (at most `maxSocketsPerHost` sockets, idle ones closed after `idleTimeout`),
 * redirects (follow up to 20, RFC 9110 §15.4 method rewriting), Content-Length, chunked and
 * close-delimited responses streamed into the Response body with back-pressure, timeouts and
 * AbortSignal. https:// goes through the injected `tls` connector (node:tls in the image);
 * the pool waits for the handshake, so certificate failures reject with their Node code as
 * the cause. Network failures reject with `TypeError('fetch failed', { cause })`, as undici does.
 */
import { HttpParser, type MessageHead } from './parser.ts';
import type { NetModuleLike, SocketLike } from './net-types.ts';
import { Headers } from '../web/headers.ts';
import { Request, type RequestInit } from '../web/request.ts';
import { makeNetworkResponse, setResponseMeta, type Response } from '../web/response.ts';
import { ReadableStream, type ReadableStreamDefaultController } from '../web/streams.ts';
import { abortError, AbortSignal } from '../web/abort.ts';
import { latin1Encode, utf8Encode } from '../web/text.ts';

/**
 * Opens a TLS connection; the socket emits 'secureConnect' once the handshake is done.
 * `tls`: node:https's per-request TLS options (ca, cert, key, rejectUnauthorized, ...).
 */
export type TlsConnect = (options: { host: string; port: number; servername: string; tls?: Record<string, unknown> }) => SocketLike;

export interface FetchClientOptions {
  readonly net: NetModuleLike;
  /** For https:// (absent: https:// is refused with a TypeError). */
  readonly tls?: TlsConnect;
  /** Resolves a host name to an address; absent → the name goes to net.connect as is. */
  readonly lookup?: (hostname: string) => Promise<string>;
  /** Concurrent connections per host:port (default 6). Further requests wait. */
  readonly maxSocketsPerHost?: number;
  /** ms an idle pooled connection is kept (default 4000, under Node's 5 s server default). */
  readonly idleTimeout?: number;
  /** ms from sending a request to its response head (default 300000, as undici). */
  readonly headersTimeout?: number;
  /** ms without body bytes while reading a response body (default 300000, as undici). */
  readonly bodyTimeout?: number;
  readonly userAgent?: string;
}

export type FetchInit = RequestInit & { timeout?: number };

const MAX_REDIRECTS = 20;

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function timer(ms: number, fn: () => void): ReturnType<typeof setTimeout> | null {
  if (!(ms > 0) || !Number.isFinite(ms)) return null;
  const t = setTimeout(fn, ms);
  (t as { unref?: () => void }).unref?.();
  return t;
}

interface HostPool {
  idle: SocketLike[];
  active: number;
  waiters: (() => void)[];
}

/** Keep-alive connections per host:port. */
export class ConnectionPool {
  readonly #net: NetModuleLike;
  readonly #max: number;
  readonly #idleMs: number;
  readonly #hosts = new Map<string, HostPool>();
  readonly #idleCleanup = new Map<SocketLike, () => void>();
  readonly #tls: TlsConnect | undefined;

  constructor(net: NetModuleLike, maxPerHost: number, idleMs: number, tls?: TlsConnect) {
    this.#net = net;
    this.#tls = tls;
    this.#max = maxPerHost;
    this.#idleMs = idleMs;
  }

  #host(key: string): HostPool {
    let h = this.#hosts.get(key);
    if (!h) this.#hosts.set(key, (h = { idle: [], active: 0, waiters: [] }));
    return h;
  }

  /** Number of idle pooled sockets for key (tests and diagnostics). */
  idleCount(key: string): number { return this.#hosts.get(key)?.idle.length ?? 0; }

  /** With `servername` the connection is TLS (and ready once its handshake is done). */
  async acquire(key: string, address: string, port: number, signal: AbortSignal | null, fresh = false, servername?: string): Promise<{ socket: SocketLike; reused: boolean }> {
    const h = this.#host(key);
    while (h.active >= this.#max) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => { const i = h.waiters.indexOf(go); if (i >= 0) h.waiters.splice(i, 1); reject(signal!.reason); };
        const go = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
        h.waiters.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    h.active++;
    while (!fresh && h.idle.length > 0) {
      const s = h.idle.pop()!;
      this.#idleCleanup.get(s)?.();
      if (!s.destroyed) return { socket: s, reused: true };
    }
    try {
      const socket = await new Promise<SocketLike>((resolve, reject) => {
        const secure = servername !== undefined;
        if (secure && !this.#tls) throw new TypeError('https is not supported without TLS');
        const s = secure ? this.#tls!({ host: address, port, servername }) : this.#net.connect({ host: address, port });
        const ready = secure ? 'secureConnect' : 'connect';
        const onError = (e: Error) => { cleanup(); reject(e); };
        const onAbort = () => { cleanup(); s.destroy(); reject(signal!.reason); };
        const onConnect = () => { cleanup(); resolve(s); };
        const cleanup = () => {
          s.removeListener('error', onError);
          s.removeListener(ready, onConnect);
          signal?.removeEventListener('abort', onAbort);
        };
        s.once('error', onError);
        s.once(ready, onConnect);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      socket.setNoDelay?.(true);
      return { socket, reused: false };
    } catch (e) {
      this.#done(h);
      throw e;
    }
  }

  /** Gives a socket back: kept idle if `reusable`, else destroyed. */
  release(key: string, socket: SocketLike, reusable: boolean): void {
    const h = this.#host(key);
    this.#done(h);
    if (!reusable || socket.destroyed) { socket.destroy(); return; }
    h.idle.push(socket);
    const drop = () => {
      cleanup();
      const i = h.idle.indexOf(socket);
      if (i >= 0) h.idle.splice(i, 1);
      socket.destroy();
    };
    const t = timer(this.#idleMs, drop);
    const cleanup = () => {
      if (t) clearTimeout(t);
      socket.removeListener('close', drop);
      socket.removeListener('end', drop);
      socket.removeListener('error', drop);
      socket.removeListener('data', drop);
      this.#idleCleanup.delete(socket);
    };
    // Anything from an idle connection (a close, or unsolicited bytes) makes it unusable.
    socket.on('close', drop);
    socket.on('end', drop);
    socket.on('error', drop);
    socket.on('data', drop);
    this.#idleCleanup.set(socket, cleanup);
  }

  #done(h: HostPool): void {
    h.active--;
    h.waiters.shift()?.();
  }

  /** Closes every idle connection. */
  close(): void {
    for (const h of this.#hosts.values()) for (const s of h.idle.splice(0)) { this.#idleCleanup.get(s)?.(); s.destroy(); }
  }
}

interface Outgoing {
  url: URL;
  method: string;
  headers: Headers;
  bytes: Uint8Array | null;
  stream: ReadableStream<Uint8Array> | null;
  signal: AbortSignal | null;
}

export interface FetchClient {
  fetch(input: string | URL | Request, init?: FetchInit): Promise<Response>;
  readonly pool: ConnectionPool;
  close(): void;
}

export function createFetch(options: FetchClientOptions): FetchClient {
  const pool = new ConnectionPool(options.net, options.maxSocketsPerHost ?? 6, options.idleTimeout ?? 4000, options.tls);
  const headersTimeout = options.headersTimeout ?? 300_000;
  const bodyTimeout = options.bodyTimeout ?? 300_000;
  const userAgent = options.userAgent ?? 'nimbus-fetch';

  async function resolve(host: string): Promise<string> {
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(bare) || bare.includes(':') || !options.lookup) return bare;
    return options.lookup(bare);
  }

  /** One request/response exchange on one connection; resolves at the response head. */
  function exchange(o: Outgoing, key: string, socket: SocketLike, reused: boolean, timeoutSignal: AbortSignal | null): Promise<{ response: Response; gotBytes: boolean } | { retry: true }> {
    return new Promise((resolvePromise, rejectPromise) => {
      let settled = false;
      let gotBytes = false;
      let finished = false;
      let requestSent = false;
      let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
      let paused = false;
      let keepAlive = false;
      let bodyTimer: ReturnType<typeof setTimeout> | null = null;
      const signals = [o.signal, timeoutSignal].filter((s): s is AbortSignal => !!s);

      const fail = (err: unknown) => {
        if (finished) return;
        finished = true;
        cleanup();
        pool.release(key, socket, false);
        if (!settled) {
          settled = true;
          // A pooled connection the server closed before answering: try once on a new one.
          if (reused && !gotBytes && (o.stream === null) && !(err instanceof Error && err.name === 'AbortError') && !signals.some((s) => s.aborted)) {
            resolvePromise({ retry: true });
            return;
          }
          rejectPromise(err);
        } else {
          try { controller?.error(err); } catch { /* already closed */ }
        }
      };
      const onAbort = function (this: AbortSignal) { fail(this.reason ?? abortError()); };
      let headTimer = timer(headersTimeout, () => fail(fetchFailed(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))));
      const armBodyTimer = () => {
        if (bodyTimer) clearTimeout(bodyTimer);
        bodyTimer = timer(bodyTimeout, () => fail(fetchFailed(Object.assign(new Error('Body Timeout Error'), { code: 'UND_ERR_BODY_TIMEOUT' }))));
      };

      const parser = new HttpParser('response', {
        onHead(h: MessageHead) {
          if (h.kind !== 'response') return;
          if (h.statusCode >= 100 && h.statusCode < 200 && h.statusCode !== 101) return;
          if (headTimer) { clearTimeout(headTimer); headTimer = null; }
          keepAlive = h.keepAlive;
          const headers = new Headers();
          for (let i = 0; i < h.rawHeaders.length; i += 2) {
            try { headers.append(h.rawHeaders[i], h.rawHeaders[i + 1]); } catch { /* a value our Headers refuses: dropped */ }
          }
          const hasBody = h.bodyKind !== 'none';
          const body = hasBody ? new ReadableStream<Uint8Array>({
            start(c) { controller = c; },
            // Only this exchange's pause is undone: after `finished` the socket may belong to the pool.
            pull() { if (paused && !finished) { paused = false; socket.resume(); } },
            cancel() { fail(abortError('Response body canceled')); },
          }, { highWaterMark: 8 }) : null;
          if (hasBody) armBodyTimer();
          const response = makeNetworkResponse(h.statusCode, h.statusMessage, headers, body, { url: o.url.href, redirected: false, type: 'basic' });
          settled = true;
          resolvePromise({ response, gotBytes });
        },
        onBody(data) {
          if (!controller || finished || data.length === 0) return;
          armBodyTimer();
          // Copy: the chunk is the socket's buffer, and the reader may keep it. `new Uint8Array`
          // copies whatever the class (a Node Buffer's slice() would be a view, not a copy).
          try {
            controller.enqueue(new Uint8Array(data));
          } catch {
            // The body was canceled or errored in the meantime: nobody reads the rest.
            return;
          }
          if ((controller.desiredSize ?? 0) <= 0 && !paused) { paused = true; socket.pause(); }
        },
        onEnd() {
          if (finished) return;
          finished = true;
          cleanup();
          try { controller?.close(); } catch { /* canceled */ }
          pool.release(key, socket, keepAlive && requestSent && !parser.readingToEof);
        },
        onError(e) {
          fail(fetchFailed(Object.assign(new Error(`Invalid response: ${e.reason}`), { code: e.code })));
        },
      });
      if (o.method === 'HEAD') parser.expectNoBody();

      const onData = (d: Uint8Array) => { gotBytes = true; parser.push(d); };
      const onEnd = () => {
        if (parser.finish() && finished) return;
        fail(fetchFailed(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })));
      };
      const onClose = () => { if (!finished) onEnd(); };
      const onError = (e: Error) => fail(fetchFailed(e));
      const cleanup = () => {
        if (headTimer) clearTimeout(headTimer);
        if (bodyTimer) clearTimeout(bodyTimer);
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        socket.removeListener('close', onClose);
        socket.removeListener('error', onError);
        for (const s of signals) s.removeEventListener('abort', onAbort);
        if (paused) { paused = false; socket.resume(); }
      };
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onClose);
      socket.on('error', onError);
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      if (signals.some((s) => s.aborted)) { fail(signals.find((s) => s.aborted)!.reason); return; }

      // RFC 9112 §3.2: Host is the authority; the path is origin-form.
      let head = `${o.method} ${o.url.pathname || '/'}${o.url.search} HTTP/1.1\r\nhost: ${o.url.host}\r\n`;
      const h = o.headers;
      if (!h.has('accept')) head += 'accept: */*\r\n';
      if (!h.has('user-agent')) head += `user-agent: ${userAgent}\r\n`;
      if (o.stream) head += 'transfer-encoding: chunked\r\n';
      else if (o.bytes) head += `content-length: ${o.bytes.length}\r\n`;
      else if (o.method === 'POST' || o.method === 'PUT' || o.method === 'PATCH') head += 'content-length: 0\r\n';
      for (const [k, v] of h._raw()) {
        if (k === 'host' || k === 'content-length' || k === 'transfer-encoding' || k === 'connection') continue;
        head += `${k}: ${v}\r\n`;
      }
      head += '\r\n';
      const headBytes = latin1Encode(head);
      if (!o.stream) {
        if (o.bytes && o.bytes.length <= 64 * 1024) {
          const all = new Uint8Array(headBytes.length + o.bytes.length);
          all.set(headBytes);
          all.set(o.bytes, headBytes.length);
          socket.write(all);
        } else {
          socket.write(headBytes);
          if (o.bytes) socket.write(o.bytes);
        }
        requestSent = true;
        return;
      }
      socket.write(headBytes);
      (async () => {
        const reader = o.stream!.getReader();
        try {
          for (;;) {
            const r = await reader.read();
            if (finished) return;
            if (r.done) break;
            const v = r.value as Uint8Array | string;
            const chunk = typeof v === 'string' ? utf8Encode(v) : v;
            if (chunk.length === 0) continue;
            socket.write(latin1Encode(`${chunk.length.toString(16)}\r\n`));
            socket.write(chunk);
            if (!socket.write(latin1Encode('\r\n'))) await new Promise((r2) => socket.once('drain', r2));
          }
          socket.write(latin1Encode('0\r\n\r\n'));
          requestSent = true;
        } catch (e) {
          fail(e);
        } finally {
          reader.releaseLock();
        }
      })();
    });
  }

  async function fetch(input: string | URL | Request, init: FetchInit = {}): Promise<Response> {
    const request = input instanceof Request && Object.keys(init).length === 0 ? input : new Request(input as string, init);
    let url = new URL(request.url);
    let method = request.method;
    const headers = new Headers(request.headers);
    let { bytes, stream } = request._bodySource();
    const signal = request.signal;
    const timeoutSignal = init.timeout ? AbortSignal.timeout(init.timeout) : null;
    signal.throwIfAborted();
    for (let redirects = 0; ; redirects++) {
      const secure = url.protocol === 'https:';
      if (secure && !options.tls) throw new TypeError('https is not supported in this build');
      if (!secure && url.protocol !== 'http:') throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
      const port = url.port ? Number(url.port) : secure ? 443 : 80;
      let address: string;
      try { address = await resolve(url.hostname); } catch (e) { throw fetchFailed(e); }
      const servername = secure ? url.hostname.replace(/^\[|\]$/g, '') : undefined;
      const key = secure ? `https://${servername}@${address}:${port}` : `${address}:${port}`;
      const o: Outgoing = { url, method, headers, bytes, stream, signal };
      let result: { response: Response; gotBytes: boolean } | { retry: true } | null = null;
      for (let attempt = 0; attempt < 2; attempt++) {
        let conn: { socket: SocketLike; reused: boolean };
        try {
          conn = await pool.acquire(key, address, port, signal, attempt > 0, servername);
        } catch (e) {
          if (signal.aborted) throw signal.reason;
          throw fetchFailed(e);
        }
        result = await exchange(o, key, conn.socket, conn.reused, timeoutSignal);
        if (!('retry' in result)) break;
      }
      if (!result || 'retry' in result) throw fetchFailed(new Error('connection closed before a response'));
      const response = result.response;
      const status = response.status;
      const location = response.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(status) || location === null || request.redirect === 'manual') {
        if (redirects > 0) setResponseMeta(response, { url: url.href, redirected: true, type: 'basic' });
        return response;
      }
      if (request.redirect === 'error') {
        response.body?.cancel().catch(() => {});
        throw new TypeError(`fetch failed: redirect mode is "error" (got ${status})`);
      }
      if (redirects >= MAX_REDIRECTS) {
        response.body?.cancel().catch(() => {});
        throw new TypeError('fetch failed: redirect count exceeded');
      }
      // Drain a small redirect body so the connection can be reused; cancel big ones.
      const len = Number(response.headers.get('content-length') ?? NaN);
      if (len >= 0 && len <= 64 * 1024) await response.arrayBuffer().catch(() => {});
      else response.body?.cancel().catch(() => {});
      const next = new URL(location, url);
      // Fetch §4.4 step 12/13: 303 (non-HEAD), and 301/302 on POST, become GET without a body.
      if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET';
        bytes = null;
        stream = null;
        for (const n of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(n);
      } else if (stream !== null) {
        throw new TypeError('fetch failed: cannot follow a redirect with a streamed request body');
      }
      if (next.origin !== url.origin) {
        headers.delete('authorization');
        headers.delete('cookie');
        headers.delete('proxy-authorization');
      }
      url = next;
    }
  }

  return { fetch, pool, close: () => pool.close() };
}
