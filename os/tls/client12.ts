/**
 * The TLS 1.2 client flow (RFC 5246 §7.3) for servers without 1.3: ECDHE key exchange
 * (RFC 8422), AEAD records (RFC 5288, RFC 7905), extended master secret (RFC 7627), a client
 * certificate when asked (§7.4.4, §7.4.6, §7.4.8), and renegotiation refused (RFC 5746).
 */
import { bytesEqual, concatBytes, hmac, type Hash } from '../crypto/hash.ts';
import { generateKeyShare, groupByCode } from '../crypto/kex.ts';
import { sign, verifySignature, type PrivateKey } from '../crypto/keys.ts';
import { Alert, ContentType, ExtensionType as X, HandshakeType as H } from './constants.ts';
import { TlsAlert } from './errors.ts';
import { unexpected } from './handshake-common.ts';
import type { Transcript } from './key-schedule.ts';
import { readAlpn, type HandshakeMessage, type ServerHello } from './messages.ts';
import { Tls12AeadProtection, type RecordProtection } from './record.ts';
import { SIGNATURE_SCHEMES, keyFits, schemeByCode, type CipherSuite } from './suites.ts';
import { Reader, Writer } from './wire.ts';
import { parseCertificate, type Certificate } from './x509/certificate.ts';

/** What the flow may do to the endpoint that owns it. */
export interface Tls12Hooks {
  send(type: number, body: Uint8Array): Uint8Array;
  sendRaw(type: number, data: Uint8Array): void;
  setRead(p: RecordProtection): void;
  setWrite(p: RecordProtection): void;
  done(): void;
  keylog(line: string): void;
  setAlpn(p: string): void;
  random(n: number): Uint8Array;
}

/** The endpoint state the flow reads and fills. */
interface Owner {
  suite: CipherSuite | undefined;
  peerCertificates: Certificate[];
  readonly clientRandom: Uint8Array;
  readonly opts: { alpnProtocols?: string[]; certificate?: { chain: Uint8Array[]; key: PrivateKey } };
  checkPeer(): void;
}

const enc = new TextEncoder();

/** RFC 5246 §5 PRF with the suite's hash. */
export function prf12(h: Hash, secret: Uint8Array, label: string, seed: Uint8Array, len: number): Uint8Array {
  const s = concatBytes(enc.encode(label), seed);
  const out = new Uint8Array(len);
  let a = s;
  for (let o = 0; o < len;) {
    a = hmac(h, secret, a);
    const p = hmac(h, secret, concatBytes(a, s));
    out.set(p.subarray(0, Math.min(p.length, len - o)), o);
    o += p.length;
  }
  return out;
}

type State = 'cert' | 'ske' | 'done' | 'ccs' | 'finished' | 'connected';

export class Tls12ClientFlow {
  #state: State = 'cert';
  #serverRandom: Uint8Array;
  #ems: boolean;
  #ske: { group: number; key: Uint8Array } | null = null;
  #certRequested = false;
  /** The signature schemes the server's CertificateRequest accepts. */
  #certSchemes: number[] = [];
  #master: Uint8Array = new Uint8Array(0);
  #readPending: RecordProtection | null = null;

  constructor(readonly owner: Owner, readonly hooks: Tls12Hooks, sh: ServerHello, raw: Uint8Array, readonly transcript: Transcript) {
    this.#serverRandom = sh.random;
    const ri = sh.extensions.get(X.renegotiation_info);
    // RFC 5746 §3.4: we sent the SCSV, so renegotiation_info must be empty if present.
    if (ri && !(ri.length === 1 && ri[0] === 0)) throw new TlsAlert(Alert.handshake_failure, 'bad renegotiation_info');
    this.#ems = sh.extensions.has(X.extended_master_secret);
    const alpn = sh.extensions.get(X.alpn);
    if (alpn) {
      const list = readAlpn(alpn);
      if (list.length !== 1 || !owner.opts.alpnProtocols?.includes(list[0])) throw new TlsAlert(Alert.illegal_parameter, 'unexpected ALPN protocol');
      hooks.setAlpn(list[0]);
    }
    transcript.setHash(owner.suite!.hash);
    transcript.add(raw);
  }

