/**
 * The record layer (RFC 8446 §5, RFC 5246 §6.2): framing, length limits, and protection
 * with an AEAD. It reads from an input buffer the endpoint fills and yields one record at
 * a time; every malformed or oversized record becomes the RFC's alert.
 */
import type { Aead } from '../crypto/aead.ts';
import { Alert, ContentType, MAX_CIPHERTEXT_12, MAX_CIPHERTEXT_13, MAX_PLAINTEXT } from './constants.ts';
import { TlsAlert } from './errors.ts';

export interface Record { type: number; data: Uint8Array }

/** One direction's keys. `seal` makes a whole record; `open` undoes it or throws an alert. */
export interface RecordProtection {
  seal(type: number, fragment: Uint8Array, padding: number): Uint8Array;
  open(header: Uint8Array, body: Uint8Array): Record;
  readonly maxCiphertext: number;
}

function header(type: number, version: number, len: number): Uint8Array {
  return new Uint8Array([type, version >> 8, version & 0xff, len >> 8, len & 0xff]);
}

function nonceFor(iv: Uint8Array, seq: number): Uint8Array {
  const n = iv.slice();
  // RFC 8446 §5.3: the 64-bit sequence number, left-padded, XORed into the IV.
  let s = seq;
  for (let i = n.length - 1; i >= n.length - 8 && s > 0; i--) {
    n[i] ^= s % 256;
    s = Math.floor(s / 256);
  }
  return n;
}

