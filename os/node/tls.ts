/**
 * node:tls for programs in the image: connect, createServer/Server, TLSSocket,
 * createSecureContext, checkServerIdentity, rootCertificates. The protocol is os/tls (ours,
 * TLS 1.3 both ways, TLS 1.2 client); the trust store is the building Node's root store.
 * Client certificates: a server's `requestCert` (verified against `ca`, else the default
 * store; `authorized`, `authorizationError`, the client's getPeerCertificate()) and a client's
 * `cert`/`key` (TLS 1.3 and 1.2). As Node, with `rejectUnauthorized` a client without a certificate
 * gets certificate_required, and one whose certificate does not verify is closed after the
 * handshake ('tlsClientError' ECONNRESET). A failed handshake is the server's
 * 'tlsClientError' (err, tlsSocket) with OpenSSL's reason as Node spells it (ERR_SSL_*).
 * SNI: `SNICallback` (answered at once or later: the handshake waits) and `addContext`.
 * Not provided: a TLS 1.2 server (a TLS 1.2-only client gets ERR_SSL_UNSUPPORTED_PROTOCOL),
 * PSK ciphers, renegotiation.
 */
import * as net from './net.ts';
import { receivedText } from '../netservice/errors.ts';
import { EventEmitter } from './events.ts';
import { TLSSocket, checkServerIdentity, random, type SniCallback, type TlsSocketOptions } from './internal/tls-socket.ts';
import { SecureContext, createSecureContext, rootCertificates } from './internal/tls-context.ts';

type Cb = (...args: any[]) => void;

export { TLSSocket, checkServerIdentity, createSecureContext, SecureContext, rootCertificates };
export const DEFAULT_MIN_VERSION = 'TLSv1.2';
export const DEFAULT_MAX_VERSION = 'TLSv1.3';
export const DEFAULT_ECDH_CURVE = 'auto';
export const DEFAULT_CIPHERS = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384';
export function getCiphers(): string[] {
  return ['tls_aes_128_gcm_sha256', 'tls_aes_256_gcm_sha384', 'tls_chacha20_poly1305_sha256', 'ecdhe-ecdsa-aes128-gcm-sha256',
    'ecdhe-rsa-aes128-gcm-sha256', 'ecdhe-ecdsa-aes256-gcm-sha384', 'ecdhe-rsa-aes256-gcm-sha384', 'ecdhe-ecdsa-chacha20-poly1305', 'ecdhe-rsa-chacha20-poly1305'];
}

export interface ConnectionOptions extends TlsSocketOptions {
  port?: number;
  host?: string;
  socket?: net.Socket;
  timeout?: number;
  /** Nimbus: the NetworkService for the TCP connection (tests run two stacks in one process). */
  network?: net.SocketConstructorOpts['network'];
}

/** tls.connect(options[, cb]) | tls.connect(port[, host][, options][, cb]) */
export function connect(...args: unknown[]): TLSSocket {
  let opts: ConnectionOptions = {};
  let cb: Cb | undefined;
  const rest = [...args];
  if (typeof rest[rest.length - 1] === 'function') cb = rest.pop() as Cb;
  if (typeof rest[0] === 'number' || typeof rest[0] === 'string' && /^\d+$/.test(rest[0] as string)) {
    opts.port = Number(rest.shift());
    if (typeof rest[0] === 'string') opts.host = rest.shift() as string;
  }
  if (rest[0] && typeof rest[0] === 'object') opts = { ...(rest[0] as ConnectionOptions), ...opts };
  const host = opts.host ?? 'localhost';
  if (!opts.socket && opts.port === undefined) {
    throw Object.assign(new TypeError('The "options.port" property must be given when "options.socket" is not'), { code: 'ERR_MISSING_ARGS' });
  }
  const raw = opts.socket ?? net.connect({ port: opts.port!, host, network: opts.network, allowHalfOpen: true });
  const s = new TLSSocket(raw, { ...opts, host, servername: opts.servername ?? host, isServer: false });
  if (opts.timeout) s.setTimeout(opts.timeout);
  if (cb) s.once('secureConnect', cb);
  return s;
}

export interface TlsServerOptions extends TlsSocketOptions {
  handshakeTimeout?: number;
  /** Nimbus: the NetworkService to listen on (tests). */
  network?: net.SocketConstructorOpts['network'];
}

