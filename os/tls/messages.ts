/**
 * Handshake message framing (RFC 8446 §4) and the hello messages with their extension
 * lists. Parsers take a message body and throw decode_error/illegal_parameter alerts.
 */
import { Alert, ExtensionType, MAX_HANDSHAKE_MESSAGE } from './constants.ts';
import { TlsAlert } from './errors.ts';
import { Reader, Writer } from './wire.ts';

export interface HandshakeMessage { type: number; body: Uint8Array; raw: Uint8Array }

export function frameHandshake(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type; out[1] = body.length >> 16; out[2] = (body.length >> 8) & 0xff; out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

/** Reassembles handshake messages across records (RFC 8446 §5.1: they may span or share records). */
export class HandshakeBuffer {
  #buf = new Uint8Array(0);
  add(data: Uint8Array): void {
    const n = new Uint8Array(this.#buf.length + data.length);
    n.set(this.#buf);
    n.set(data, this.#buf.length);
    this.#buf = n;
  }
  get empty(): boolean { return this.#buf.length === 0; }
  next(): HandshakeMessage | null {
    if (this.#buf.length < 4) return null;
    const len = (this.#buf[1] << 16) | (this.#buf[2] << 8) | this.#buf[3];
    if (len > MAX_HANDSHAKE_MESSAGE) throw new TlsAlert(Alert.unexpected_message, `handshake message of ${len} bytes`);
    if (this.#buf.length < 4 + len) return null;
    const raw = this.#buf.slice(0, 4 + len);
    this.#buf = this.#buf.slice(4 + len);
    return { type: raw[0], body: raw.subarray(4), raw };
  }
}

export type Extensions = Map<number, Uint8Array>;

/** Parses an extension list; duplicates are illegal (RFC 8446 §4.2). */
export function readExtensions(r: Reader): { map: Extensions; order: number[] } {
  const map: Extensions = new Map();
  const order: number[] = [];
  if (r.remaining === 0) return { map, order };
  const list = r.sub(2);
  while (list.remaining) {
    const type = list.u16();
    const data = list.vec(2);
    if (map.has(type)) throw new TlsAlert(Alert.illegal_parameter, `duplicate extension ${type}`);
    map.set(type, data);
    order.push(type);
  }
  return { map, order };
}

export function writeExtensions(w: Writer, exts: [number, Uint8Array][]): void {
  w.block(2, (l) => { for (const [t, d] of exts) l.u16(t).vec(2, d); });
}

export interface ClientHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suites: number[];
  compression: Uint8Array;
  extensions: Extensions;
  order: number[];
}

export function parseClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body);
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec(1, 0, 32);
  const s = r.sub(2, 2, 0xfffe);
  if (s.remaining % 2) throw new TlsAlert(Alert.decode_error, 'odd cipher_suites length');
  const suites: number[] = [];
  while (s.remaining) suites.push(s.u16());
  const compression = r.vec(1, 1);
  const { map, order } = readExtensions(r);
  r.end();
  return { version, random, sessionId, suites, compression, extensions: map, order };
}

export interface ServerHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suite: number;
  compression: number;
  extensions: Extensions;
}

export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body);
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec(1, 0, 32);
  const suite = r.u16();
  const compression = r.u8();
  const { map } = readExtensions(r);
  r.end();
  return { version, random, sessionId, suite, compression, extensions: map };
}

export function encodeServerHello(sh: Omit<ServerHello, 'extensions'> & { extensions: [number, Uint8Array][] }): Uint8Array {
  const w = new Writer().u16(sh.version).bytes(sh.random).vec(1, sh.sessionId).u16(sh.suite).u8(sh.compression);
  writeExtensions(w, sh.extensions);
  return w.finish();
}

// ---- extension bodies ----

export const u16List = (codes: number[], lenBytes: 1 | 2 = 2) => new Writer().block(lenBytes, (w) => codes.forEach((c) => w.u16(c))).finish();

export function readU16List(data: Uint8Array, lenBytes: 1 | 2 = 2): number[] {
  const r = new Reader(data);
  const l = r.sub(lenBytes, 2);
  if (l.remaining % 2) throw new TlsAlert(Alert.decode_error, 'odd list length');
  const out: number[] = [];
  while (l.remaining) out.push(l.u16());
  r.end();
  return out;
}

/** RFC 6066 §3 server_name: host_name entries only. */
export function encodeServerName(name: string): Uint8Array {
  const n = new TextEncoder().encode(name);
  return new Writer().block(2, (w) => w.u8(0).vec(2, n)).finish();
}

export function readServerName(data: Uint8Array): string | undefined {
  const r = new Reader(data);
  const l = r.sub(2, 1);
  r.end();
  let name: string | undefined;
  while (l.remaining) {
    const type = l.u8();
    const v = l.vec(2, 1);
    if (type === 0) {
      if (name !== undefined) throw new TlsAlert(Alert.illegal_parameter, 'two host names');
      name = new TextDecoder().decode(v);
    }
  }
  return name;
}

/** RFC 7301 ALPN protocol_name_list. */
export function encodeAlpn(protocols: string[]): Uint8Array {
  return new Writer().block(2, (w) => protocols.forEach((p) => w.vec(1, new TextEncoder().encode(p)))).finish();
}

export function readAlpn(data: Uint8Array): string[] {
  const r = new Reader(data);
  const l = r.sub(2, 2);
  r.end();
  const out: string[] = [];
  while (l.remaining) out.push(new TextDecoder().decode(l.vec(1, 1)));
  return out;
}

export interface KeyShareEntry { group: number; key: Uint8Array }

export function encodeKeyShareEntry(w: Writer, e: KeyShareEntry): void { w.u16(e.group).vec(2, e.key); }

export function readClientKeyShares(data: Uint8Array): KeyShareEntry[] {
  const r = new Reader(data);
  const l = r.sub(2);
  r.end();
  const out: KeyShareEntry[] = [];
  while (l.remaining) {
    const group = l.u16();
    const key = l.vec(2, 1);
    if (out.some((e) => e.group === group)) throw new TlsAlert(Alert.illegal_parameter, 'duplicate key share group');
    out.push({ group, key });
  }
  return out;
}

export { ExtensionType };
