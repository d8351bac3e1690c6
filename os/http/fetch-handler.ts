/**
 * Serves a fetch handler (`export default { fetch(request) }`, as Hono, Bun and Deno apps do)
 * on an http.Server: IncomingMessage → Request (url = `http://${Host}${url}`, body streamed),
 * Response → ServerResponse (bytes with Content-Length, streams chunked with back-pressure).
 * A handler that throws or rejects gets a 500 and the error goes to console.error.
 */
import type { IncomingMessage } from './incoming.ts';
import type { ServerResponse } from './response.ts';
import type { Server, ServerOptions } from './server.ts';
import { Request } from '../web/request.ts';
import { Response } from '../web/response.ts';
import { ReadableStream } from '../web/streams.ts';
import { AbortController } from '../web/abort.ts';

/**
 * A fetch handler. Typed loosely on purpose: frameworks declare it against the DOM lib's
 * Request/Response types (structurally close to ours); the adapter checks the result at run time.
 */
export interface FetchHandler {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fetch(request: any, env?: any, ctx?: any): unknown;
}

export interface FetchListenerOptions {
  /** Called with handler errors; default console.error. */
  onError?: (error: unknown, request: Request | null) => void;
  /** Scheme for the Request url (behind a TLS terminator: 'https'). */
  protocol?: 'http' | 'https';
}

/** Builds the Request for an incoming message; the body streams with back-pressure. */
export function toRequest(req: IncomingMessage, signal?: AbortSignal, protocol = 'http'): Request {
  const target = req.url ?? '/';
  const host = typeof req.headers.host === 'string' && req.headers.host !== '' ? req.headers.host : 'localhost';
  const url = /^https?:\/\//i.test(target) ? target : `${protocol}://${host}${target.startsWith('/') ? '' : '/'}${target}`;
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD' &&
    (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
  let body: ReadableStream<Uint8Array> | null = null;
  if (hasBody) {
    body = new ReadableStream<Uint8Array>({
      start(c) {
        req.on('data', (chunk: Uint8Array) => {
          c.enqueue(chunk instanceof Uint8Array && chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((c.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on('end', () => c.close());
        req.on('aborted', () => c.error(new TypeError('Request body aborted by the client')));
      },
      pull() { req.resume(); },
      cancel() { req.destroy(); },
    }, { highWaterMark: 16 });
  }
  return new Request(url, { method, headers, body, signal: signal as never, duplex: 'half' });
}

/** Writes a Response to a ServerResponse; resolves when the last byte is handed to the socket. */
export async function sendResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const byName = new Map<string, string[]>();
  for (const [k, v] of response.headers) {
    const list = byName.get(k) ?? [];
    list.push(v);
    byName.set(k, list);
  }
  for (const [k, vs] of byName) res.setHeader(k, vs.length === 1 ? vs[0] : vs);
  // Another implementation's Response (only in tests under Node) is read through its body stream.
  const { bytes, stream } = typeof response._bodySource === 'function'
    ? response._bodySource()
    : { bytes: null, stream: (response as { body: ReadableStream<Uint8Array> | null }).body };
  const noBody = res.req.method === 'HEAD' || response.status === 204 || response.status === 304;
  if (stream === null || noBody) {
    if (stream && !stream.locked) stream.cancel().catch(() => {});
    await new Promise<void>((resolve) => res.end(noBody || bytes === null ? undefined : bytes, () => resolve()));
    return;
  }
  const reader = stream.getReader();
  let closed = false;
  res.once('close', () => { closed = true; });
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      if (closed) { await reader.cancel(); return; }
      const chunk = r.value as unknown;
      const data = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk as ArrayBuffer);
      if (!res.write(data)) {
        await new Promise<void>((resolve) => {
          const done = () => { res.removeListener('drain', done); res.removeListener('close', done); resolve(); };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (!closed) await new Promise<void>((resolve) => res.end(() => resolve()));
}

/** A `(req, res)` request listener that runs the fetch handler. */
export function createFetchListener(handler: FetchHandler, options: FetchListenerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const onError = options.onError ?? ((e: unknown) => console.error(e));
  return (req, res) => {
    const controller = new AbortController();
    res.once('close', () => { if (!res.writableFinished) controller.abort(); });
    let request: Request | null = null;
    (async () => {
      request = toRequest(req, controller.signal as never, options.protocol);
      const response = await handler.fetch(request);
      if (!(response && typeof response === 'object' && typeof (response as Response).status === 'number' && (response as Response).headers)) {
        throw new TypeError('The fetch handler did not return a Response');
      }
      await sendResponse(response as Response, res);
    })().catch((e) => {
      onError(e, request);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain;charset=UTF-8');
        res.end('Internal Server Error');
      } else {
        res.destroy();
      }
    });
  };
}

/**
 * Serves `handler` on `port`: `serveFetch(http.createServer, app, { port: 3000 })`.
 * Returns the server (already listening or about to; 'listening' fires as usual).
 */
export function serveFetch(
  createServer: (options?: ServerOptions) => Server,
  handler: FetchHandler,
  options: ServerOptions & FetchListenerOptions & { port?: number; hostname?: string } = {},
  onListening?: () => void,
): Server {
  const server = createServer(options);
  server.on('request', createFetchListener(handler, options));
  server.listen(options.port ?? 3000, options.hostname ?? '0.0.0.0', onListening);
  return server;
}
