/**
 * The TLS 1.3 server (RFC 8446 §4; states of §A.2). It negotiates suite, group (with a
 * HelloRetryRequest when the client sent no usable share), signature scheme, SNI and ALPN,
 * resumes from its own tickets (psk_dhe_ke only) and issues tickets after the handshake.
 * Clients that cannot speak TLS 1.3 get a protocol_version alert.
 */
import { AES_256_GCM } from '../crypto/aead.ts';
import { bytesEqual, concatBytes } from '../crypto/hash.ts';
import { GROUP_CODES, generateKeyShare, groupByCode, type GroupName } from '../crypto/kex.ts';
import { sign, verifySignature, type PrivateKey } from '../crypto/keys.ts';
import { Alert, ContentType, ExtensionType as X, HRR_RANDOM, HandshakeType as H, TLS12, TLS13 } from './constants.ts';
import { TlsEndpoint, type EndpointOptions } from './connection.ts';
import { TlsAlert } from './errors.ts';
import { certificateVerifyContent, encodeCertificate13, encodeNewSessionTicket, parseCertificate13, parseCertificateVerify, unexpected, verifyAlert } from './handshake-common.ts';
import { parseCertificate, type Certificate } from './x509/certificate.ts';
import type { VerifyFailure } from './x509/verify.ts';
import { KeySchedule, Transcript, finishedMac, resumptionPsk } from './key-schedule.ts';
import {
  encodeAlpn, encodeServerHello, frameHandshake, parseClientHello, readAlpn, readClientKeyShares, readServerName,
  readU16List, u16List, writeExtensions, type ClientHello, type HandshakeMessage,
} from './messages.ts';
import { SIGNATURE_SCHEMES, TLS13_SUITES, isTls13Scheme, keyFits, schemeByCode, suiteByCode, type CipherSuite, type SignatureScheme } from './suites.ts';
import { Reader, Writer } from './wire.ts';

export interface ServerIdentity { chain: Uint8Array[]; key: PrivateKey }

export interface ServerOptions extends EndpointOptions {
  identities: ServerIdentity[];
  /** SNI: another set of identities for a host name (Node's SNICallback, synchronous). */
  selectIdentities?: (serverName: string) => ServerIdentity[] | undefined;
  /** ALPN protocols we accept, our preference order; or a selector (Node's ALPNCallback). */
  alpnProtocols?: string[];
  groups?: GroupName[];
  suites?: number[];
  /** 32-byte key that seals session tickets; without it no tickets are issued or accepted. */
  ticketKey?: Uint8Array;
  ticketLifetime?: number;
  /** Tickets sent after each full handshake (OpenSSL sends 2). */
  ticketCount?: number;
  /** Ask for a client certificate (RFC 8446 §4.3.2; Node's requestCert). Not on resumption. */
  requestCert?: boolean;
  /** Client chain check: null when trusted (as the client's `verify`). */
  verifyClient?: (chain: Certificate[], now: number) => VerifyFailure | null;
  /** With requestCert: abort when the client sends no certificate or an untrusted one. */
  rejectUnauthorized?: boolean;
  /**
   * With requestCert: abort only when the client sends no certificate (certificate_required),
   * and leave an untrusted one to the caller (`authorized`), as Node does: OpenSSL's
   * SSL_VERIFY_FAIL_IF_NO_PEER_CERT, then node:tls's check after the handshake.
   */
  requireCertificate?: boolean;
}

type State = 'wait_ch' | 'wait_ch2' | 'wait_cert' | 'wait_cv' | 'wait_finished' | 'connected';

const TICKET_VERSION = 1;

export class TlsServer extends TlsEndpoint {
  readonly opts: ServerOptions;
  #state: State = 'wait_ch';
  #transcript = new Transcript();
  #ks: KeySchedule | null = null;
  #clientHs: Uint8Array = new Uint8Array(0);
  #group: GroupName | null = null;
  #ch1: ClientHello | null = null;
  #resMaster: Uint8Array | null = null;
  #ticketsSent = 0;
  serverName: string | undefined;
  resumed = false;
  /** The client's certificate chain (with requestCert), leaf first. */
  peerCertificates: Certificate[] = [];
  /** With requestCert: whether the client's chain verified, else Node's code. */
  authorized = false;
  authorizationError: string | null = null;

  constructor(opts: ServerOptions) {
    super(opts);
    this.opts = opts;
    this.records.detectHttp = true;
  }

