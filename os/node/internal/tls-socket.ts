/**
 * tls.TLSSocket: a TLS endpoint (os/tls, pure) driven over a net.Socket. Until node:stream
 * lands this follows net.Socket's own model (an EventEmitter with Node's socket methods:
 * 'data' flows once a listener is added, pause/resume pass back-pressure to the TCP socket,
 * write returns false above the raw socket's high-water mark). Moving onto stream.Duplex
 * means replacing #push/#emitData with push() and write() with _write().
 */
import { Buffer } from 'buffer/index.js';
import { EventEmitter } from '../events.ts';
import { getRandomValues } from '../../runtime/random.ts';
import { TlsClient } from '../../tls/client.ts';
import { TlsServer } from '../../tls/server.ts';
import type { TlsEndpoint, TlsOutput } from '../../tls/connection.ts';
import type { Certificate } from '../../tls/x509/certificate.ts';
import { verifyChain } from '../../tls/x509/verify.ts';
import { checkServerIdentity as checkCertIdentity } from '../../tls/x509/identity.ts';
import { SecureContext, type SecureContextOptions } from './tls-context.ts';
import type { Socket } from '../net.ts';
import { peerCertificateObject, type PeerCertificate } from './tls-cert.ts';

export { peerCertificateObject, type PeerCertificate };

type Cb = (...args: any[]) => void;

export const random = (n: number): Uint8Array => getRandomValues(new Uint8Array(n));

export interface TlsSocketOptions extends SecureContextOptions {
  isServer?: boolean;
  secureContext?: SecureContext;
  servername?: string;
  ALPNProtocols?: string[] | Uint8Array;
  rejectUnauthorized?: boolean;
  session?: Uint8Array;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
  /** Server side */
  ticketKey?: Uint8Array;
  sessionTimeout?: number;
  SNICallback?: unknown;
  host?: string;
}

/** tls.checkServerIdentity(hostname, cert) on Node's certificate object. */
export function checkServerIdentity(hostname: string, cert: PeerCertificate): Error | undefined {
  const dns: string[] = [], ip: string[] = [], uri: string[] = [];
  for (const part of (cert.subjectaltname ?? '').split(', ')) {
    if (part.startsWith('DNS:')) dns.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ip.push(part.slice(11));
    else if (part.startsWith('URI:')) uri.push(part.slice(4));
  }
  const fake = { san: { dns, ip, uri, email: [] }, subject: { raw: new Uint8Array(0), attributes: Object.entries(cert.subject ?? {}).map(([short, value]) => ({ oid: '', short, value })) } } as unknown as Certificate;
  const f = checkCertIdentity(hostname, fake);
  if (!f) return undefined;
  return Object.assign(new Error(f.message), { code: f.code, reason: f.reason, host: f.host, cert });
}

function alpnList(p: TlsSocketOptions['ALPNProtocols']): string[] | undefined {
  if (!p) return undefined;
  if (Array.isArray(p)) return p.map(String);
  const out: string[] = [];
  for (let i = 0; i < p.length;) { const n = p[i]; out.push(new TextDecoder().decode(p.subarray(i + 1, i + 1 + n))); i += 1 + n; }
  return out;
}

const VERIFY_MESSAGES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
};

export class TLSSocket extends EventEmitter {
  readonly encrypted = true;
  authorized = false;
  authorizationError: string | null = null;
  alpnProtocol: string | false = false;
  servername: string | false | undefined;
  allowHalfOpen = false;
  readonly _raw: Socket;
  #ep: TlsEndpoint;
  #opts: TlsSocketOptions;
  #ctx: SecureContext;
  #flowing: boolean | null = null;
  #pending: Buffer[] = [];
  #endPending = false;
  #endEmitted = false;
  #secure = false;
  #destroyed = false;
  #closeEmitted = false;
  #encoding: string | null = null;
  #session: Buffer | undefined;
  #ending = false;

