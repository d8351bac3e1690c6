/**
 * DHCP messages (RFC 2131 §2 BOOTP layout, RFC 2132 options). Only Ethernet clients
 * (htype 1, hlen 6) are understood. Known options must have their RFC 2132 lengths;
 * unknown options are skipped. Option overloading (RFC 2132 §9.3) is not supported: the
 * sname/file fields are ignored.
 */
import type { Ipv4Addr, MacAddr } from '../addr.ts';
import { fail, ok, readAddr, viewOf, writeAddr, type Result } from './result.ts';

const OP = 0, HTYPE = 1, HLEN = 2, HOPS = 3, XID = 4, SECS = 8, FLAGS = 10;
const CIADDR = 12, YIADDR = 16, SIADDR = 20, GIADDR = 24, CHADDR = 28, MAGIC = 236, OPTIONS = 240;
const MAGIC_COOKIE = 0x63825363;
const FLAG_BROADCAST = 0x8000;
/** RFC 1542 §3.2.1: BOOTP relays may drop messages shorter than 300 bytes. */
export const DHCP_MIN_LEN = 300;
export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

export const DhcpMessageType = {
  DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7, INFORM: 8,
} as const;

export const DhcpOption = {
  PAD: 0, SUBNET_MASK: 1, ROUTER: 3, DNS_SERVERS: 6, HOSTNAME: 12, REQUESTED_IP: 50, LEASE_TIME: 51,
  MESSAGE_TYPE: 53, SERVER_ID: 54, PARAMETER_REQUEST_LIST: 55, MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58, REBINDING_TIME: 59, CLIENT_ID: 61, END: 255,
} as const;

export interface DhcpRepr {
  op: number; // 1 = BOOTREQUEST, 2 = BOOTREPLY
  xid: number;
  secs: number;
  broadcast: boolean;
  ciaddr: Ipv4Addr;
  yiaddr: Ipv4Addr;
  siaddr: Ipv4Addr;
  giaddr: Ipv4Addr;
  chaddr: MacAddr;
  messageType?: number;
  serverId?: Ipv4Addr;
  requestedIp?: Ipv4Addr;
  leaseTime?: number; // seconds; 0xffffffff = infinite
  renewalTime?: number;
  rebindingTime?: number;
  subnetMask?: Ipv4Addr;
  routers?: Ipv4Addr[];
  dnsServers?: Ipv4Addr[];
  parameterRequestList?: number[];
  maxMessageSize?: number;
  hostname?: string;
}

