/**
 * DNS messages (RFC 1035 §4). Parsing is strict, since a stub resolver reads bytes from
 * anyone who can spoof a UDP datagram:
 * - a name is at most 255 bytes in wire form and each label at most 63 (the 0x40/0x80
 *   label types are rejected); labels containing '.' are rejected;
 * - compression pointers (RFC 1035 §4.1.4) must land inside the message after the header;
 *   a name may follow at most MAX_POINTERS of them, which bounds loops and forward chains;
 * - section counts that cannot fit in the remaining bytes are rejected before any work;
 * - A records must have 4 bytes of data and a CNAME's name must fill its RDATA exactly.
 * Emission does not compress names.
 */
import type { Ipv4Addr } from '../addr.ts';
import { fail, ok, readAddr, viewOf, writeAddr, type Result } from './result.ts';

export const DNS_HEADER_LEN = 12;
export const DNS_PORT = 53;
export const MAX_NAME_LEN = 255;
export const MAX_LABEL_LEN = 63;
export const MAX_POINTERS = 16;

export const DnsType = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28 } as const;
export const DnsClass = { IN: 1 } as const;
export const DnsRcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface DnsQuestion {
  name: string; // without trailing dot; '' is the root
  type: number;
  class: number;
}

export type DnsRecordData =
  | { kind: 'A'; address: Ipv4Addr }
  | { kind: 'CNAME'; name: string }
  | { kind: 'raw'; bytes: Uint8Array };

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number; // seconds, uint32
  data: DnsRecordData;
}

