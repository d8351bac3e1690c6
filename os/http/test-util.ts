/**
 * Node-only helpers for the HTTP tests (never imported by image code): a server on Node's
 * real `net` on 127.0.0.1, and a raw socket client that returns everything until close.
 */
import * as net from 'node:net';
import { createServerFactory, type Server, type ServerOptions } from './server.ts';
import type { IncomingMessage } from './incoming.ts';
import type { ServerResponse } from './response.ts';
import type { NetModuleLike } from './net-types.ts';
import { HttpParser, type ResponseHead } from './parser.ts';

export const nodeNet = net as unknown as NetModuleLike;
export const http = createServerFactory({ net: nodeNet });

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: ServerOptions = {},
  setup?: (s: Server) => void,
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = http.createServer(options, handler);
  setup?.(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Sends `data` (chunks written one by one), returns all bytes received until the server closes. */
export function raw(port: number, data: string | string[], opts: { endAfterWrite?: boolean; limitMs?: number } = {}): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    // Safety net so a broken server fails the test instead of hanging it (not a timing assertion).
    const guard = setTimeout(() => { s.destroy(); resolve({ text: Buffer.concat(got).toString('latin1'), closed: false }); }, opts.limitMs ?? 5000);
    s.on('data', (d) => got.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET') reject(e); });
    s.on('close', () => { clearTimeout(guard); resolve({ text: Buffer.concat(got).toString('latin1'), closed: true }); });
    s.on('connect', () => {
      for (const c of Array.isArray(data) ? data : [data]) s.write(c, 'latin1');
      if (opts.endAfterWrite) s.end();
    });
  });
}

export interface ParsedResponse { head: ResponseHead; body: string; headers: Record<string, string> }

/** Splits a byte stream of responses (as text) into messages with our own response parser. */
export function parseResponses(text: string, headRequests = 0): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let heads = 0;
  const p: HttpParser = new HttpParser('response', {
    onHead(h) {
      if (h.kind !== 'response' || h.statusCode === 100) return;
      const headers: Record<string, string> = {};
      for (let i = 0; i < h.rawHeaders.length; i += 2) headers[h.rawHeaders[i].toLowerCase()] = h.rawHeaders[i + 1];
      out.push({ head: h, body: '', headers });
      if (++heads < headRequests) p.expectNoBody();
    },
    onBody(d) { out[out.length - 1].body += Buffer.from(d).toString('latin1'); },
    onEnd() {},
    onError(e) { throw new Error(`bad response: ${e.reason}`); },
  });
  if (headRequests > 0) p.expectNoBody();
  p.push(new Uint8Array(Buffer.from(text, 'latin1')));
  p.finish();
  return out;
}