  constructor(socket: Socket, options: TlsSocketOptions = {}) {
    super();
    this._raw = socket;
    this.#opts = options;
    this.#ctx = options.secureContext ?? new SecureContext(options);
    const now = Date.now();
    if (options.isServer) {
      this.#ep = new TlsServer({
        random, identities: this.#ctx.identities, alpnProtocols: alpnList(options.ALPNProtocols),
        ticketKey: options.ticketKey, ticketLifetime: options.sessionTimeout ?? 300,
      });
    } else {
      const host = options.servername ?? options.host ?? 'localhost';
      const sni = /^[\d.]+$|:/.test(host) ? undefined : host;
      this.servername = sni ?? false;
      const anchors = this.#ctx;
      this.#ep = new TlsClient({
        random, serverName: sni, alpnProtocols: alpnList(options.ALPNProtocols),
        minVersion: options.minVersion, maxVersion: options.maxVersion, session: options.session,
        rejectUnauthorized: false, // decided after the handshake, as Node does, so the error is Node's
        verify: (chain, t) => { const r = verifyChain(chain, anchors.trustAnchors(), t); return 'chain' in r ? null : r; },
      });
    }
    this.on('newListener', (event: string | symbol) => {
      if (event === 'data' && this.#flowing !== false) this.resume();
    });
    socket.on('data', (b: Uint8Array) => this.#apply(this.#ep.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), Date.now())));
    socket.on('end', () => this.#onRawEnd());
    socket.on('close', () => this.#onRawClose());
    socket.on('error', (e: Error) => this.destroy(e));
    socket.on('drain', () => this.emit('drain'));
    socket.on('timeout', () => this.emit('timeout'));
    if (!options.isServer) {
      if ((socket as { connecting?: boolean }).connecting) socket.once('connect', () => { this.emit('connect'); this.#apply(this.#ep.start(Date.now())); });
      else queueMicrotask(() => this.#apply(this.#ep.start(now)));
    }
  }

  #apply(o: TlsOutput): void {
    for (const w of o.wire) if (!this._raw.destroyed) this._raw.write(w);
    for (const d of o.data) this.#push(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    for (const e of o.events) {
      switch (e.type) {
        case 'secure': this.#onSecure(); break;
        case 'end': this.#endPending = true; this.#drain(); break;
        case 'session': this.#session = Buffer.from(e.session); this.emit('session', this.#session); break;
        case 'keylog': if (this.listenerCount('keylog')) this.emit('keylog', Buffer.from(e.line + '\n')); break;
        case 'error': {
          const err = Object.assign(new Error(e.error.message), { code: e.error.code });
          if (this.#opts.isServer && !this.#secure) this.emit('_tlsClientError', err);
          else this.destroy(err);
          this._raw.end();
          break;
        }
      }
    }
  }

  #onSecure(): void {
    this.alpnProtocol = this.#ep.alpnProtocol;
    if (this.#opts.isServer) {
      this.servername = (this.#ep as TlsServer).serverName ?? false;
      this.#secure = true;
      this.emit('secure');
      return;
    }
    const c = this.#ep as TlsClient;
    this.authorized = c.authorized;
    this.authorizationError = c.authorizationError;
    let err: Error | undefined;
    if (c.authorizationError) {
      err = Object.assign(new Error(VERIFY_MESSAGES[c.authorizationError] ?? c.authorizationError), { code: c.authorizationError });
    } else if (!c.resumed && c.peerCertificates.length) {
      const host = this.#opts.servername ?? this.#opts.host ?? 'localhost';
      err = (this.#opts.checkServerIdentity ?? checkServerIdentity)(host, this.getPeerCertificate() as PeerCertificate);
      if (err) { this.authorized = false; this.authorizationError = (err as { code?: string }).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID'; }
    }
    this.#secure = true;
    if (err && this.#opts.rejectUnauthorized !== false) { this.destroy(err); return; }
    this.emit('secureConnect');
  }

  #push(b: Buffer): void {
    this.#pending.push(b);
    this.#drain();
  }

  #drain(): void {
    while (this.#flowing && this.#pending.length) {
      const b = this.#pending.shift()!;
      this.emit('data', this.#encoding ? b.toString(this.#encoding as BufferEncoding) : b);
    }
    if (this.#flowing && this.#endPending && !this.#pending.length && !this.#endEmitted) {
      this.#endEmitted = true;
      this.emit('end');
      if (!this.allowHalfOpen) this.end();
    }
  }

  #onRawEnd(): void {
    if (!this.#secure && !this.#destroyed) {
      const e = Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNRESET' });
      if (this.#opts.isServer) this.emit('_tlsClientError', e);
      else this.destroy(e);
      return;
    }
    this.#endPending = true;
    this.#drain();
  }

  #onRawClose(): void {
    this.#destroyed = true;
    if (!this.#closeEmitted) { this.#closeEmitted = true; this.emit('close', false); }
  }

  // ---- Node's socket API ----

  get destroyed(): boolean { return this.#destroyed; }
  get connecting(): boolean { return (this._raw as { connecting?: boolean }).connecting ?? false; }
  get writableLength(): number { return this._raw.writableLength; }
  get readyState(): string { return this._raw.readyState; }
  get remoteAddress(): string | undefined { return this._raw.remoteAddress; }
  get remotePort(): number | undefined { return this._raw.remotePort; }
  get remoteFamily(): string | undefined { return this._raw.remoteFamily; }
  get localAddress(): string | undefined { return this._raw.localAddress; }
  get localPort(): number | undefined { return this._raw.localPort; }
  address() { return this._raw.address(); }

  write(data: unknown, encoding?: string | Cb, cb?: Cb): boolean {
    if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    const bytes = typeof data === 'string' ? Buffer.from(data, (encoding as BufferEncoding) ?? 'utf8') : data as Uint8Array;
    if (this.#destroyed || this.#ending) {
      const e = Object.assign(new Error(this.#destroyed ? 'Cannot call write after a stream was destroyed' : 'write after end'), { code: this.#destroyed ? 'ERR_STREAM_DESTROYED' : 'ERR_STREAM_WRITE_AFTER_END' });
      queueMicrotask(() => { cb?.(e); this.emit('error', e); });
      return false;
    }
    const o = this.#ep.write(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const wire = o.wire;
    o.wire = [];
    this.#apply(o);
    let ok = true;
    if (wire.length === 0) { if (cb) queueMicrotask(() => cb!(null)); return true; }
    wire.forEach((w, i) => { ok = this._raw.write(w, i === wire.length - 1 ? cb : undefined); });
    return ok;
  }

  end(data?: unknown, encoding?: string | Cb, cb?: Cb): this {
    if (typeof data === 'function') { cb = data as Cb; data = undefined; }
    if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    if (data !== undefined && data !== null) this.write(data, encoding as string);
    if (this.#ending) { if (cb) queueMicrotask(cb); return this; }
    this.#ending = true;
    const o = this.#ep.close();
    this.#apply(o);
    this._raw.end(cb);
    return this;
  }

  destroy(error?: Error | null): this {
    if (this.#destroyed) return this;
    this.#destroyed = true;
    if (error) queueMicrotask(() => this.emit('error', error));
    this._raw.destroy();
    if (!this.#closeEmitted) queueMicrotask(() => { if (!this.#closeEmitted) { this.#closeEmitted = true; this.emit('close', !!error); } });
    return this;
  }

  pause(): this { this.#flowing = false; this._raw.pause(); return this; }
  resume(): this {
    this.#flowing = true;
    this._raw.resume();
    queueMicrotask(() => this.#drain());
    return this;
  }
  setEncoding(enc = 'utf8'): this { this.#encoding = enc; return this; }
  setNoDelay(v = true): this { this._raw.setNoDelay(v); return this; }
  setKeepAlive(e = false, d = 0): this { this._raw.setKeepAlive(e, d); return this; }
  setTimeout(ms: number, cb?: Cb): this { this._raw.setTimeout(ms); if (cb) this.once('timeout', cb); return this; }
  ref(): this { this._raw.ref(); return this; }
  unref(): this { this._raw.unref(); return this; }

  pipe<T extends { write(chunk: any): boolean; end?(): unknown; once(e: string, l: Cb): unknown }>(dest: T, options: { end?: boolean } = {}): T {
    this.on('data', (c: Buffer) => { if (!dest.write(c)) { this.pause(); dest.once('drain', () => this.resume()); } });
    if (options.end !== false) this.once('end', () => dest.end?.());
    return dest;
  }

  // ---- TLS accessors ----

  getProtocol(): string | null { return this.#ep.version ?? null; }
  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const s = this.#ep.suite;
    return s && { name: s.name, standardName: s.standardName, version: s.version };
  }
  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> {
    const certs = this.#ep instanceof TlsClient ? this.#ep.peerCertificates : [];
    if (!certs.length) return {};
    const objs = certs.map(peerCertificateObject);
    if (detailed) for (let i = 0; i + 1 < objs.length; i++) objs[i].issuerCertificate = objs[i + 1];
    return objs[0];
  }
  getCertificate(): PeerCertificate | null {
    return null;
  }
  getSession(): Buffer | undefined { return this.#session; }
  isSessionReused(): boolean { return (this.#ep as TlsClient | TlsServer).resumed; }
  getEphemeralKeyInfo(): object | null { return null; }
  /** Node: requests a TLS 1.3 KeyUpdate (Nimbus also exposes it for tests). */
  renegotiate(_opts: unknown, cb?: (err: Error | null) => void): boolean {
    const e = Object.assign(new Error('TLS session renegotiation disabled for this socket'), { code: 'ERR_TLS_RENEGOTIATION_DISABLED' });
    if (cb) queueMicrotask(() => cb(e));
    return false;
  }
  _keyUpdate(): void { this.#apply(this.#ep.keyUpdate(true)); }
}
