/**
 * Helpers for scripted TCP tests (smoltcp style): build the segment a scripted peer sends at a
 * given time, poll the stack at a given time and get back what it sent, parsed.
 */
import type { OutgoingDatagram } from '../../transport.ts';
import { emitTcp, emptyTcpRepr, formatTcpFlags, parseTcp, tcpHeaderLength, TcpFlags, type TcpRepr } from '../../wire/tcp.ts';
import { Tcp } from '../tcp.ts';
import type { TcpOptions } from '../config.ts';
import { seededRandom } from './sim.ts';

export const LOCAL = 0x0a000001; // 10.0.0.1, the stack under test
export const REMOTE = 0x0a000002; // 10.0.0.2, the scripted peer

/** A segment as the tests write and read it. Flags as text: 'SYN|ACK'. */
export interface Seg {
  src?: number;
  dst?: number;
  sport: number;
  dport: number;
  flags: string;
  seq: number;
  ack?: number;
  window?: number;
  mss?: number;
  ws?: number;
  sackPerm?: boolean;
  ts?: [number, number];
  sack?: number[];
  data?: Uint8Array | string;
}

export interface OutSeg {
  src: number;
  dst: number;
  sport: number;
  dport: number;
  flags: string;
  seq: number;
  ack: number;
  window: number;
  len: number;
  data: Uint8Array;
  mss: number | undefined;
  ws: number | undefined;
  sackPerm: boolean;
  ts: [number, number] | undefined;
  sack: number[];
}

function flagBits(s: string): number {
  let f = 0;
  for (const name of s.split('|')) {
    if (name === '' || name === '-') continue;
    const bit = (TcpFlags as Record<string, number>)[name];
    if (bit === undefined) throw new Error(`unknown flag ${name}`);
    f |= bit;
  }
  return f;
}

export function encodeSeg(s: Seg): Uint8Array {
  const data = typeof s.data === 'string' ? new TextEncoder().encode(s.data) : s.data ?? new Uint8Array(0);
  const r: TcpRepr = {
    ...emptyTcpRepr(), srcPort: s.sport, dstPort: s.dport, seq: s.seq >>> 0, ack: (s.ack ?? 0) >>> 0,
    flags: flagBits(s.flags), window: s.window ?? 65535, mss: s.mss, windowScale: s.ws,
    sackPermitted: s.sackPerm ?? false, tsVal: s.ts?.[0], tsEcr: s.ts?.[1], sackBlocks: s.sack ?? [],
  };
  const hl = tcpHeaderLength(r);
  const buf = new Uint8Array(hl + data.length);
  buf.set(data, hl);
  emitTcp(r, buf, s.src ?? REMOTE, s.dst ?? LOCAL, data.length);
  return buf;
}

export function decodeSeg(d: OutgoingDatagram): OutSeg {
  const r = emptyTcpRepr();
  const hl = parseTcp(d.payload, d.src, d.dst, r);
  if (typeof hl !== 'number') throw new Error(`stack emitted a bad segment: ${hl}`);
  const data = d.payload.subarray(hl);
  return {
    src: d.src, dst: d.dst, sport: r.srcPort, dport: r.dstPort, flags: formatTcpFlags(r.flags), seq: r.seq, ack: r.ack,
    window: r.window, len: data.length, data, mss: r.mss, ws: r.windowScale, sackPerm: r.sackPermitted,
    ts: r.tsVal === undefined ? undefined : [r.tsVal, r.tsEcr!], sack: r.sackBlocks,
  };
}

/** Options that keep scripted segments short: no window scaling, timestamps or SACK. */
export const PLAIN: Partial<TcpOptions> = { windowScaling: false, timestamps: false, sack: false };

export class Script {
  readonly tcp: Tcp;
  /** Segments the transmit path takes before it refuses (back-pressure); Infinity by default. */
  room = Infinity;
  /** Segments refused because `room` was 0. */
  refused = 0;
  constructor(options: Partial<TcpOptions> = {}, seed = 1) {
    this.tcp = new Tcp({ random: seededRandom(seed), localAddress: () => LOCAL, ...PLAIN, ...options });
  }
  /** The peer sends `s` at time `now`; returns Tcp.input's result. */
  send(now: number, s: Seg): boolean {
    return this.tcp.input(now, s.src ?? REMOTE, s.dst ?? LOCAL, encodeSeg(s));
  }
  /** Polls at `now` (repeatedly while due) and returns what the stack sent. */
  recv(now: number): OutSeg[] {
    const out: OutSeg[] = [];
    for (let i = 0; i < 16 && this.tcp.pollAt(now) <= now; i++) {
      let refusedNow = false;
      this.tcp.poll(now, (d) => {
        if (this.room <= 0) { this.refused++; refusedNow = true; return false; }
        this.room--;
        out.push(decodeSeg(d));
        return true;
      });
      // A refused segment stays due; polling again before room appears would only spin.
      if (refusedNow) break;
    }
    return out;
  }
}
