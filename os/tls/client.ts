/**
 * The TLS client (RFC 8446 §4 for 1.3; 1.2 servers are handed to client12.ts after the
 * ServerHello). States follow RFC 8446 §A.1.
 */
import { bytesEqual } from '../crypto/hash.ts';
import { GROUP_CODES, generateKeyShare, groupByCode, type GroupName, type KeyShare } from '../crypto/kex.ts';
import { sign, verifySignature, type PrivateKey } from '../crypto/keys.ts';
import {
  Alert, ContentType, DOWNGRADE_TLS11, DOWNGRADE_TLS12, ExtensionType as X, HRR_RANDOM, HandshakeType as H, TLS12, TLS13,
} from './constants.ts';
import { TlsEndpoint, type EndpointOptions } from './connection.ts';
import { TlsAlert } from './errors.ts';
import {
  certificateVerifyContent, decodeSession, encodeCertificate13, encodeSession, parseCertificate13,
  parseCertificateVerify, parseNewSessionTicket, unexpected, verifyAlert, type ClientSession,
} from './handshake-common.ts';
import { KeySchedule, Transcript, finishedMac, resumptionPsk } from './key-schedule.ts';
import {
  encodeAlpn, encodeServerName, frameHandshake, parseServerHello, readAlpn, readExtensions, readU16List, u16List,
  type HandshakeMessage, type ServerHello,
} from './messages.ts';
import { SIGNATURE_SCHEMES, TLS12_SUITES, TLS13_SUITES, isTls13Scheme, keyFits, schemeByCode, suiteByCode } from './suites.ts';
import { Reader, Writer } from './wire.ts';
import type { RecordProtection } from './record.ts';
import { parseCertificate, type Certificate } from './x509/certificate.ts';
import type { VerifyFailure } from './x509/verify.ts';
import { Tls12ClientFlow, type Tls12Hooks } from './client12.ts';

export interface ClientOptions extends EndpointOptions {
  /** SNI host name (RFC 6066 §3); not sent for IP addresses. */
  serverName?: string;
  alpnProtocols?: string[];
  groups?: GroupName[];
  /** Groups that get a key share in the first ClientHello (default: the first group). */
  keyShares?: GroupName[];
  /** Cipher suite codes, in preference order. */
  suites?: number[];
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Chain check: null when trusted (called with DER certificates, leaf first). */
  verify?: (chain: Certificate[], now: number) => VerifyFailure | null;
  /** Abort the handshake when `verify` fails (Node's rejectUnauthorized). */
  rejectUnauthorized?: boolean;
  /** A session from an earlier `session` event, to resume (RFC 8446 §2.2). */
  session?: Uint8Array;
  /** Our certificate chain and key, sent when the server asks (RFC 8446 §4.4.2). */
  certificate?: { chain: Uint8Array[]; key: PrivateKey };
}

const DEFAULT_GROUPS: GroupName[] = ['x25519', 'secp256r1', 'secp384r1'];

type State = 'start' | 'wait_sh' | 'wait_ee' | 'wait_cert_cr' | 'wait_cert' | 'wait_cv' | 'wait_finished' | 'connected' | 'tls12';

export class TlsClient extends TlsEndpoint {
  readonly opts: ClientOptions;
  #state: State = 'start';
  #transcript: Transcript;
  #random: Uint8Array = new Uint8Array(32);
  #sessionId: Uint8Array = new Uint8Array(0);
  #shares: KeyShare[] = [];
  #groups: GroupName[];
  #suites: number[];
  #hrr = false;
  #ks: KeySchedule | null = null;
  #serverHs: Uint8Array = new Uint8Array(0);
  #clientHs: Uint8Array = new Uint8Array(0);
  #session: ClientSession | null = null;
  #pskAccepted = false;
  #certRequestSchemes: number[] = [];
  #certRequest: Uint8Array | null = null;
  #cookie: Uint8Array | null = null;
  #resMaster: Uint8Array | null = null;
  #tls12: Tls12ClientFlow | null = null;
  #ccsSent = false;
  peerCertificates: Certificate[] = [];
  authorized = false;
  authorizationError: string | null = null;
  /** Whether the session resumed a ticket. */
  resumed = false;