/** RFC 8446 §5.2: TLSInnerPlaintext, opaque type 23, AAD = the record header. */
export class Tls13Protection implements RecordProtection {
  #seq = 0;
  readonly maxCiphertext = MAX_CIPHERTEXT_13;
  constructor(readonly aead: Aead, readonly key: Uint8Array, readonly iv: Uint8Array) {}
  seal(type: number, fragment: Uint8Array, padding: number): Uint8Array {
    const inner = new Uint8Array(fragment.length + 1 + padding);
    inner.set(fragment);
    inner[fragment.length] = type;
    const len = inner.length + this.aead.tagLen;
    const h = header(ContentType.application_data, 0x0303, len);
    const ct = this.aead.seal(this.key, nonceFor(this.iv, this.#seq++), h, inner);
    const out = new Uint8Array(5 + ct.length);
    out.set(h);
    out.set(ct, 5);
    return out;
  }
  open(h: Uint8Array, body: Uint8Array): Record {
    if (h[0] !== ContentType.application_data) throw new TlsAlert(Alert.unexpected_message, 'unprotected record after keys were set');
    const pt = this.aead.open(this.key, nonceFor(this.iv, this.#seq++), h, body);
    if (!pt) throw new TlsAlert(Alert.bad_record_mac, 'record failed authentication');
    let end = pt.length;
    while (end > 0 && pt[end - 1] === 0) end--;
    if (end === 0) throw new TlsAlert(Alert.unexpected_message, 'record without a content type');
    if (end - 1 > MAX_PLAINTEXT) throw new TlsAlert(Alert.record_overflow, 'inner plaintext too long');
    return { type: pt[end - 1], data: pt.subarray(0, end - 1) };
  }
}

/**
 * RFC 5288 (AES-GCM: 4-byte salt + 8-byte explicit nonce on the wire) and RFC 7905
 * (ChaCha20-Poly1305: IV XOR sequence, no explicit nonce). AAD = seq || type || version || length.
 */
export class Tls12AeadProtection implements RecordProtection {
  #seq = 0;
  readonly maxCiphertext = MAX_CIPHERTEXT_12;
  constructor(readonly aead: Aead, readonly key: Uint8Array, readonly iv: Uint8Array, readonly explicitNonce: boolean) {}
  #aad(type: number, len: number, seq: number): Uint8Array {
    const a = new Uint8Array(13);
    let s = seq;
    for (let i = 7; i >= 0; i--) { a[i] = s % 256; s = Math.floor(s / 256); }
    a[8] = type; a[9] = 3; a[10] = 3; a[11] = len >> 8; a[12] = len & 0xff;
    return a;
  }
  seal(type: number, fragment: Uint8Array): Uint8Array {
    const seq = this.#seq++;
    let nonce: Uint8Array, explicit: Uint8Array = new Uint8Array(0);
    if (this.explicitNonce) {
      explicit = nonceFor(new Uint8Array(8), seq);
      nonce = new Uint8Array(12);
      nonce.set(this.iv.subarray(0, 4));
      nonce.set(explicit, 4);
    } else nonce = nonceFor(this.iv, seq);
    const ct = this.aead.seal(this.key, nonce, this.#aad(type, fragment.length, seq), fragment);
    const len = explicit.length + ct.length;
    const out = new Uint8Array(5 + len);
    out.set(header(type, 0x0303, len));
    out.set(explicit, 5);
    out.set(ct, 5 + explicit.length);
    return out;
  }
  open(h: Uint8Array, body: Uint8Array): Record {
    const seq = this.#seq++;
    let nonce: Uint8Array, ct = body;
    if (this.explicitNonce) {
      if (body.length < 8 + this.aead.tagLen) throw new TlsAlert(Alert.bad_record_mac, 'record too short');
      nonce = new Uint8Array(12);
      nonce.set(this.iv.subarray(0, 4));
      nonce.set(body.subarray(0, 8), 4);
      ct = body.subarray(8);
    } else nonce = nonceFor(this.iv, seq);
    if (ct.length < this.aead.tagLen) throw new TlsAlert(Alert.bad_record_mac, 'record too short');
    const pt = this.aead.open(this.key, nonce, this.#aad(h[0], ct.length - this.aead.tagLen, seq), ct);
    if (!pt) throw new TlsAlert(Alert.bad_record_mac, 'record failed authentication');
    if (pt.length > MAX_PLAINTEXT) throw new TlsAlert(Alert.record_overflow, 'plaintext too long');
    return { type: h[0], data: pt };
  }
}

const KNOWN_TYPES = new Set<number>([20, 21, 22, 23]);

/** Input buffering and output framing for one connection. */
export class RecordLayer {
  #in = new Uint8Array(0);
  #inLen = 0;
  read: RecordProtection | null = null;
  write: RecordProtection | null = null;
  /** Version written in plaintext record headers (0x0301 for a first ClientHello). */
  plainVersion = 0x0303;
  /** Extra padding bytes per TLS 1.3 record (RFC 8446 §5.4). */
  padding = 0;
  /** Server side: name a first record that is an HTTP request (OpenSSL's "http request"). */
  detectHttp = false;
  #records = 0;

  feed(bytes: Uint8Array): void {
    if (this.#inLen + bytes.length > this.#in.length) {
      const n = new Uint8Array(Math.max(this.#in.length * 2, this.#inLen + bytes.length, 4096));
      n.set(this.#in.subarray(0, this.#inLen));
      this.#in = n;
    }
    this.#in.set(bytes, this.#inLen);
    this.#inLen += bytes.length;
  }

  get buffered(): number { return this.#inLen; }

  /** The next whole record, decrypted, or null if more bytes are needed. */
  next(): Record | null {
    if (this.#inLen < 5) return null;
    const b = this.#in;
    const type = b[0];
    const len = (b[3] << 8) | b[4];
    if (this.#records === 0 && (b[1] !== 3 || !KNOWN_TYPES.has(type))) {
      // Not TLS at all: OpenSSL closes without an alert, and Node names the reason.
      if (this.detectHttp && /^(GET |POST|HEAD|PUT |DELE|OPTI|PATC|CONN)/.test(String.fromCharCode(b[0], b[1], b[2], b[3], b[4]))) {
        throw new TlsAlert(Alert.unexpected_message, 'an HTTP request on a TLS port', 'ERR_SSL_HTTP_REQUEST', true);
      }
      throw new TlsAlert(Alert.protocol_version, 'the first record is not TLS', 'ERR_SSL_WRONG_VERSION_NUMBER', true);
    }
    if (b[1] !== 3) throw new TlsAlert(Alert.protocol_version, 'record is not TLS', 'ERR_SSL_WRONG_VERSION_NUMBER');
    if (!KNOWN_TYPES.has(type)) throw new TlsAlert(Alert.unexpected_message, `unknown record type ${type}`);
    // RFC 8446 §5.1/§5.2: plaintext ≤ 2^14, ciphertext ≤ 2^14 + 256.
    const limit = this.read && type !== ContentType.change_cipher_spec ? this.read.maxCiphertext : MAX_PLAINTEXT;
    if (len > limit) throw new TlsAlert(Alert.record_overflow, `record of ${len} bytes exceeds ${limit}`, 'ERR_SSL_PACKET_LENGTH_TOO_LONG');
    if (this.#inLen < 5 + len) return null;
    this.#records++;
    const h = b.slice(0, 5);
    const body = b.slice(5, 5 + len);
    b.copyWithin(0, 5 + len, this.#inLen);
    this.#inLen -= 5 + len;
    if (type === ContentType.change_cipher_spec) return { type, data: body };
    if (this.read) return this.read.open(h, body);
    if (len === 0 && type !== ContentType.application_data) throw new TlsAlert(Alert.unexpected_message, 'empty record');
    return { type, data: body };
  }

  /** Frames (and protects) `data` into records of at most 2^14 bytes. */
  encode(type: number, data: Uint8Array, out: Uint8Array[]): void {
    let off = 0;
    do {
      const frag = data.subarray(off, off + MAX_PLAINTEXT);
      off += frag.length;
      if (this.write) out.push(this.write.seal(type, frag, this.padding));
      else {
        const r = new Uint8Array(5 + frag.length);
        r.set(header(type, this.plainVersion, frag.length));
        r.set(frag, 5);
        out.push(r);
      }
    } while (off < data.length);
  }
}
