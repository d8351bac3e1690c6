/**
 * tls.TLSSocket: a TLS endpoint (os/tls, pure) driven over a net.Socket (or any Duplex that
 * carries bytes), itself a real stream.Duplex as Node's:
 * - Reading: decrypted data is push()ed; a push() that returns false pauses the transport
 *   socket until _read() asks again, so back-pressure reaches TCP. The peer's close_notify
 *   (RFC 8446 §6.1) or the transport's end after the handshake is push(null), 'end'; with
 *   allowHalfOpen false the Duplex then ends the writable side (our close_notify, then FIN).
 * - Writing: _write/_writev seal the data into records and complete when the transport has
 *   taken them (its own write callback), so write() returning false and 'drain' are the
 *   stream's own. Writes before the handshake wait in the endpoint and go out once secure.
 * - tls.connect({ socket }) upgrades a connected net.Socket (STARTTLS, as pg does): the
 *   handshake starts at once, or on 'connect' when the socket is still connecting.
 * - Events: 'connect' (transport), 'secureConnect' / 'secure', 'session', 'keylog', 'data',
 *   'end', 'finish', 'timeout', 'error' with Node's codes, then 'close'(hadError) once.
 * Not Node's: a TLSSocket is not an instance of net.Socket (it wraps one, `_raw`).
 */
import { Buffer } from 'buffer/index.js';
import { Duplex } from '../stream.ts';
import { getRandomValues } from '../../runtime/random.ts';
import { TlsClient } from '../../tls/client.ts';
import { TlsServer } from '../../tls/server.ts';
import { peekServerName } from '../../tls/sni-peek.ts';
import { concatBytes } from '../../crypto/hash.ts';
import type { TlsEndpoint, TlsOutput } from '../../tls/connection.ts';
import { parseCertificate, type Certificate } from '../../tls/x509/certificate.ts';
import { verifyChain } from '../../tls/x509/verify.ts';
import { checkServerIdentity as checkCertIdentity } from '../../tls/x509/identity.ts';
import { SecureContext, type SecureContextOptions } from './tls-context.ts';
import type { Socket } from '../net.ts';
import { peerCertificateObject, type PeerCertificate } from './tls-cert.ts';

export { peerCertificateObject, type PeerCertificate };

type Cb = (...args: any[]) => void;
export type SniCallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext | null) => void) => void;

export const random = (n: number): Uint8Array => getRandomValues(new Uint8Array(n));

export interface TlsSocketOptions extends SecureContextOptions {
  isServer?: boolean;
  secureContext?: SecureContext;
  servername?: string;
  ALPNProtocols?: string[] | Uint8Array;
  rejectUnauthorized?: boolean;
  /** Server side: ask for a client certificate (verified against `ca`, else the default store). */
  requestCert?: boolean;
  session?: Uint8Array;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
  /** Server side */
  ticketKey?: Uint8Array;
  sessionTimeout?: number;
  /**
   * Server side: (servername, cb(err, secureContext?)) picks the context for the host name the
   * client asks for, at once or later; the handshake waits for the answer (Node's SNICallback).
   */
  SNICallback?: SniCallback;
  host?: string;
  allowHalfOpen?: boolean;
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

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function alpnList(p: TlsSocketOptions['ALPNProtocols']): string[] | undefined {
  if (!p) return undefined;
  if (Array.isArray(p)) return p.map(String);
  const out: string[] = [];
  for (let i = 0; i < p.length;) { const n = p[i]; out.push(new TextDecoder().decode(p.subarray(i + 1, i + 1 + n))); i += 1 + n; }
  return out;
}

/**
 * Node's error for a failed handshake. OpenSSL's errors carry `library` and `reason`, and
 * Node's `code` is the reason in capitals (ERR_SSL_NO_SHARED_CIPHER: 'no shared cipher'), so
 * both follow from the code; the message is ours (OpenSSL's names its source file and line).
 */
function tlsError(message: string, code: string): Error {
  if (!code.startsWith('ERR_SSL_')) return Object.assign(new Error(message), { code });
  const reason = code.slice(8).toLowerCase().replace(/_/g, ' ');
  return Object.assign(new Error(`${reason}: ${message}`), { library: 'SSL routines', reason, code });
}

const VERIFY_MESSAGES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
};