export class DhcpPacket {
  readonly #view: DataView;
  private constructor(readonly bytes: Uint8Array) {
    this.#view = viewOf(bytes);
  }
  static parse(bytes: Uint8Array): Result<DhcpPacket> {
    if (bytes.length < OPTIONS) return fail('truncated');
    const p = new DhcpPacket(bytes);
    if (p.#view.getUint32(MAGIC) !== MAGIC_COOKIE) return fail('bad-magic');
    if (bytes[HTYPE] !== 1 || bytes[HLEN] !== 6) return fail('unsupported-hardware');
    return ok(p);
  }
  get op(): number { return this.bytes[OP]!; }
  get xid(): number { return this.#view.getUint32(XID); }
  get secs(): number { return this.#view.getUint16(SECS); }
  get broadcast(): boolean { return (this.#view.getUint16(FLAGS) & FLAG_BROADCAST) !== 0; }
  get ciaddr(): Ipv4Addr { return readAddr(this.#view, CIADDR); }
  get yiaddr(): Ipv4Addr { return readAddr(this.#view, YIADDR); }
  get siaddr(): Ipv4Addr { return readAddr(this.#view, SIADDR); }
  get giaddr(): Ipv4Addr { return readAddr(this.#view, GIADDR); }
  get chaddr(): MacAddr { return this.bytes.subarray(CHADDR, CHADDR + 6); }
  get options(): Uint8Array { return this.bytes.subarray(OPTIONS); }
}

function addrList(data: Uint8Array): Ipv4Addr[] {
  const v = viewOf(data);
  const out: Ipv4Addr[] = [];
  for (let i = 0; i + 4 <= data.length; i += 4) out.push(readAddr(v, i));
  return out;
}

export function parseDhcp(bytes: Uint8Array): Result<DhcpRepr> {
  const r = DhcpPacket.parse(bytes);
  if (!r.ok) return r;
  const p = r.value;
  const repr: DhcpRepr = {
    op: p.op, xid: p.xid, secs: p.secs, broadcast: p.broadcast, ciaddr: p.ciaddr, yiaddr: p.yiaddr,
    siaddr: p.siaddr, giaddr: p.giaddr, chaddr: p.chaddr,
  };
  const opts = p.options;
  let i = 0;
  for (;;) {
    if (i >= opts.length) break; // tolerate a missing END at the very end of the message
    const tag = opts[i]!;
    if (tag === DhcpOption.PAD) { i++; continue; }
    if (tag === DhcpOption.END) break;
    if (i + 2 > opts.length) return fail('truncated-option');
    const len = opts[i + 1]!;
    if (i + 2 + len > opts.length) return fail('truncated-option');
    const data = opts.subarray(i + 2, i + 2 + len);
    const v = viewOf(data);
    const want = (n: number): boolean => len === n;
    switch (tag) {
      case DhcpOption.MESSAGE_TYPE:
        if (!want(1)) return fail('bad-option-length');
        repr.messageType = data[0]!; break;
      case DhcpOption.SERVER_ID:
      case DhcpOption.REQUESTED_IP:
      case DhcpOption.SUBNET_MASK: {
        if (!want(4)) return fail('bad-option-length');
        const a = readAddr(v, 0);
        if (tag === DhcpOption.SERVER_ID) repr.serverId = a;
        else if (tag === DhcpOption.REQUESTED_IP) repr.requestedIp = a;
        else repr.subnetMask = a;
        break;
      }
      case DhcpOption.LEASE_TIME:
      case DhcpOption.RENEWAL_TIME:
      case DhcpOption.REBINDING_TIME: {
        if (!want(4)) return fail('bad-option-length');
        const t = v.getUint32(0);
        if (tag === DhcpOption.LEASE_TIME) repr.leaseTime = t;
        else if (tag === DhcpOption.RENEWAL_TIME) repr.renewalTime = t;
        else repr.rebindingTime = t;
        break;
      }
      case DhcpOption.ROUTER:
      case DhcpOption.DNS_SERVERS:
        if (len === 0 || len % 4 !== 0) return fail('bad-option-length');
        if (tag === DhcpOption.ROUTER) repr.routers = addrList(data);
        else repr.dnsServers = addrList(data);
        break;
      case DhcpOption.PARAMETER_REQUEST_LIST:
        if (len === 0) return fail('bad-option-length');
        repr.parameterRequestList = Array.from(data);
        break;
      case DhcpOption.MAX_MESSAGE_SIZE:
        if (!want(2)) return fail('bad-option-length');
        repr.maxMessageSize = v.getUint16(0);
        break;
      case DhcpOption.HOSTNAME:
        if (len === 0) return fail('bad-option-length');
        repr.hostname = String.fromCharCode(...data);
        break;
      default:
        break; // unknown options are skipped (RFC 2132 §2: length-prefixed)
    }
    i += 2 + len;
  }
  return ok(repr);
}

/** Upper bound of the emitted length for `repr` (at least DHCP_MIN_LEN). */
export function dhcpLength(repr: DhcpRepr): number {
  let n = OPTIONS + 1; // END
  if (repr.messageType !== undefined) n += 3;
  for (const a of [repr.serverId, repr.requestedIp, repr.subnetMask, repr.leaseTime, repr.renewalTime, repr.rebindingTime]) {
    if (a !== undefined) n += 6;
  }
  if (repr.routers) n += 2 + 4 * repr.routers.length;
  if (repr.dnsServers) n += 2 + 4 * repr.dnsServers.length;
  if (repr.parameterRequestList) n += 2 + repr.parameterRequestList.length;
  if (repr.maxMessageSize !== undefined) n += 4;
  if (repr.hostname !== undefined) n += 2 + repr.hostname.length;
  return Math.max(n, DHCP_MIN_LEN);
}

/** Emit into `buf` (zero-filled by the caller or not: every byte is written). Returns the length. */
export function emitDhcp(repr: DhcpRepr, buf: Uint8Array): number {
  const len = dhcpLength(repr);
  if (buf.length < len) throw new RangeError('Cannot emit DHCP message: buffer too small');
  buf.fill(0, 0, len);
  const v = viewOf(buf);
  v.setUint8(OP, repr.op);
  v.setUint8(HTYPE, 1);
  v.setUint8(HLEN, 6);
  v.setUint8(HOPS, 0);
  v.setUint32(XID, repr.xid >>> 0);
  v.setUint16(SECS, repr.secs);
  v.setUint16(FLAGS, repr.broadcast ? FLAG_BROADCAST : 0);
  writeAddr(v, CIADDR, repr.ciaddr);
  writeAddr(v, YIADDR, repr.yiaddr);
  writeAddr(v, SIADDR, repr.siaddr);
  writeAddr(v, GIADDR, repr.giaddr);
  buf.set(repr.chaddr.subarray(0, 6), CHADDR);
  v.setUint32(MAGIC, MAGIC_COOKIE);
  let i = OPTIONS;
  const opt = (tag: number, data: number[]): void => {
    if (data.length > 255) throw new RangeError(`Cannot emit DHCP option ${tag}: over 255 bytes`);
    buf[i++] = tag;
    buf[i++] = data.length;
    for (const b of data) buf[i++] = b;
  };
  const u32 = (x: number): number[] => [(x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255];
  if (repr.messageType !== undefined) opt(DhcpOption.MESSAGE_TYPE, [repr.messageType]);
  if (repr.serverId !== undefined) opt(DhcpOption.SERVER_ID, u32(repr.serverId));
  if (repr.requestedIp !== undefined) opt(DhcpOption.REQUESTED_IP, u32(repr.requestedIp));
  if (repr.leaseTime !== undefined) opt(DhcpOption.LEASE_TIME, u32(repr.leaseTime));
  if (repr.renewalTime !== undefined) opt(DhcpOption.RENEWAL_TIME, u32(repr.renewalTime));
  if (repr.rebindingTime !== undefined) opt(DhcpOption.REBINDING_TIME, u32(repr.rebindingTime));
  if (repr.subnetMask !== undefined) opt(DhcpOption.SUBNET_MASK, u32(repr.subnetMask));
  if (repr.routers) opt(DhcpOption.ROUTER, repr.routers.flatMap(u32));
  if (repr.dnsServers) opt(DhcpOption.DNS_SERVERS, repr.dnsServers.flatMap(u32));
  if (repr.parameterRequestList) opt(DhcpOption.PARAMETER_REQUEST_LIST, repr.parameterRequestList);
  if (repr.maxMessageSize !== undefined) opt(DhcpOption.MAX_MESSAGE_SIZE, [(repr.maxMessageSize >>> 8) & 255, repr.maxMessageSize & 255]);
  if (repr.hostname !== undefined) opt(DhcpOption.HOSTNAME, Array.from(repr.hostname, (c) => c.charCodeAt(0) & 0xff));
  buf[i++] = DhcpOption.END;
  return len;
}