/** tls.Server: a net.Server whose connections become TLSSockets ('secureConnection'). */
export class Server extends EventEmitter {
  readonly #net: net.Server;
  readonly #opts: TlsServerOptions;
  #ctx: SecureContext;
  readonly #ticketKey = random(32);
  /** addContext's host name patterns, newest last (Node's `_contexts`). */
  readonly #contexts: [RegExp, SecureContext][] = [];

  constructor(options?: TlsServerOptions | Cb, listener?: Cb) {
    super();
    if (typeof options === 'function') { listener = options; options = {}; }
    this.#opts = options ?? {};
    if (this.#opts.SNICallback !== undefined && typeof this.#opts.SNICallback !== 'function') {
      throw Object.assign(new TypeError(`The "options.SNICallback" property must be of type function. Received ${receivedText(this.#opts.SNICallback)}`), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    this.#ctx = this.#opts.secureContext ?? new SecureContext(this.#opts);
    if (listener) this.on('secureConnection', listener);
    this.#net = net.createServer({ network: this.#opts.network, allowHalfOpen: true }, (raw: net.Socket) => this.#onConnection(raw));
    this.#net.on('listening', () => this.emit('listening'));
    this.#net.on('close', () => this.emit('close'));
    this.#net.on('error', (e: Error) => this.emit('error', e));
  }

  #onConnection(raw: net.Socket): void {
    const SNICallback = this.#opts.SNICallback ?? (this.#contexts.length ? this.#contextFor : undefined);
    const s = new TLSSocket(raw, { ...this.#opts, SNICallback, secureContext: this.#ctx, isServer: true, ticketKey: this.#ticketKey });
    const limit = this.#opts.handshakeTimeout ?? 120_000;
    const timer = setTimeout(() => {
      s.emit('_tlsClientError', Object.assign(new Error('TLS handshake timeout'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' }));
    }, limit);
    s.once('_tlsClientError', (e: Error) => {
      clearTimeout(timer);
      s.destroy();
      this.emit('tlsClientError', e, s);
    });
    s.once('secure', () => { clearTimeout(timer); this.emit('secureConnection', s); });
    s.once('close', () => clearTimeout(timer));
    this.emit('connection', raw);
  }

  listen(...args: unknown[]): this { (this.#net.listen as (...a: unknown[]) => unknown)(...args); return this; }
  close(cb?: (err?: Error) => void): this { this.#net.close(cb); return this; }
  address() { return this.#net.address(); }
  get listening(): boolean { return this.#net.listening; }
  ref(): this { this.#net.ref?.(); return this; }
  unref(): this { this.#net.unref?.(); return this; }
  getConnections(cb: (err: Error | null, n: number) => void): this { this.#net.getConnections(cb); return this; }
  setSecureContext(options: TlsServerOptions): void { this.#ctx = new SecureContext(options); }
  /**
   * A context for client hello's host names matching `hostname`, where `*` stands for one
   * label's characters; the newest match wins (Node's addContext and default SNICallback).
   */
  addContext(hostname: string, context: SecureContext | TlsServerOptions): void {
    if (!hostname) throw Object.assign(new Error('"servername" is required parameter for Server.addContext'), { code: 'ERR_TLS_REQUIRED_SERVER_NAME' });
    const pattern = new RegExp('^' + hostname.replace(/([.^$+?\-\\[\]{}])/g, '\\$1').replaceAll('*', '[^.]*') + '$');
    this.#contexts.push([pattern, context instanceof SecureContext ? context : new SecureContext(context)]);
  }

  readonly #contextFor: SniCallback = (servername, cb) => {
    for (let i = this.#contexts.length - 1; i >= 0; i--) {
      if (this.#contexts[i]![0].test(servername)) return cb(null, this.#contexts[i]![1]);
    }
    cb(null, undefined);
  };
}

export function createServer(options?: TlsServerOptions | Cb, listener?: Cb): Server {
  return new Server(options, listener);
}

export default {
  connect, createServer, Server, TLSSocket, createSecureContext, SecureContext, checkServerIdentity, rootCertificates,
  getCiphers, DEFAULT_MIN_VERSION, DEFAULT_MAX_VERSION, DEFAULT_ECDH_CURVE, DEFAULT_CIPHERS,
};