  acceptCcs(data: Uint8Array): boolean {
    if (this.#state !== 'ccs' || data.length !== 1 || data[0] !== 1) return false;
    this.hooks.setRead(this.#readPending!);
    this.#state = 'finished';
    return true;
  }

  onHandshake(msg: HandshakeMessage): void {
    switch (this.#state) {
      case 'cert':
        if (msg.type !== H.certificate) throw unexpected('message instead of Certificate');
        return this.#onCertificate(msg);
      case 'ske':
        if (msg.type !== H.server_key_exchange) throw unexpected('message instead of ServerKeyExchange');
        return this.#onServerKeyExchange(msg);
      case 'done':
        if (msg.type === H.certificate_request && !this.#certRequested) {
          // RFC 5246 §7.4.4: certificate_types, supported_signature_algorithms, certificate_authorities.
          const r = new Reader(msg.body);
          r.vec(1, 1);
          const algs = new Reader(r.vec(2, 2));
          while (algs.remaining) this.#certSchemes.push(algs.u16());
          r.vec(2, 0);
          r.end();
          this.#certRequested = true;
          this.transcript.add(msg.raw);
          return;
        }
        if (msg.type !== H.server_hello_done) throw unexpected('message instead of ServerHelloDone');
        if (msg.body.length) throw new TlsAlert(Alert.decode_error, 'non-empty ServerHelloDone');
        this.transcript.add(msg.raw);
        return this.#sendClientFlight();
      case 'finished':
        if (msg.type !== H.finished) throw unexpected('message instead of Finished');
        return this.#onFinished(msg);
      case 'connected':
        // RFC 5746 / RFC 5246 §7.4.1.1: we refuse renegotiation with a warning alert.
        if (msg.type === H.hello_request && msg.body.length === 0) {
          this.hooks.sendRaw(ContentType.alert, new Uint8Array([1, Alert.no_renegotiation]));
          return;
        }
    }
    throw unexpected(`handshake message ${msg.type}`);
  }

  #onCertificate(msg: HandshakeMessage): void {
    const r = new Reader(msg.body);
    const list = r.sub(3, 1);
    r.end();
    const chain: Certificate[] = [];
    try {
      while (list.remaining) chain.push(parseCertificate(list.vec(3, 1)));
    } catch (e) {
      if (e instanceof TlsAlert) throw e;
      throw new TlsAlert(Alert.bad_certificate, `unparseable certificate: ${(e as Error).message}`);
    }
    if (!chain[0].publicKey) throw new TlsAlert(Alert.unsupported_certificate, 'unsupported certificate key');
    this.owner.peerCertificates = chain;
    this.transcript.add(msg.raw);
    this.#state = 'ske';
  }

  #onServerKeyExchange(msg: HandshakeMessage): void {
    const r = new Reader(msg.body);
    if (r.u8() !== 3) throw new TlsAlert(Alert.illegal_parameter, 'not a named curve');
    const group = r.u16();
    const key = r.vec(1, 1);
    const params = msg.body.subarray(0, r.pos);
    const scheme = schemeByCode(r.u16());
    const sig = r.vec(2, 1);
    r.end();
    const leaf = this.owner.peerCertificates[0].publicKey!;
    if (!groupByCode(group)) throw new TlsAlert(Alert.illegal_parameter, 'server chose a group we did not offer');
    if (!scheme || !keyFits(scheme, leaf, false) || (scheme.kind === 'ecdsa' ? 'ecdsa' : scheme.kind === 'ed25519' ? 'ecdsa' : 'rsa') !== this.owner.suite!.auth) {
      throw new TlsAlert(Alert.illegal_parameter, 'ServerKeyExchange signature scheme does not fit');
    }
    const signed = concatBytes(this.owner.clientRandom, this.#serverRandom, params);
    if (!verifySignature(leaf, scheme, signed, sig)) throw new TlsAlert(Alert.decrypt_error, 'ServerKeyExchange signature is invalid');
    this.#ske = { group, key };
    this.transcript.add(msg.raw);
    this.owner.checkPeer();
    this.#state = 'done';
  }

  #sendClientFlight(): void {
    const suite = this.owner.suite!;
    const share = generateKeyShare(groupByCode(this.#ske!.group)!, this.hooks.random);
    const pms = share.agree(this.#ske!.key);
    if (!pms) throw new TlsAlert(Alert.illegal_parameter, 'invalid server key share');
    // §7.4.6: our chain when one of its schemes fits our key, else an empty Certificate.
    const mine = this.owner.opts.certificate;
    const scheme = this.#certRequested && mine ? SIGNATURE_SCHEMES.find((s) => this.#certSchemes.includes(s.code) && keyFits(s, mine.key, false)) : undefined;
    if (this.#certRequested) {
      const list = new Writer();
      for (const der of scheme ? mine!.chain : []) list.vec(3, der);
      this.transcript.add(this.hooks.send(H.certificate, new Writer().vec(3, list.finish()).finish()));
    }
    this.transcript.add(this.hooks.send(H.client_key_exchange, new Writer().vec(1, share.publicKey).finish()));
    const cr = this.owner.clientRandom, sr = this.#serverRandom;
    // RFC 7627 §3: the session hash runs up to ClientKeyExchange, before CertificateVerify.
    this.#master = this.#ems
      ? prf12(suite.hash, pms, 'extended master secret', this.transcript.digest(), 48)
      : prf12(suite.hash, pms, 'master secret', concatBytes(cr, sr), 48);
    if (scheme) {
      // §7.4.8: a signature over every handshake message so far, with the scheme's hash.
      const sig = sign(mine!.key, scheme, this.transcript.messages(), this.hooks.random);
      this.transcript.add(this.hooks.send(H.certificate_verify, new Writer().u16(scheme.code).vec(2, sig).finish()));
    }
    this.transcript.dropMessages();
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    this.hooks.keylog(`CLIENT_RANDOM ${hex(cr)} ${hex(this.#master)}`);
    const explicit = suite.aead !== undefined && suite.name.includes('GCM');
    const ivLen = explicit ? 4 : 12;
    const kl = suite.aead.keyLen;
    const kb = prf12(suite.hash, this.#master, 'key expansion', concatBytes(sr, cr), 2 * kl + 2 * ivLen);
    const cKey = kb.subarray(0, kl), sKey = kb.subarray(kl, 2 * kl);
    const cIv = kb.subarray(2 * kl, 2 * kl + ivLen), sIv = kb.subarray(2 * kl + ivLen);
    this.hooks.sendRaw(ContentType.change_cipher_spec, new Uint8Array([1]));
    this.hooks.setWrite(new Tls12AeadProtection(suite.aead, cKey, cIv, explicit));
    this.#readPending = new Tls12AeadProtection(suite.aead, sKey, sIv, explicit);
    const vd = prf12(suite.hash, this.#master, 'client finished', this.transcript.digest(), 12);
    this.transcript.add(this.hooks.send(H.finished, vd));
    this.#state = 'ccs';
  }

  #onFinished(msg: HandshakeMessage): void {
    const vd = prf12(this.owner.suite!.hash, this.#master, 'server finished', this.transcript.digest(), 12);
    if (!bytesEqual(vd, msg.body)) throw new TlsAlert(Alert.decrypt_error, 'server Finished does not verify');
    this.#state = 'connected';
    this.hooks.done();
  }

}