export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/** A view of the fixed header; the sections need `parseDns`. */
export class DnsPacket {
  readonly #view: DataView;
  private constructor(readonly bytes: Uint8Array) {
    this.#view = viewOf(bytes);
  }
  static parse(bytes: Uint8Array): Result<DnsPacket> {
    if (bytes.length < DNS_HEADER_LEN) return fail('truncated');
    return ok(new DnsPacket(bytes));
  }
  get id(): number { return this.#view.getUint16(0); }
  get flags(): number { return this.#view.getUint16(2); }
  get qdcount(): number { return this.#view.getUint16(4); }
  get ancount(): number { return this.#view.getUint16(6); }
  get nscount(): number { return this.#view.getUint16(8); }
  get arcount(): number { return this.#view.getUint16(10); }
}

/** Read a possibly compressed name at `offset`; `next` is where the field ends. */
export function readName(msg: Uint8Array, offset: number): Result<{ name: string; next: number }> {
  let pos = offset;
  let next = -1;
  let pointers = 0;
  let wireLen = 0;
  const labels: string[] = [];
  for (;;) {
    if (pos >= msg.length) return fail('truncated');
    const len = msg[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) return fail('truncated');
      if (next < 0) next = pos + 2;
      if (++pointers > MAX_POINTERS) return fail('pointer-loop');
      const target = ((len & 0x3f) << 8) | msg[pos + 1]!;
      if (target < DNS_HEADER_LEN || target >= msg.length) return fail('bad-pointer');
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return fail('bad-label'); // RFC 6891 §5: 0x40 and 0x80 are not labels
    wireLen += 1 + len;
    if (wireLen > MAX_NAME_LEN) return fail('name-too-long');
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return ok({ name: labels.join('.'), next });
    }
    if (pos + 1 + len > msg.length) return fail('truncated');
    const label = msg.subarray(pos + 1, pos + 1 + len);
    if (label.includes(0x2e)) return fail('bad-label');
    labels.push(String.fromCharCode(...label));
    pos += 1 + len;
  }
}

function readRecord(msg: Uint8Array, view: DataView, offset: number): Result<{ record: DnsRecord; next: number }> {
  const n = readName(msg, offset);
  if (!n.ok) return n;
  let pos = n.value.next;
  if (pos + 10 > msg.length) return fail('truncated');
  const type = view.getUint16(pos);
  const cls = view.getUint16(pos + 2);
  const ttl = view.getUint32(pos + 4);
  const rdlength = view.getUint16(pos + 8);
  pos += 10;
  if (pos + rdlength > msg.length) return fail('truncated');
  let data: DnsRecordData;
  if (type === DnsType.A) {
    if (rdlength !== 4) return fail('bad-rdata');
    data = { kind: 'A', address: readAddr(view, pos) };
  } else if (type === DnsType.CNAME) {
    const target = readName(msg, pos);
    if (!target.ok) return target;
    if (target.value.next !== pos + rdlength) return fail('bad-rdata');
    data = { kind: 'CNAME', name: target.value.name };
  } else {
    data = { kind: 'raw', bytes: msg.subarray(pos, pos + rdlength) };
  }
  return ok({ record: { name: n.value.name, type, class: cls, ttl, data }, next: pos + rdlength });
}

export function parseDns(bytes: Uint8Array): Result<DnsMessage> {
  const r = DnsPacket.parse(bytes);
  if (!r.ok) return r;
  const p = r.value;
  const view = viewOf(bytes);
  const remaining = bytes.length - DNS_HEADER_LEN;
  // Smallest question: root name + type + class = 5 bytes; smallest record: 11 bytes.
  if (p.qdcount * 5 + (p.ancount + p.nscount + p.arcount) * 11 > remaining) return fail('counts-overrun');
  const f = p.flags;
  const msg: DnsMessage = {
    id: p.id,
    response: (f & 0x8000) !== 0,
    opcode: (f >>> 11) & 0xf,
    authoritative: (f & 0x0400) !== 0,
    truncated: (f & 0x0200) !== 0,
    recursionDesired: (f & 0x0100) !== 0,
    recursionAvailable: (f & 0x0080) !== 0,
    rcode: f & 0xf,
    questions: [], answers: [], authorities: [], additionals: [],
  };
  let pos = DNS_HEADER_LEN;
  for (let i = 0; i < p.qdcount; i++) {
    const n = readName(bytes, pos);
    if (!n.ok) return n;
    pos = n.value.next;
    if (pos + 4 > bytes.length) return fail('truncated');
    msg.questions.push({ name: n.value.name, type: view.getUint16(pos), class: view.getUint16(pos + 2) });
    pos += 4;
  }
  const sections: [number, DnsRecord[]][] = [[p.ancount, msg.answers], [p.nscount, msg.authorities], [p.arcount, msg.additionals]];
  for (const [countInSection, out] of sections) {
    for (let i = 0; i < countInSection; i++) {
      const rec = readRecord(bytes, view, pos);
      if (!rec.ok) return rec;
      out.push(rec.value.record);
      pos = rec.value.next;
    }
  }
  return ok(msg);
}

/** True if `name` can be encoded: labels 1..63 bytes of code points < 256, no '.', ≤ 255 bytes. */
export function isValidName(name: string): boolean {
  if (name === '') return true;
  if (name.length + 2 > MAX_NAME_LEN) return false;
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > MAX_LABEL_LEN) return false;
    for (let i = 0; i < label.length; i++) if (label.charCodeAt(i) > 0xff) return false;
  }
  return true;
}

function nameLength(name: string): number {
  return name === '' ? 1 : name.length + 2;
}

function recordLength(r: DnsRecord): number {
  const rd = r.data.kind === 'A' ? 4 : r.data.kind === 'CNAME' ? nameLength(r.data.name) : r.data.bytes.length;
  return nameLength(r.name) + 10 + rd;
}

export function dnsLength(msg: DnsMessage): number {
  let n = DNS_HEADER_LEN;
  for (const q of msg.questions) n += nameLength(q.name) + 4;
  for (const r of [...msg.answers, ...msg.authorities, ...msg.additionals]) n += recordLength(r);
  return n;
}

function writeName(buf: Uint8Array, pos: number, name: string): number {
  if (!isValidName(name)) throw new RangeError(`Cannot encode DNS name ${JSON.stringify(name)}`);
  if (name !== '') {
    for (const label of name.split('.')) {
      buf[pos++] = label.length;
      for (let i = 0; i < label.length; i++) buf[pos++] = label.charCodeAt(i);
    }
  }
  buf[pos++] = 0;
  return pos;
}

export function emitDns(msg: DnsMessage, buf: Uint8Array): number {
  const len = dnsLength(msg);
  if (buf.length < len) throw new RangeError('Cannot emit DNS message: buffer too small');
  const v = viewOf(buf);
  v.setUint16(0, msg.id);
  v.setUint16(2, (msg.response ? 0x8000 : 0) | ((msg.opcode & 0xf) << 11) | (msg.authoritative ? 0x0400 : 0) |
    (msg.truncated ? 0x0200 : 0) | (msg.recursionDesired ? 0x0100 : 0) | (msg.recursionAvailable ? 0x0080 : 0) | (msg.rcode & 0xf));
  v.setUint16(4, msg.questions.length);
  v.setUint16(6, msg.answers.length);
  v.setUint16(8, msg.authorities.length);
  v.setUint16(10, msg.additionals.length);
  let pos = DNS_HEADER_LEN;
  for (const q of msg.questions) {
    pos = writeName(buf, pos, q.name);
    v.setUint16(pos, q.type);
    v.setUint16(pos + 2, q.class);
    pos += 4;
  }
  for (const r of [...msg.answers, ...msg.authorities, ...msg.additionals]) {
    pos = writeName(buf, pos, r.name);
    v.setUint16(pos, r.type);
    v.setUint16(pos + 2, r.class);
    v.setUint32(pos + 4, r.ttl >>> 0);
    const rdStart = pos + 10;
    let end: number;
    if (r.data.kind === 'A') {
      writeAddr(v, rdStart, r.data.address);
      end = rdStart + 4;
    } else if (r.data.kind === 'CNAME') {
      end = writeName(buf, rdStart, r.data.name);
    } else {
      buf.set(r.data.bytes, rdStart);
      end = rdStart + r.data.bytes.length;
    }
    v.setUint16(pos + 8, end - rdStart);
    pos = end;
  }
  return pos;
}

/** A standard recursive query for one question. */
export function dnsQuery(id: number, name: string, type: number = DnsType.A): DnsMessage {
  return {
    id, response: false, opcode: 0, authoritative: false, truncated: false, recursionDesired: true,
    recursionAvailable: false, rcode: 0, questions: [{ name, type, class: DnsClass.IN }], answers: [], authorities: [], additionals: [],
  };
}