export class TLSSocket extends Duplex {
  readonly encrypted = true;
  authorized = false;
  authorizationError: string | null = null;
  alpnProtocol: string | false = false;
  servername: string | false | undefined;
  readonly _raw: Socket;
  #ep: TlsEndpoint;
  #opts: TlsSocketOptions;
  #ctx: SecureContext;
  #secure = false;
  #eofPushed = false;
  #rawClosed = false;
  #closeScheduled = false;
  /** _final called before the handshake completed. */
  #finalCb: ((err?: Error | null) => void) | undefined;
  #session: Buffer | undefined;
  /** Server with an SNICallback: the client's first bytes, held until the callback answers. */
  #heldForSni: Uint8Array | undefined;
  #sniAsked = false;
  /** The chain as verified, up to the trust anchor (Node's issuerCertificate links follow it). */
  #verifiedChain: Certificate[] | undefined;
  readonly #onData = (b: Uint8Array): void => this.#receive(b);
  readonly #onEnd = (): void => this.#onRawEnd();
  readonly #onClose = (): void => this.#onRawClose();
  readonly #onError = (e: Error): void => { this.destroy(e); };
  readonly #onTimeout = (): void => { this.emit('timeout'); };

  constructor(socket: Socket, options: TlsSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen === true, emitClose: false, autoDestroy: true, decodeStrings: false });
    if (!socket || typeof (socket as { write?: unknown }).write !== 'function' || typeof (socket as { on?: unknown }).on !== 'function') {
      throw Object.assign(new TypeError('The "socket" argument must be a net.Socket or a stream.Duplex'), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    this._raw = socket;
    this.#opts = options;
    this.#ctx = options.secureContext ?? new SecureContext(options);
    const verify = (chain: Certificate[], t: number) => {
      const r = verifyChain(chain, this.#ctx.trustAnchors(), t);
      if (!('chain' in r)) return r;
      this.#verifiedChain = r.chain;
      return null;
    };
    if (options.isServer) {
      this.#ep = new TlsServer({
        random, identities: this.#ctx.identities, alpnProtocols: alpnList(options.ALPNProtocols),
        // The context SNICallback chose (#askSni) is in place before the ClientHello is read.
        selectIdentities: options.SNICallback ? () => this.#ctx.identities : undefined,
        ticketKey: options.ticketKey, ticketLifetime: options.sessionTimeout ?? 300,
        // As Node: a missing certificate fails the handshake, an untrusted one is judged in #onSecure.
        requestCert: options.requestCert === true, requireCertificate: options.rejectUnauthorized !== false, verifyClient: verify,
      });
    } else {
      const host = options.servername ?? options.host ?? 'localhost';
      const sni = /^[\d.]+$|:/.test(host) ? undefined : host;
      this.servername = sni ?? false;
      this.#ep = new TlsClient({
        random, serverName: sni, alpnProtocols: alpnList(options.ALPNProtocols),
        minVersion: options.minVersion, maxVersion: options.maxVersion, session: options.session,
        rejectUnauthorized: false, // decided after the handshake, as Node does, so the error is Node's
        verify,
        // `cert`/`key`: sent when the server asks (TLS 1.3 and 1.2).
        certificate: this.#ctx.identities[0],
      });
    }
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
    socket.on('timeout', this.#onTimeout);
    if ((socket as { destroyed?: boolean }).destroyed) queueMicrotask(() => this.#onRawClose());
    else if (!options.isServer) {
      if ((socket as { connecting?: boolean }).connecting) socket.once('connect', () => { this.emit('connect'); this.#apply(this.#ep.start(Date.now())); });
      else queueMicrotask(() => { if (!this.destroyed) this.#apply(this.#ep.start(Date.now())); });
    }
    // The transport may have been paused by its previous owner (STARTTLS): we read now.
    if ((socket as { isPaused?: () => boolean }).isPaused?.()) socket.resume();
  }

  #receive(b: Uint8Array): void {
    if (this.destroyed) return;
    const u8 = typeof b === 'string' ? Buffer.from(b as string, 'latin1') : b;
    let bytes = new Uint8Array(u8.buffer, u8.byteOffset, u8.byteLength);
    if (this.#opts.SNICallback && !this.#sniAsked) {
      // A copy either way: the transport may reuse its buffer.
      bytes = this.#heldForSni ? concatBytes(this.#heldForSni, bytes) : bytes.slice();
      const peeked = peekServerName(bytes);
      this.#heldForSni = peeked.kind === 'none' ? undefined : bytes;
      if (peeked.kind === 'more') return;
      this.#sniAsked = true;
      if (peeked.kind === 'name') return this.#askSni(peeked.serverName);
    } else if (this.#heldForSni) return void (this.#heldForSni = concatBytes(this.#heldForSni, bytes));
    this.#apply(this.#ep.receive(bytes, Date.now()));
  }

  /**
   * Node's loadSNI: the callback's context serves this connection; an error ends it as a
   * client error; a second call is ERR_MULTIPLE_CALLBACK. Bytes that arrive meanwhile wait.
   */
  #askSni(serverName: string): void {
    let answered = false;
    const answer = (err: Error | null, ctx?: SecureContext | null): void => {
      if (answered) return this.#clientError(Object.assign(new Error('Callback called multiple times'), { code: 'ERR_MULTIPLE_CALLBACK' }));
      answered = true;
      if (this.destroyed) return;
      if (err) return this.#clientError(err);
      if (ctx) this.#ctx = (ctx as { context?: SecureContext }).context ?? ctx;
      // The handshake goes on after the callback has returned, as Node's: a second call
      // made right after the first ends the connection before the server's first flight.
      queueMicrotask(() => {
        if (this.destroyed) return;
        const held = this.#heldForSni!;
        this.#heldForSni = undefined;
        this.#apply(this.#ep.receive(held, Date.now()));
      });
    };
    try {
      this.#opts.SNICallback!(serverName, answer);
    } catch (e) {
      if (!answered) { answered = true; this.#clientError(e as Error); }
    }
  }

  #apply(o: TlsOutput): void {
    const raw = this._raw;
    const secure = o.events.some((e) => e.type === 'secure');
    if (secure && !this.#opts.isServer) {
      // A client that rejects the server's certificate goes without sending its Finished, as
      // Node's (its destroy() drops the pending write): the server sees a client hang up
      // ('tlsClientError' ECONNRESET), not a connection that then resets.
      const err = this.#verdict();
      if (err && this.#opts.rejectUnauthorized !== false) { this.#secure = true; this.destroy(err); return; }
    }
    for (const w of o.wire) if (!raw.destroyed && raw.writable) raw.write(w);
    // 'secure' comes first: data that arrived with the peer's Finished follows it.
    if (secure) this.#onSecure();
    for (const d of o.data) {
      if (this.#eofPushed || this.destroyed) break;
      // Back-pressure: a full readable side stops reading the transport until _read().
      if (!this.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength))) raw.pause();
    }
    for (const e of o.events) {
      switch (e.type) {
        case 'secure': break;
        case 'end': this.#pushEof(); break;
        case 'session': this.#session = Buffer.from(e.session); this.emit('session', this.#session); break;
        case 'keylog': if (this.listenerCount('keylog')) this.emit('keylog', Buffer.from(e.line + '\n')); break;
        case 'error': {
          const err = tlsError(e.error.message, e.error.code);
          // The fatal alert is on its way (written above): send it, then FIN.
          if (!raw.destroyed && raw.writable) raw.end();
          if (this.#opts.isServer && !this.#secure) this.#clientError(err);
          else this.destroy(err);
          break;
        }
      }
    }
  }

  #onSecure(): void {
    this.alpnProtocol = this.#ep.alpnProtocol;
    if (this.#opts.isServer) {
      const srv = this.#ep as TlsServer;
      this.servername = srv.serverName ?? false;
      if (this.#opts.requestCert) {
        this.authorized = srv.authorized;
        this.authorizationError = srv.authorizationError;
        // Node destroys a socket whose client certificate did not verify, without an alert:
        // its client sees the connection end, the server a 'socket hang up' tlsClientError.
        if (!srv.authorized && this.#opts.rejectUnauthorized !== false) {
          this.#clientError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
          return;
        }
      }
      this.#secure = true;
      this.emit('secure');
      this.#runFinal();
      return;
    }
    this.#secure = true;
    this.emit('secureConnect');
    this.#runFinal();
  }

  /** Client: whether the server's chain and name are trusted (sets authorized), else Node's error. */
  #verdict(): Error | undefined {
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
    return err;
  }

  #runFinal(): void {
    const cb = this.#finalCb;
    this.#finalCb = undefined;
    if (cb && !this.destroyed) this._final(cb);
  }

  #pushEof(): void {
    if (this.#eofPushed) return;
    this.#eofPushed = true;
    this.push(null);
  }

  #disconnectedError(): Error {
    return Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNRESET' });
  }

  /** The transport went away before the handshake finished: a client error on a server. */
  #lostBeforeSecure(): void {
    // Node's server says 'socket hang up' (connResetException), its client the longer message.
    if (this.#opts.isServer) this.#clientError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    else this.destroy(this.#disconnectedError());
  }

  /** A server's handshake failed: its tls.Server reports 'tlsClientError'; a lone socket errors. */
  #clientError(err: Error): void {
    if (this.listenerCount('_tlsClientError')) this.emit('_tlsClientError', err);
    else this.destroy(err);
  }

  #onRawEnd(): void {
    if (this.destroyed) return;
    if (!this.#secure) return this.#lostBeforeSecure();
    // A FIN without close_notify ends the stream too (Node does the same).
    this.#pushEof();
  }

  #onRawClose(): void {
    this.#rawClosed = true;
    if (this.destroyed) return;
    if (!this.#secure) return this.#lostBeforeSecure();
    // Unread decrypted data stays readable; the socket closes once it has been read.
    this.#pushEof();
    if (this.readableEnded) this.destroy();
    else this.once('end', () => queueMicrotask(() => this.destroy()));
  }

  // ---- stream.Duplex ----

  override _read(_n: number): void {
    const raw = this._raw;
    if (!this.#rawClosed && !raw.destroyed && raw.isPaused?.()) raw.resume();
  }

  override _write(chunk: Uint8Array | string, encoding: string, cb: (err?: Error | null) => void): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, (encoding as BufferEncoding) || 'utf8') : chunk;
    this.#seal(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), cb);
  }

  override _writev(chunks: { chunk: Uint8Array | string; encoding: string }[], cb: (err?: Error | null) => void): void {
    const parts = chunks.map(({ chunk, encoding }) => (typeof chunk === 'string' ? Buffer.from(chunk, (encoding as BufferEncoding) || 'utf8') : chunk));
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let off = 0;
    for (const p of parts) { all.set(p, off); off += p.byteLength; }
    this.#seal(all, cb);
  }

  #seal(data: Uint8Array, cb: (err?: Error | null) => void): void {
    const o = this.#ep.write(data);
    const wire = o.wire;
    o.wire = [];
    this.#apply(o);
    const raw = this._raw;
    if (wire.length === 0 || raw.destroyed || !raw.writable) { cb(); return; } // queued until secure, or the connection is gone
    for (let i = 0; i < wire.length - 1; i++) raw.write(wire[i]);
    raw.write(wire[wire.length - 1], () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Data written before the handshake goes out first: close once secure (RFC 8446 §6.1).
    if (!this.#secure && !this.destroyed) { this.#finalCb = cb; return; }
    this.#apply(this.#ep.close());
    const raw = this._raw;
    if (raw.destroyed || !raw.writable) { cb(); return; }
    raw.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const raw = this._raw;
    raw.off('data', this.#onData);
    raw.off('end', this.#onEnd);
    raw.off('timeout', this.#onTimeout);
    raw.on('error', () => {}); // late transport errors belong to a destroyed socket
    raw.off('error', this.#onError);
    raw.off('close', this.#onClose);
    this.#finalCb = undefined;
    cb(err);
    if (this.#closeScheduled) return;
    this.#closeScheduled = true;
    const hadError = err != null;
    // Node's order: our 'error' (queued with process.nextTick by cb), then the transport's
    // 'close', then ours. pg relies on it: its 'close' listener on the transport from before the
    // upgrade would otherwise report "Connection terminated unexpectedly" instead of the error.
    process.nextTick(() => {
      if (!raw.destroyed) raw.destroy();
      process.nextTick(() => this.emit('close', hadError));
    });
  }

  // ---- Node's socket API ----

  get connecting(): boolean { return (this._raw as { connecting?: boolean }).connecting ?? false; }
  get pending(): boolean { return (this._raw as { pending?: boolean }).pending ?? false; }
  get readyState(): string {
    if (this.connecting) return 'opening';
    if (this.destroyed) return 'closed';
    const r = this.readable, w = this.writable;
    return r && w ? 'open' : r ? 'readOnly' : w ? 'writeOnly' : 'closed';
  }
  get bytesRead(): number { return (this._raw as { bytesRead?: number }).bytesRead ?? 0; }
  get bytesWritten(): number { return (this._raw as { bytesWritten?: number }).bytesWritten ?? 0; }
  get remoteAddress(): string | undefined { return this._raw.remoteAddress; }
  get remotePort(): number | undefined { return this._raw.remotePort; }
  get remoteFamily(): string | undefined { return this._raw.remoteFamily; }
  get localAddress(): string | undefined { return this._raw.localAddress; }
  get localPort(): number | undefined { return this._raw.localPort; }
  address() { return this._raw.address(); }
  setNoDelay(v = true): this { this._raw.setNoDelay?.(v); return this; }
  setKeepAlive(e = false, d = 0): this { this._raw.setKeepAlive?.(e, d); return this; }
  setTimeout(ms: number, cb?: Cb): this {
    this._raw.setTimeout?.(ms);
    if (cb) { if (ms === 0) this.off('timeout', cb); else this.once('timeout', cb); }
    return this;
  }
  ref(): this { this._raw.ref?.(); return this; }
  unref(): this { this._raw.unref?.(); return this; }

  // ---- TLS accessors ----

  getProtocol(): string | null { return this.#ep.version ?? null; }
  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const s = this.#ep.suite;
    return s && { name: s.name, standardName: s.standardName, version: s.version };
  }
  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> {
    const presented = (this.#ep as TlsClient | TlsServer).peerCertificates;
    if (!presented.length) return {};
    const certs = detailed && this.#verifiedChain ? this.#verifiedChain : presented;
    const objs = certs.map(peerCertificateObject);
    if (detailed) {
      for (let i = 0; i + 1 < objs.length; i++) objs[i].issuerCertificate = objs[i + 1];
      // As Node (OpenSSL): a self-issued last certificate is its own issuer.
      const last = certs[certs.length - 1];
      if (bytesEqual(last.issuer.raw, last.subject.raw)) objs[objs.length - 1].issuerCertificate = objs[objs.length - 1];
    }
    return objs[0];
  }
  /** Our own certificate (the server's first identity; a client sends none). */
  getCertificate(): PeerCertificate | null {
    const der = this.#opts.isServer ? this.#ctx.identities[0]?.chain[0] : undefined;
    return der ? peerCertificateObject(parseCertificate(der)) : null;
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
