/** The TLS 1.3 key schedule (RFC 8446 §7.1) and transcript hash (§4.4.1). */
import { concatBytes, hkdfExpand, hkdfExtract, hmac, incremental, type Hash } from '../crypto/hash.ts';
import type { CipherSuite } from './suites.ts';
import { HandshakeType } from './constants.ts';

const enc = new TextEncoder();

/** HKDF-Expand-Label (RFC 8446 §7.1). */
export function expandLabel(h: Hash, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const l = enc.encode('tls13 ' + label);
  const info = new Uint8Array(2 + 1 + l.length + 1 + context.length);
  info[0] = length >> 8; info[1] = length & 0xff;
  info[2] = l.length; info.set(l, 3);
  info[3 + l.length] = context.length;
  info.set(context, 4 + l.length);
  return hkdfExpand(h, secret, info, length);
}

export function deriveSecret(h: Hash, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return expandLabel(h, secret, label, transcriptHash, h.outputLen);
}

export interface TrafficKeys { key: Uint8Array; iv: Uint8Array }

export function trafficKeys(suite: CipherSuite, secret: Uint8Array): TrafficKeys {
  return {
    key: expandLabel(suite.hash, secret, 'key', new Uint8Array(0), suite.aead.keyLen),
    iv: expandLabel(suite.hash, secret, 'iv', new Uint8Array(0), suite.aead.nonceLen),
  };
}

/** verify_data = HMAC(finished_key, transcript hash) (RFC 8446 §4.4.4). */
export function finishedMac(h: Hash, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  return hmac(h, expandLabel(h, baseKey, 'finished', new Uint8Array(0), h.outputLen), transcriptHash);
}

export const nextTrafficSecret = (h: Hash, s: Uint8Array) => expandLabel(h, s, 'traffic upd', new Uint8Array(0), h.outputLen);

/** The secrets of one handshake, derived stage by stage. */
export class KeySchedule {
  readonly h: Hash;
  readonly zeros: Uint8Array;
  early: Uint8Array;
  handshake: Uint8Array = new Uint8Array(0);
  master: Uint8Array = new Uint8Array(0);
  constructor(readonly suite: CipherSuite, psk?: Uint8Array) {
    this.h = suite.hash;
    this.zeros = new Uint8Array(this.h.outputLen);
    this.early = hkdfExtract(this.h, this.zeros, psk ?? this.zeros);
  }
  get emptyHash(): Uint8Array { return this.h(new Uint8Array(0)); }
  binderKey(resumption: boolean): Uint8Array {
    return deriveSecret(this.h, this.early, resumption ? 'res binder' : 'ext binder', this.emptyHash);
  }
  /** Mixes in the (EC)DHE shared secret. */
  withShared(shared: Uint8Array): void {
    this.handshake = hkdfExtract(this.h, deriveSecret(this.h, this.early, 'derived', this.emptyHash), shared);
    this.master = hkdfExtract(this.h, deriveSecret(this.h, this.handshake, 'derived', this.emptyHash), this.zeros);
  }
  handshakeSecrets(th: Uint8Array): { client: Uint8Array; server: Uint8Array } {
    return { client: deriveSecret(this.h, this.handshake, 'c hs traffic', th), server: deriveSecret(this.h, this.handshake, 's hs traffic', th) };
  }
  applicationSecrets(th: Uint8Array): { client: Uint8Array; server: Uint8Array; exporter: Uint8Array } {
    return {
      client: deriveSecret(this.h, this.master, 'c ap traffic', th),
      server: deriveSecret(this.h, this.master, 's ap traffic', th),
      exporter: deriveSecret(this.h, this.master, 'exp master', th),
    };
  }
  resumptionMaster(th: Uint8Array): Uint8Array { return deriveSecret(this.h, this.master, 'res master', th); }
}

/** PSK from a ticket (RFC 8446 §4.6.1). */
export const resumptionPsk = (h: Hash, resMaster: Uint8Array, nonce: Uint8Array) => expandLabel(h, resMaster, 'resumption', nonce, h.outputLen);

/**
 * The running transcript. Messages arrive before the hash is known (ClientHello before
 * ServerHello), so it keeps them until `setHash`; after a HelloRetryRequest the first
 * ClientHello is replaced by message_hash (RFC 8446 §4.4.1).
 */
export class Transcript {
  #pending: Uint8Array[] = [];
  #ctx: ReturnType<Hash['create']> | null = null;
  #h: Hash | null = null;
  /** The messages themselves, kept only when asked (`keepMessages`) and until dropMessages(). */
  #messages: Uint8Array[] | null;
  /**
   * keepMessages: for a TLS 1.2 client with a certificate, whose CertificateVerify signs the
   * messages with the signature's own hash (RFC 5246 §7.4.8), not the transcript's.
   */
  constructor(opts: { keepMessages?: boolean } = {}) {
    this.#messages = opts.keepMessages ? [] : null;
  }
  add(msg: Uint8Array): void {
    this.#messages?.push(msg);
    if (this.#ctx) this.#ctx.update(msg);
    else this.#pending.push(msg);
  }
  /** Every message so far, concatenated (only with keepMessages). */
  messages(): Uint8Array {
    if (!this.#messages) throw new Error('transcript messages were not kept');
    return concatBytes(...this.#messages);
  }
  dropMessages(): void { this.#messages = null; }
  setHash(h: Hash): void {
    if (this.#h) return;
    this.#h = h;
    this.#ctx = incremental(h);
    for (const m of this.#pending) this.#ctx.update(m);
    this.#pending = [];
  }
  get hashed(): boolean { return this.#h !== null; }
  digest(): Uint8Array { return this.#ctx!.clone().digest(); }
  /** Hash of the transcript plus `extra` without adding it. */
  digestWith(extra: Uint8Array): Uint8Array {
    const c = this.#ctx!.clone();
    c.update(extra);
    return c.digest();
  }
  /** RFC 8446 §4.4.1: replace ClientHello1 with message_hash(Hash(ClientHello1)). */
  restartAfterHrr(h: Hash): void {
    this.setHash(h);
    const ch1 = this.digest();
    this.#ctx = incremental(h);
    this.#ctx.update(concatBytes(new Uint8Array([HandshakeType.message_hash, 0, 0, h.outputLen]), ch1));
  }
}
