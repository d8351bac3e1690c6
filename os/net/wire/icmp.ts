/**
 * ICMPv4 (RFC 792). Echo request/reply and destination unreachable are represented
 * specifically; every other type is kept as `other` with its 4-byte rest-of-header.
 */
import { checksum } from './checksum.ts';
import { fail, ok, viewOf, type Result } from './result.ts';

const TYPE = 0, CODE = 1, CHECKSUM = 2, REST = 4;
export const ICMP_HEADER_LEN = 8;

export const IcmpType = { ECHO_REPLY: 0, DEST_UNREACHABLE: 3, ECHO_REQUEST: 8, TIME_EXCEEDED: 11 } as const;
export const UnreachableCode = { NET: 0, HOST: 1, PROTOCOL: 2, PORT: 3, FRAG_NEEDED: 4 } as const;

export class IcmpPacket {
  readonly #view: DataView;
  private constructor(readonly bytes: Uint8Array) {
    this.#view = viewOf(bytes);
  }
  static parse(bytes: Uint8Array): Result<IcmpPacket> {
    if (bytes.length < ICMP_HEADER_LEN) return fail('truncated');
    return ok(new IcmpPacket(bytes));
  }
  get type(): number { return this.bytes[TYPE]!; }
  get code(): number { return this.bytes[CODE]!; }
  get checksum(): number { return this.#view.getUint16(CHECKSUM); }
  get rest(): number { return this.#view.getUint32(REST); }
  get ident(): number { return this.#view.getUint16(REST); }
  get seq(): number { return this.#view.getUint16(REST + 2); }
  get data(): Uint8Array { return this.bytes.subarray(ICMP_HEADER_LEN); }
  checksumValid(): boolean { return checksum(this.bytes) === 0; }
}

export type IcmpRepr =
  | { kind: 'echo-request' | 'echo-reply'; ident: number; seq: number; data: Uint8Array }
  /** `original` is the offending datagram's IP header plus at least 8 bytes (RFC 792). */
  | { kind: 'dest-unreachable'; code: number; nextHopMtu: number; original: Uint8Array }
  | { kind: 'other'; type: number; code: number; rest: number; data: Uint8Array };

export function parseIcmp(bytes: Uint8Array): Result<IcmpRepr> {
  const r = IcmpPacket.parse(bytes);
  if (!r.ok) return r;
  const p = r.value;
  if (!p.checksumValid()) return fail('bad-checksum');
  switch (p.type) {
    case IcmpType.ECHO_REQUEST:
    case IcmpType.ECHO_REPLY:
      if (p.code !== 0) break;
      return ok({ kind: p.type === IcmpType.ECHO_REQUEST ? 'echo-request' : 'echo-reply', ident: p.ident, seq: p.seq, data: p.data });
    case IcmpType.DEST_UNREACHABLE:
      // RFC 1191 §4: the low 16 bits of rest carry the next-hop MTU (code 4); the high 16 are unused.
      if ((p.rest >>> 16) !== 0) break;
      return ok({ kind: 'dest-unreachable', code: p.code, nextHopMtu: p.rest & 0xffff, original: p.data });
  }
  return ok({ kind: 'other', type: p.type, code: p.code, rest: p.rest, data: p.data });
}

export function icmpLength(repr: IcmpRepr): number {
  return ICMP_HEADER_LEN + (repr.kind === 'dest-unreachable' ? repr.original.length : repr.data.length);
}

export function emitIcmp(repr: IcmpRepr, buf: Uint8Array): number {
  const len = icmpLength(repr);
  if (buf.length < len) throw new RangeError('Cannot emit ICMP message: buffer too small');
  const v = viewOf(buf);
  let body: Uint8Array;
  switch (repr.kind) {
    case 'echo-request':
    case 'echo-reply':
      v.setUint8(TYPE, repr.kind === 'echo-request' ? IcmpType.ECHO_REQUEST : IcmpType.ECHO_REPLY);
      v.setUint8(CODE, 0);
      v.setUint16(REST, repr.ident);
      v.setUint16(REST + 2, repr.seq);
      body = repr.data;
      break;
    case 'dest-unreachable':
      v.setUint8(TYPE, IcmpType.DEST_UNREACHABLE);
      v.setUint8(CODE, repr.code);
      v.setUint32(REST, repr.nextHopMtu & 0xffff);
      body = repr.original;
      break;
    case 'other':
      v.setUint8(TYPE, repr.type);
      v.setUint8(CODE, repr.code);
      v.setUint32(REST, repr.rest >>> 0);
      body = repr.data;
      break;
  }
  buf.set(body, ICMP_HEADER_LEN);
  v.setUint16(CHECKSUM, 0);
  v.setUint16(CHECKSUM, checksum(buf.subarray(0, len)));
  return len;
}