  override get isServer(): boolean { return true; }

  protected acceptCcs(data: Uint8Array): boolean {
    return data.length === 1 && data[0] === 1 && (this.#state === 'wait_finished' || this.#state === 'wait_cert' || this.#state === 'wait_ch2');
  }

  protected onHandshake(msg: HandshakeMessage): void {
    switch (this.#state) {
      case 'wait_ch':
      case 'wait_ch2':
        if (msg.type !== H.client_hello) throw unexpected('message instead of ClientHello');
        return this.#onClientHello(msg);
      case 'wait_cert':
        if (msg.type !== H.certificate) throw unexpected('message instead of client Certificate');
        return this.#onClientCertificate(msg);
      case 'wait_cv':
        if (msg.type !== H.certificate_verify) throw unexpected('message instead of client CertificateVerify');
        return this.#onClientCertificateVerify(msg);
      case 'wait_finished':
        if (msg.type !== H.finished) throw unexpected('message instead of client Finished');
        return this.#onFinished(msg);
      case 'connected':
        if (this.onPostHandshake13(msg)) return;
        throw unexpected(`post-handshake message ${msg.type}`);
    }
  }

  #onClientHello(msg: HandshakeMessage): void {
    const ch = parseClientHello(msg.body);
    const ext = ch.extensions;
    const sv = ext.get(X.supported_versions);
    const versions = sv ? readU16List(sv, 1) : [];
    if (!versions.includes(TLS13)) {
      // OpenSSL, without a certificate, has no TLS 1.2 suite to offer either.
      if (!this.opts.identities.length && !this.opts.selectIdentities) throw new TlsAlert(Alert.handshake_failure, 'no certificate, so no cipher suite', 'ERR_SSL_NO_SHARED_CIPHER');
      throw new TlsAlert(Alert.protocol_version, 'client does not offer TLS 1.3', 'ERR_SSL_UNSUPPORTED_PROTOCOL');
    }
    if (ch.compression.length !== 1 || ch.compression[0] !== 0) throw new TlsAlert(Alert.illegal_parameter, 'compression offered');
    if (this.#ch1) {
      // RFC 8446 §4.1.2: the second ClientHello must match the first but for the retry changes.
      if (!bytesEqual(ch.random, this.#ch1.random) || !bytesEqual(ch.sessionId, this.#ch1.sessionId)) throw new TlsAlert(Alert.illegal_parameter, 'second ClientHello differs');
    }
    if (ch.order.includes(X.pre_shared_key) && ch.order[ch.order.length - 1] !== X.pre_shared_key) throw new TlsAlert(Alert.illegal_parameter, 'pre_shared_key is not the last extension');

    // Suite: the client's order among ours.
    const ours = this.opts.suites ?? TLS13_SUITES.map((s) => s.code);
    const suiteCode = this.#ch1 ? this.suite!.code : ch.suites.find((c) => ours.includes(c) && suiteByCode(c)?.version === 'TLSv1.3');
    if (suiteCode === undefined || !ch.suites.includes(suiteCode)) throw new TlsAlert(Alert.handshake_failure, 'no cipher suite in common', 'ERR_SSL_NO_SHARED_CIPHER');
    const suite = suiteByCode(suiteCode)!;
    this.suite = suite;
    this.version = 'TLSv1.3';

    // SNI (RFC 6066 §3) chooses the identities.
    const sni = ext.get(X.server_name);
    this.serverName = sni ? readServerName(sni) : undefined;
    let identities = this.opts.identities;
    if (this.serverName && this.opts.selectIdentities) identities = this.opts.selectIdentities(this.serverName) ?? identities;

    // Group and key share (RFC 8446 §4.2.7, §4.2.8).
    const groupsExt = ext.get(X.supported_groups);
    const ksExt = ext.get(X.key_share);
    if (!groupsExt || !ksExt) throw new TlsAlert(Alert.missing_extension, 'supported_groups and key_share are required');
    const clientGroups = readU16List(groupsExt);
    const shares = readClientKeyShares(ksExt);
    for (const s of shares) if (!clientGroups.includes(s.group)) throw new TlsAlert(Alert.illegal_parameter, 'key share for a group not in supported_groups');
    const ourGroups = this.opts.groups ?? ['x25519', 'secp256r1', 'secp384r1'];
    let share = shares.find((s) => { const g = groupByCode(s.group); return g && ourGroups.includes(g); });
    if (this.#ch1) {
      if (shares.length !== 1 || shares[0].group !== GROUP_CODES[this.#group!]) throw new TlsAlert(Alert.illegal_parameter, 'second ClientHello lacks the requested key share');
      share = shares[0];
    }
    if (!share) {
      const g = ourGroups.find((g) => clientGroups.includes(GROUP_CODES[g]));
      if (!g || this.#ch1) throw new TlsAlert(Alert.handshake_failure, 'no key exchange group in common', 'ERR_SSL_NO_SUITABLE_KEY_SHARE');
      return this.#sendHelloRetry(ch, msg, g);
    }

    // PSK resumption (RFC 8446 §4.2.11), else certificate authentication.
    this.#transcript.setHash(suite.hash);
    const psk = this.#acceptPsk(ch, msg.raw, suite);
    let identity: ServerIdentity | undefined;
    let scheme: SignatureScheme | undefined;
    if (!psk) {
      const sa = ext.get(X.signature_algorithms);
      if (!sa) throw new TlsAlert(Alert.missing_extension, 'signature_algorithms is required');
      const offered = readU16List(sa);
      for (const id of identities) {
        scheme = SIGNATURE_SCHEMES.find((s) => offered.includes(s.code) && isTls13Scheme(s) && keyFits(s, id.key, true));
        if (scheme) { identity = id; break; }
      }
      if (!identity || !scheme) {
        // OpenSSL's reason, also for a server without any certificate (Node creates it).
        throw new TlsAlert(Alert.handshake_failure, identities.length ? 'no certificate fits the client\'s signature algorithms' : 'no certificate configured', 'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM');
      }
    }

    // ALPN (RFC 7301 §3.2): no overlap is fatal.
    const alpnExt = ext.get(X.alpn);
    if (alpnExt && this.opts.alpnProtocols?.length) {
      const offered = readAlpn(alpnExt);
      const pick = this.opts.alpnProtocols.find((p) => offered.includes(p));
      if (!pick) throw new TlsAlert(Alert.no_application_protocol, 'no ALPN protocol in common');
      this.alpnProtocol = pick;
    }

    this.#transcript.add(msg.raw);
    const ks = generateKeyShare(groupByCode(share.group)!, this.random);
    const shared = ks.agree(share.key);
    if (!shared) throw new TlsAlert(Alert.illegal_parameter, 'invalid key share');
    const shExts: [number, Uint8Array][] = [
      [X.supported_versions, new Uint8Array([TLS13 >> 8, TLS13 & 0xff])],
      [X.key_share, new Writer().u16(share.group).vec(2, ks.publicKey).finish()],
    ];
    if (psk) shExts.push([X.pre_shared_key, new Uint8Array([0, 0])]);
    const sh = frameHandshake(H.server_hello, encodeServerHello({ version: TLS12, random: this.random(32), sessionId: ch.sessionId, suite: suite.code, compression: 0, extensions: shExts }));
    this.sendRaw(ContentType.handshake, sh);
    this.#transcript.add(sh);
    // RFC 8446 §D.4: CCS after our first flight when the client uses compatibility mode.
    if (ch.sessionId.length && !this.#ch1) this.sendRaw(ContentType.change_cipher_spec, new Uint8Array([1]));

    this.#ks = new KeySchedule(suite, psk ?? undefined);
    this.#ks.withShared(shared);
    const hs = this.#ks.handshakeSecrets(this.#transcript.digest());
    this.#clientHs = hs.client;
    this.setWriteKeys(this.protection13(hs.server));

    const eeExts: [number, Uint8Array][] = [];
    if (this.alpnProtocol) eeExts.push([X.alpn, encodeAlpn([this.alpnProtocol])]);
    if (this.serverName && !psk) eeExts.push([X.server_name, new Uint8Array(0)]);
    const ee = new Writer();
    writeExtensions(ee, eeExts);
    this.#transcript.add(this.sendHandshake(H.encrypted_extensions, ee.finish()));
    const askCert = !psk && this.opts.requestCert === true;
    if (askCert) {
      // RFC 8446 §4.3.2: an empty context in the handshake; signature_algorithms is required.
      const cr = new Writer().vec(1, new Uint8Array(0));
      writeExtensions(cr, [[X.signature_algorithms, u16List(SIGNATURE_SCHEMES.filter(isTls13Scheme).map((x) => x.code))]]);
      this.#transcript.add(this.sendHandshake(H.certificate_request, cr.finish()));
    }
    if (identity && scheme) {
      this.#transcript.add(this.sendHandshake(H.certificate, encodeCertificate13(new Uint8Array(0), identity.chain)));
      const sig = sign(identity.key, scheme, certificateVerifyContent(true, this.#transcript.digest()), this.random);
      this.#transcript.add(this.sendHandshake(H.certificate_verify, new Writer().u16(scheme.code).vec(2, sig).finish()));
    }
    this.#transcript.add(this.sendHandshake(H.finished, finishedMac(suite.hash, hs.server, this.#transcript.digest())));
    const app = this.#ks.applicationSecrets(this.#transcript.digest());
    this.readSecret = app.client;
    this.writeSecret = app.server;
    this.setWriteKeys(this.protection13(app.server));
    this.setReadKeys(this.protection13(hs.client));
    this.resumed = psk !== null;
    this.#state = askCert ? 'wait_cert' : 'wait_finished';
  }

  /** RFC 8446 §4.4.2: the client's Certificate (empty when it has none, §4.4.2.4). */
  #onClientCertificate(msg: HandshakeMessage): void {
    const { context, chain } = parseCertificate13(msg.body);
    if (context.length !== 0) throw new TlsAlert(Alert.illegal_parameter, 'client Certificate with a context we did not send');
    this.#transcript.add(msg.raw);
    if (chain.length === 0) {
      this.authorizationError = 'UNABLE_TO_GET_ISSUER_CERT';
      // §4.4.2.4: a server that requires one aborts with certificate_required.
      if (this.opts.rejectUnauthorized || this.opts.requireCertificate) throw new TlsAlert(Alert.certificate_required, 'peer did not return a certificate', 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
      this.#state = 'wait_finished';
      return;
    }
    try {
      this.peerCertificates = chain.map((c) => parseCertificate(c));
    } catch (e) {
      throw new TlsAlert(Alert.bad_certificate, `unparseable certificate: ${(e as Error).message}`);
    }
    if (!this.peerCertificates[0].publicKey) throw new TlsAlert(Alert.unsupported_certificate, 'unsupported certificate key');
    this.#state = 'wait_cv';
  }

  /** RFC 8446 §4.4.3: the client proves it holds the key (context string "client"). */
  #onClientCertificateVerify(msg: HandshakeMessage): void {
    const { scheme, signature } = parseCertificateVerify(msg.body);
    const sc = schemeByCode(scheme);
    const key = this.peerCertificates[0].publicKey!;
    if (!sc || !isTls13Scheme(sc) || !keyFits(sc, key, true)) throw new TlsAlert(Alert.illegal_parameter, `signature scheme ${scheme} not offered or not fit for the key`);
    if (!verifySignature(key, sc, certificateVerifyContent(false, this.#transcript.digest()), signature)) {
      throw new TlsAlert(Alert.decrypt_error, 'client CertificateVerify signature is invalid');
    }
    this.#transcript.add(msg.raw);
    const v = this.opts.verifyClient;
    const failure = v ? v(this.peerCertificates, this.now) : { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', message: 'no trust store' };
    this.authorized = failure === null;
    this.authorizationError = failure?.code ?? null;
    if (failure && this.opts.rejectUnauthorized) throw new TlsAlert(verifyAlert(failure.code), failure.message, failure.code);
    this.#state = 'wait_finished';
  }

  #sendHelloRetry(ch: ClientHello, msg: HandshakeMessage, g: GroupName): void {
    this.#ch1 = ch;
    this.#group = g;
    this.#transcript.add(msg.raw);
    this.#transcript.restartAfterHrr(this.suite!.hash);
    const exts: [number, Uint8Array][] = [
      [X.supported_versions, new Uint8Array([TLS13 >> 8, TLS13 & 0xff])],
      [X.key_share, new Uint8Array([GROUP_CODES[g] >> 8, GROUP_CODES[g] & 0xff])],
    ];
    const hrr = frameHandshake(H.server_hello, encodeServerHello({ version: TLS12, random: HRR_RANDOM, sessionId: ch.sessionId, suite: this.suite!.code, compression: 0, extensions: exts }));
    this.sendRaw(ContentType.handshake, hrr);
    this.#transcript.add(hrr);
    if (ch.sessionId.length) this.sendRaw(ContentType.change_cipher_spec, new Uint8Array([1]));
    this.#state = 'wait_ch2';
  }

  /** Returns the PSK when the first identity is one of our tickets and its binder verifies. */
  #acceptPsk(ch: ClientHello, raw: Uint8Array, suite: CipherSuite): Uint8Array | null {
    const ext = ch.extensions.get(X.pre_shared_key);
    const modes = ch.extensions.get(X.psk_key_exchange_modes);
    if (!ext || !this.opts.ticketKey) return null;
    if (!modes) throw new TlsAlert(Alert.missing_extension, 'pre_shared_key without psk_key_exchange_modes');
    const mr = new Reader(modes);
    if (!Array.from(mr.vec(1, 1)).includes(1)) return null; // only psk_dhe_ke
    const r = new Reader(ext);
    const ids = r.sub(2, 7);
    const bindersVec = r.vec(2, 33);
    r.end();
    const first = { identity: ids.vec(2, 1), age: ids.u32() };
    const br = new Reader(bindersVec);
    const binder = br.vec(1, 32);
    const t = this.#openTicket(first.identity);
    if (!t || t.suite !== suite.code && suiteByCode(t.suite)?.hash !== suite.hash) return null;
    const ageMs = ((first.age - t.ageAdd) >>> 0);
    if (this.now - t.issuedAt > (this.opts.ticketLifetime ?? 7200) * 1000 || Math.abs(this.now - t.issuedAt - ageMs) > 10000) return null;
    // RFC 8446 §4.2.11.2: binder over the ClientHello up to the binders list.
    const truncated = raw.subarray(0, raw.length - 2 - bindersVec.length);
    const ks = new KeySchedule(suite, t.psk);
    const expected = finishedMac(suite.hash, ks.binderKey(true), this.#transcript.digestWith(truncated));
    if (!bytesEqual(expected, binder)) throw new TlsAlert(Alert.decrypt_error, 'PSK binder does not verify');
    return t.psk;
  }

  #onFinished(msg: HandshakeMessage): void {
    const expected = finishedMac(this.suite!.hash, this.#clientHs, this.#transcript.digest());
    if (!bytesEqual(expected, msg.body)) throw new TlsAlert(Alert.decrypt_error, 'client Finished does not verify');
    this.#transcript.add(msg.raw);
    this.#resMaster = this.#ks!.resumptionMaster(this.#transcript.digest());
    this.setReadKeys(this.protection13(this.readSecret!));
    this.appReadable = true;
    this.#state = 'connected';
    if (this.opts.ticketKey) for (let i = 0; i < (this.opts.ticketCount ?? 1); i++) this.#sendTicket();
    this.established();
  }

  #sendTicket(): void {
    const nonce = new Uint8Array([this.#ticketsSent++]);
    const psk = resumptionPsk(this.suite!.hash, this.#resMaster!, nonce);
    const ageAdd = new DataView(this.random(4).buffer).getUint32(0);
    const plain = new Writer().u8(TICKET_VERSION).u16(this.suite!.code).u32(Math.floor(this.now / 2 ** 32)).u32(this.now >>> 0).u32(ageAdd).vec(1, psk).finish();
    const iv = this.random(12);
    const ticket = concatBytes(iv, AES_256_GCM.seal(this.opts.ticketKey!, iv, new Uint8Array(0), plain));
    this.sendHandshake(H.new_session_ticket, encodeNewSessionTicket({ lifetime: this.opts.ticketLifetime ?? 7200, ageAdd, nonce, ticket }));
  }

  #openTicket(ticket: Uint8Array): { suite: number; issuedAt: number; ageAdd: number; psk: Uint8Array } | null {
    if (ticket.length < 12 + 16) return null;
    const plain = AES_256_GCM.open(this.opts.ticketKey!, ticket.subarray(0, 12), new Uint8Array(0), ticket.subarray(12));
    if (!plain) return null;
    try {
      const r = new Reader(plain);
      if (r.u8() !== TICKET_VERSION) return null;
      const suite = r.u16();
      const issuedAt = r.u32() * 2 ** 32 + r.u32();
      const ageAdd = r.u32();
      const psk = r.vec(1, 1);
      r.end();
      return { suite, issuedAt, ageAdd, psk };
    } catch {
      return null;
    }
  }
}