  constructor(opts: ClientOptions) {
    super(opts);
    this.opts = opts;
    this.#transcript = new Transcript({ keepMessages: opts.certificate !== undefined && (opts.minVersion ?? 'TLSv1.2') === 'TLSv1.2' });
    this.#groups = opts.groups ?? DEFAULT_GROUPS;
    const allow12 = (opts.minVersion ?? 'TLSv1.2') === 'TLSv1.2';
    const allow13 = (opts.maxVersion ?? 'TLSv1.3') === 'TLSv1.3';
    this.#suites = opts.suites ?? [...(allow13 ? TLS13_SUITES : []), ...(allow12 ? TLS12_SUITES : [])].map((s) => s.code);
    if (!allow13) this.#suites = this.#suites.filter((c) => suiteByCode(c)?.version === 'TLSv1.2');
    if (!allow12) this.#suites = this.#suites.filter((c) => suiteByCode(c)?.version === 'TLSv1.3');
    if (opts.session && allow13) this.#session = decodeSession(opts.session);
  }

  get #allow12(): boolean { return (this.opts.minVersion ?? 'TLSv1.2') === 'TLSv1.2'; }
  get #allow13(): boolean { return (this.opts.maxVersion ?? 'TLSv1.3') === 'TLSv1.3'; }
  get clientRandom(): Uint8Array { return this.#random; }

  protected override onStart(): void {
    if (this.#state !== 'start') return;
    this.#random = this.random(32);
    // RFC 8446 §D.4 middlebox compatibility: a non-empty legacy_session_id.
    this.#sessionId = this.#allow13 ? this.random(32) : new Uint8Array(0);
    const first = this.opts.keyShares ?? [this.#groups[0]];
    this.#shares = first.map((g) => generateKeyShare(g, this.random));
    this.records.plainVersion = 0x0301;
    this.#sendClientHello();
    this.records.plainVersion = 0x0303;
    this.#state = 'wait_sh';
  }

  #sendClientHello(): void {
    const sn = this.opts.serverName;
    const exts: [number, Uint8Array][] = [];
    if (sn && !/^[\d.]+$|:/.test(sn)) exts.push([X.server_name, encodeServerName(sn)]);
    exts.push([X.supported_groups, u16List(this.#groups.map((g) => GROUP_CODES[g]))]);
    if (this.#allow12) {
      exts.push([X.ec_point_formats, new Uint8Array([1, 0])]);
      exts.push([X.extended_master_secret, new Uint8Array(0)]);
      exts.push([X.renegotiation_info, new Uint8Array([0])]);
    }
    exts.push([X.signature_algorithms, u16List(SIGNATURE_SCHEMES.map((s) => s.code))]);
    if (this.opts.alpnProtocols?.length) exts.push([X.alpn, encodeAlpn(this.opts.alpnProtocols)]);
    if (this.#allow13) {
      const versions = this.#allow12 ? [TLS13, TLS12] : [TLS13];
      exts.push([X.supported_versions, new Writer().block(1, (w) => versions.forEach((v) => w.u16(v))).finish()]);
      exts.push([X.key_share, new Writer().block(2, (w) => this.#shares.forEach((s) => w.u16(GROUP_CODES[s.group]).vec(2, s.publicKey))).finish()]);
      if (this.#cookie) exts.push([X.cookie, new Writer().vec(2, this.#cookie).finish()]);
      exts.push([X.psk_key_exchange_modes, new Uint8Array([1, 1])]);
    }
    const session = this.#usableSession();
    let binderLen = 0;
    if (session) {
      const hl = suiteByCode(session.suite)!.hash.outputLen;
      const age = ((this.now - session.receivedAt) + session.ageAdd) >>> 0;
      const psk = new Writer()
        .block(2, (w) => w.vec(2, session.ticket).u32(age))
        .block(2, (w) => w.vec(1, new Uint8Array(hl)))
        .finish();
      binderLen = 2 + 1 + hl;
      exts.push([X.pre_shared_key, psk]); // RFC 8446 §4.2.11: must be last
    }
    const w = new Writer().u16(TLS12).bytes(this.#random).vec(1, this.#sessionId);
    const suites = this.#suites.slice();
    if (this.#allow12) suites.push(0x00ff); // RFC 5746 §3.3 TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    w.vec(2, u16List(suites).subarray(2)).vec(1, new Uint8Array([0]));
    w.block(2, (l) => { for (const [t, d] of exts) l.u16(t).vec(2, d); });
    const msg = frameHandshake(H.client_hello, w.finish());
    if (session) {
      // RFC 8446 §4.2.11.2: the binder covers the ClientHello up to the binders list.
      const suite = suiteByCode(session.suite)!;
      const ks = new KeySchedule(suite, session.psk);
      const truncated = msg.subarray(0, msg.length - binderLen);
      const t = this.#transcriptCopyHash(suite.hash, truncated);
      msg.set(finishedMac(suite.hash, ks.binderKey(true), t), msg.length - binderLen + 3);
    }
    this.#transcript.add(msg);
    this.sendRaw(ContentType.handshake, msg);
  }

  /** Transcript hash so far plus `extra`, under hash `h` (before the suite is known). */
  #transcriptCopyHash(h: KeySchedule['h'], extra: Uint8Array): Uint8Array {
    if (this.#transcript.hashed) return this.#transcript.digestWith(extra);
    return h(extra);
  }

  #usableSession(): ClientSession | null {
    const s = this.#session;
    if (!s || !this.#allow13) return null;
    if (s.serverName !== (this.opts.serverName ?? '')) return null;
    if (this.now - s.receivedAt > s.lifetime * 1000) return null;
    if (!this.#suites.includes(s.suite)) return null;
    // After an HRR only a PSK whose hash matches the chosen suite may stay (RFC 8446 §4.1.4).
    if (this.#hrr && this.suite && suiteByCode(s.suite)!.hash !== this.suite.hash) return null;
    return s;
  }

  protected acceptCcs(data: Uint8Array): boolean {
    if (this.#state === 'tls12') return this.#tls12!.acceptCcs(data);
    // RFC 8446 §5: a single 0x01 CCS may arrive during the handshake; ignore it.
    return data.length === 1 && data[0] === 1 && (this.#state !== 'wait_sh' || this.#hrr) && this.#state !== 'connected';
  }

  protected onHandshake(msg: HandshakeMessage): void {
    if (this.#state === 'tls12') return this.#tls12!.onHandshake(msg);
    switch (this.#state) {
      case 'wait_sh':
        if (msg.type !== H.server_hello) throw unexpected(`handshake message ${msg.type} before ServerHello`);
        return this.#onServerHello(msg);
      case 'wait_ee':
        if (msg.type !== H.encrypted_extensions) throw unexpected('message instead of EncryptedExtensions');
        return this.#onEncryptedExtensions(msg);
      case 'wait_cert_cr':
        if (msg.type === H.certificate_request) {
          const r = new Reader(msg.body);
          this.#certRequest = r.vec(1).slice();
          const sa = readExtensions(r).map.get(X.signature_algorithms);
          r.end();
          // §4.3.2: signature_algorithms must be in a CertificateRequest.
          if (!sa) throw new TlsAlert(Alert.missing_extension, 'CertificateRequest without signature_algorithms');
          this.#certRequestSchemes = readU16List(sa);
          this.#transcript.add(msg.raw);
          this.#state = 'wait_cert';
          return;
        }
        if (msg.type !== H.certificate) throw unexpected('message instead of Certificate');
        return this.#onCertificate(msg);
      case 'wait_cert':
        if (msg.type !== H.certificate) throw unexpected('message instead of Certificate');
        return this.#onCertificate(msg);
      case 'wait_cv':
        if (msg.type !== H.certificate_verify) throw unexpected('message instead of CertificateVerify');
        return this.#onCertificateVerify(msg);
      case 'wait_finished':
        if (msg.type !== H.finished) throw unexpected('message instead of Finished');
        return this.#onFinished(msg);
      case 'connected':
        if (msg.type === H.new_session_ticket) return this.#onTicket(msg);
        if (this.onPostHandshake13(msg)) return;
        throw unexpected(`post-handshake message ${msg.type}`);
    }
    throw unexpected('handshake message');
  }

  #onServerHello(msg: HandshakeMessage): void {
    const sh = parseServerHello(msg.body);
    const sv = sh.extensions.get(X.supported_versions);
    let version = sh.version;
    if (sv) {
      const r = new Reader(sv);
      version = r.u16();
      r.end();
      if (version !== TLS13 || !this.#allow13) throw new TlsAlert(Alert.illegal_parameter, 'server selected a version we did not offer');
    }
    if (version === TLS12 && !sv) {
      if (!this.#allow12) throw new TlsAlert(Alert.protocol_version, 'server only speaks TLS 1.2');
      // RFC 8446 §4.1.3: a 1.3 client must check for the downgrade sentinel.
      const tail = sh.random.subarray(24);
      if (this.#allow13 && (bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11))) {
        throw new TlsAlert(Alert.illegal_parameter, 'downgrade to TLS 1.2 detected');
      }
      const suite = suiteByCode(sh.suite);
      if (!suite || suite.version !== 'TLSv1.2' || !this.#suites.includes(sh.suite)) throw new TlsAlert(Alert.illegal_parameter, 'server chose a suite we did not offer');
      this.version = 'TLSv1.2';
      this.suite = suite;
      this.#state = 'tls12';
      this.#tls12 = new Tls12ClientFlow(this, this.#tls12Hooks(), sh, msg.raw, this.#transcript);
      return;
    }
    if (version !== TLS13) throw new TlsAlert(Alert.protocol_version, 'unsupported protocol version');
    if (!bytesEqual(sh.sessionId, this.#sessionId)) throw new TlsAlert(Alert.illegal_parameter, 'legacy_session_id not echoed');
    if (sh.compression !== 0) throw new TlsAlert(Alert.illegal_parameter, 'compression selected');
    const suite = suiteByCode(sh.suite);
    if (!suite || suite.version !== 'TLSv1.3' || !this.#suites.includes(sh.suite)) throw new TlsAlert(Alert.illegal_parameter, 'server chose a suite we did not offer');
    if (this.suite && this.suite !== suite) throw new TlsAlert(Alert.illegal_parameter, 'suite changed after HelloRetryRequest');
    this.suite = suite;
    this.version = 'TLSv1.3';
    this.#transcript.dropMessages(); // kept only for a TLS 1.2 CertificateVerify
    if (bytesEqual(sh.random, HRR_RANDOM)) return this.#onHelloRetry(sh, msg);
    this.#transcript.setHash(suite.hash);
    this.#transcript.add(msg.raw);

    let psk: Uint8Array | undefined;
    const pskExt = sh.extensions.get(X.pre_shared_key);
    if (pskExt) {
      const r = new Reader(pskExt);
      const idx = r.u16();
      r.end();
      const s = this.#usableSession();
      if (idx !== 0 || !s) throw new TlsAlert(Alert.illegal_parameter, 'server selected a PSK we did not offer');
      if (suiteByCode(s.suite)!.hash !== suite.hash) throw new TlsAlert(Alert.illegal_parameter, 'PSK hash mismatch');
      psk = s.psk;
      this.#pskAccepted = true;
      this.resumed = true;
    }
    const ksExt = sh.extensions.get(X.key_share);
    if (!ksExt) throw new TlsAlert(Alert.missing_extension, 'no key_share in ServerHello');
    const r = new Reader(ksExt);
    const group = r.u16();
    const key = r.vec(2, 1);
    r.end();
    const share = this.#shares.find((s) => GROUP_CODES[s.group] === group);
    if (!share) throw new TlsAlert(Alert.illegal_parameter, 'key share for a group we did not send');
    const shared = share.agree(key);
    if (!shared) throw new TlsAlert(Alert.illegal_parameter, 'invalid key share');
    for (const t of sh.extensions.keys()) {
      if (t !== X.supported_versions && t !== X.key_share && t !== X.pre_shared_key) throw new TlsAlert(Alert.unsupported_extension, `extension ${t} in ServerHello`);
    }
    this.#ks = new KeySchedule(suite, psk);
    this.#ks.withShared(shared);
    const s = this.#ks.handshakeSecrets(this.#transcript.digest());
    this.#serverHs = s.server;
    this.#clientHs = s.client;
    this.#keylog('SERVER_HANDSHAKE_TRAFFIC_SECRET', s.server);
    this.#keylog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', s.client);
    this.setReadKeys(this.protection13(s.server));
    this.#state = 'wait_ee';
  }

  #onHelloRetry(sh: ServerHello, msg: HandshakeMessage): void {
    if (this.#hrr) throw new TlsAlert(Alert.unexpected_message, 'second HelloRetryRequest');
    this.#hrr = true;
    if (!bytesEqual(sh.sessionId, this.#sessionId)) throw new TlsAlert(Alert.illegal_parameter, 'legacy_session_id not echoed');
    const ks = sh.extensions.get(X.key_share);
    const cookie = sh.extensions.get(X.cookie);
    if (!ks && !cookie) throw new TlsAlert(Alert.illegal_parameter, 'HelloRetryRequest changes nothing');
    if (ks) {
      const r = new Reader(ks);
      const code = r.u16();
      r.end();
      const g = groupByCode(code);
      // RFC 8446 §4.2.8: the group must be one we offered and not one we sent a share for.
      if (!g || !this.#groups.includes(g) || this.#shares.some((s) => s.group === g)) throw new TlsAlert(Alert.illegal_parameter, 'bad group in HelloRetryRequest');
      this.#shares = [generateKeyShare(g, this.random)];
    }
    if (cookie) {
      const r = new Reader(cookie);
      this.#cookie = r.vec(2, 1).slice();
      r.end();
    }
    this.#transcript.restartAfterHrr(this.suite!.hash);
    this.#transcript.add(msg.raw);
    if (!this.#ccsSent) { this.sendRaw(ContentType.change_cipher_spec, new Uint8Array([1])); this.#ccsSent = true; }
    this.#sendClientHello();
  }

  #onEncryptedExtensions(msg: HandshakeMessage): void {
    const r = new Reader(msg.body);
    const { map } = readExtensions(r);
    r.end();
    const alpn = map.get(X.alpn);
    if (alpn) {
      const list = readAlpn(alpn);
      if (list.length !== 1 || !this.opts.alpnProtocols?.includes(list[0])) throw new TlsAlert(Alert.illegal_parameter, 'server chose an ALPN protocol we did not offer');
      this.alpnProtocol = list[0];
    }
    for (const t of [X.key_share, X.supported_versions, X.pre_shared_key, X.signature_algorithms]) {
      if (map.has(t)) throw new TlsAlert(Alert.illegal_parameter, `extension ${t} in EncryptedExtensions`);
    }
    this.#transcript.add(msg.raw);
    this.#state = this.#pskAccepted ? 'wait_finished' : 'wait_cert_cr';
  }

  #onCertificate(msg: HandshakeMessage): void {
    const { chain } = parseCertificate13(msg.body);
    if (chain.length === 0) throw new TlsAlert(Alert.decode_error, 'server sent no certificate');
    try {
      this.peerCertificates = chain.map((c) => parseCertificate(c));
    } catch (e) {
      throw new TlsAlert(Alert.bad_certificate, `unparseable certificate: ${(e as Error).message}`);
    }
    if (!this.peerCertificates[0].publicKey) throw new TlsAlert(Alert.unsupported_certificate, 'unsupported certificate key');
    this.#transcript.add(msg.raw);
    this.#state = 'wait_cv';
  }

  #onCertificateVerify(msg: HandshakeMessage): void {
    const { scheme, signature } = parseCertificateVerify(msg.body);
    const s = schemeByCode(scheme);
    const key = this.peerCertificates[0].publicKey!;
    if (!s || !isTls13Scheme(s) || !keyFits(s, key, true)) throw new TlsAlert(Alert.illegal_parameter, `signature scheme ${scheme} not offered or not fit for the key`);
    const content = certificateVerifyContent(true, this.#transcript.digest());
    if (!verifySignature(key, s, content, signature)) throw new TlsAlert(Alert.decrypt_error, 'CertificateVerify signature is invalid');
    this.#transcript.add(msg.raw);
    this.checkPeer();
    this.#state = 'wait_finished';
  }

  /** Runs the chain check; with rejectUnauthorized a failure aborts with Node's code. */
  checkPeer(): void {
    const v = this.opts.verify;
    const failure = v ? v(this.peerCertificates, this.now) : { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'no trust store' };
    this.authorized = failure === null;
    this.authorizationError = failure?.code ?? null;
    if (failure && this.opts.rejectUnauthorized !== false) throw new TlsAlert(verifyAlert(failure.code), failure.message, failure.code);
  }

  #onFinished(msg: HandshakeMessage): void {
    const h = this.suite!.hash;
    const expected = finishedMac(h, this.#serverHs, this.#transcript.digest());
    if (!bytesEqual(expected, msg.body)) throw new TlsAlert(Alert.decrypt_error, 'server Finished does not verify');
    this.#transcript.add(msg.raw);
    if (this.#pskAccepted) { this.authorized = true; this.authorizationError = null; }
    const app = this.#ks!.applicationSecrets(this.#transcript.digest());
    this.#keylog('SERVER_TRAFFIC_SECRET_0', app.server);
    this.#keylog('CLIENT_TRAFFIC_SECRET_0', app.client);
    this.#keylog('EXPORTER_SECRET', app.exporter);
    if (!this.#ccsSent) { this.sendRaw(ContentType.change_cipher_spec, new Uint8Array([1])); this.#ccsSent = true; }
    this.setWriteKeys(this.protection13(this.#clientHs));
    if (this.#certRequest) {
      // RFC 8446 §4.4.2: our chain and a CertificateVerify when a scheme the server accepts
      // fits our key; else (§4.4.2.4) an empty Certificate.
      const mine = this.opts.certificate;
      const scheme = mine && SIGNATURE_SCHEMES.find((x) => this.#certRequestSchemes.includes(x.code) && isTls13Scheme(x) && keyFits(x, mine.key, true));
      this.#transcript.add(this.sendHandshake(H.certificate, encodeCertificate13(this.#certRequest, scheme ? mine.chain : [])));
      if (mine && scheme) {
        const sig = sign(mine.key, scheme, certificateVerifyContent(false, this.#transcript.digest()), this.random);
        this.#transcript.add(this.sendHandshake(H.certificate_verify, new Writer().u16(scheme.code).vec(2, sig).finish()));
      }
    }
    const fin = finishedMac(h, this.#clientHs, this.#transcript.digest());
    this.#transcript.add(this.sendHandshake(H.finished, fin));
    this.#resMaster = this.#ks!.resumptionMaster(this.#transcript.digest());
    this.readSecret = app.server;
    this.writeSecret = app.client;
    this.setReadKeys(this.protection13(app.server));
    this.setWriteKeys(this.protection13(app.client));
    this.appReadable = true;
    this.#state = 'connected';
    this.established();
  }

  #onTicket(msg: HandshakeMessage): void {
    const t = parseNewSessionTicket(msg.body);
    if (t.lifetime === 0) return;
    const session: ClientSession = {
      suite: this.suite!.code,
      psk: resumptionPsk(this.suite!.hash, this.#resMaster!, t.nonce),
      ticket: t.ticket.slice(), ageAdd: t.ageAdd, lifetime: t.lifetime, receivedAt: this.now,
      serverName: this.opts.serverName ?? '',
    };
    this.emit({ type: 'session', session: encodeSession(session) });
  }

  #keylog(label: string, secret: Uint8Array): void {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    this.emit({ type: 'keylog', line: `${label} ${hex(this.#random)} ${hex(secret)}` });
  }

  /** What the TLS 1.2 flow needs from the endpoint (protected members, explicitly). */
  #tls12Hooks(): Tls12Hooks {
    return {
      send: (type: number, body: Uint8Array) => this.sendHandshake(type, body),
      sendRaw: (type: number, data: Uint8Array) => this.sendRaw(type, data),
      setRead: (p: RecordProtection) => this.setReadKeys(p),
      setWrite: (p: RecordProtection) => this.setWriteKeys(p),
      done: () => { this.appReadable = true; this.established(); },
      keylog: (line: string) => this.emit({ type: 'keylog', line }),
      setAlpn: (p: string) => { this.alpnProtocol = p; },
      random: (n: number) => this.random(n),
    };
  }
}

