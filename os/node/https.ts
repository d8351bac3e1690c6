/**
 * node:https: the HTTP layer (os/http) over node:tls. Servers take Node's TLS options
 * (key, cert, ca, ALPNProtocols, ...); the client is node:http's on TLS connections that
 * trust the image's root store plus NODE_EXTRA_CA_CERTS, or a request's own TLS options
 * (`ca`, `cert`/`key`, `rejectUnauthorized`, ...; an Agent's options override them, as in
 * Node); requests with other TLS options do not share pooled connections.
 */
import * as net from './net.ts';
import * as tls from './tls.ts';
import { lookupIPv4 } from './dns-promises.ts';
import { createNodeHttp } from '../http/node-http.ts';
import { createServerFactory, type RequestListener, type ServerOptions } from '../http/server.ts';
import type { NetModuleLike, SocketLike } from '../http/net-types.ts';
import type { TlsConnect } from '../http/fetch.ts';

const wrapChunk = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const encode = (s: string, encoding?: string) => Buffer.from(s, (encoding ?? 'utf8') as BufferEncoding);

export const tlsConnect: TlsConnect = ({ host, port, servername, tls: options }) =>
  tls.connect({ ...options, host, port, servername: (options?.servername as string | undefined) ?? servername }) as unknown as SocketLike;

const client = createNodeHttp({ net: net as unknown as NetModuleLike, lookup: lookupIPv4, wrapChunk, encode, protocol: 'https:', tls: tlsConnect });

type HttpsServerOptions = ServerOptions & tls.TlsServerOptions;

function serverFactory(options: HttpsServerOptions, made: (s: tls.Server) => void) {
  const tlsNet = {
    createServer: (o: object, listener: (s: SocketLike) => void) => {
      const s = tls.createServer({ ...options, ...o }, listener as never);
      made(s);
      return s;
    },
    connect: () => { throw new Error('unused'); },
  } as unknown as NetModuleLike;
  return createServerFactory({ net: tlsNet, wrapChunk, encode });
}

export function createServer(options?: HttpsServerOptions | RequestListener, listener?: RequestListener) {
  if (typeof options === 'function') { listener = options; options = {}; }
  let inner: tls.Server | undefined;
  const server = serverFactory(options ?? {}, (s) => { inner = s; }).createServer(options, listener);
  // Node's https.Server is a tls.Server: a client's failed handshake is its 'tlsClientError'.
  inner?.on('tlsClientError', (e: Error, s: tls.TLSSocket) => server.emit('tlsClientError', e, s));
  Object.defineProperty(server, 'addContext', {
    value: (hostname: string, context: Parameters<tls.Server['addContext']>[1]) => inner!.addContext(hostname, context),
    writable: true, configurable: true,
  });
  return server;
}

export const Server = function Server(this: unknown, options?: HttpsServerOptions | RequestListener, listener?: RequestListener) {
  return createServer(options, listener);
} as unknown as new (options?: HttpsServerOptions | RequestListener, listener?: RequestListener) => ReturnType<typeof createServer>;

export const { request, get, Agent, globalAgent, ClientRequest, IncomingMessage, ServerResponse, STATUS_CODES, METHODS } = client;
export default { createServer, Server, request, get, Agent, globalAgent };
