/**
 * A bulk transfer over the simulator, used by tests and bench/tcp-sim.ts: host A connects to
 * host B, each side sends `bytes` of seeded pseudo-random data (both at once when
 * `bidirectional`), closes after the last byte is queued, and checks what it received.
 */
import type { TcpConnection } from '../connection.ts';
import type { TcpOptions } from '../config.ts';
import { prng, SimNetwork, type LinkOptions } from './sim.ts';

export interface TransferOptions extends LinkOptions {
  bytes: number;
  bidirectional?: boolean;
  tcp?: Partial<TcpOptions>;
  /** Simulated time limit in ms (default 1 hour). */
  limit?: number;
  onSegment?: (time: number, src: number, payload: Uint8Array) => void;
}

export interface TransferResult {
  done: boolean;
  /** Received data equals sent data, both ways. */
  intact: boolean;
  simTime: number;
  traceHash: string;
  net: SimNetwork;
  received: [number, number];
  stateA: string;
  stateB: string;
  /** Offset of the first wrong byte received by B (from A), or -1. */
  firstMismatch: number;
}

export function patternBytes(n: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(n / 4));
  const r = prng(seed);
  for (let i = 0; i < words.length; i++) words[i] = (r() * 4294967296) >>> 0;
  return new Uint8Array(words.buffer, 0, n);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const n = a.length & ~3;
  // Compare 32 bits at a time where aligned copies allow it.
  const wa = new Uint32Array(a.slice(0, n).buffer);
  const wb = new Uint32Array(b.slice(0, n).buffer);
  for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
  for (let i = n; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class Endpoint {
  sentOff = 0;
  recvOff = 0;
  readonly inbox: Uint8Array;
  ended = false;
  closed = false;
  constructor(readonly outbox: Uint8Array, expect: number) { this.inbox = new Uint8Array(expect); }

  attach(c: TcpConnection): void {
    const pump = () => {
      while (this.sentOff < this.outbox.length) {
        const n = c.send(this.outbox.subarray(this.sentOff, Math.min(this.outbox.length, this.sentOff + 65536)));
        if (n === 0) return;
        this.sentOff += n;
      }
      if (!this.closed) { this.closed = true; c.close(); }
    };
    c.onConnected = pump;
    c.onWritable = pump;
    c.onReadable = () => {
      for (;;) {
        const room = this.inbox.length - this.recvOff;
        if (room <= 0) { if (c.recv() === undefined) break; continue; } // unexpected extra bytes: drop
        const n = c.recvInto(this.inbox.subarray(this.recvOff));
        if (n === 0) break;
        this.recvOff += n;
      }
      if (c.readEnded) this.ended = true;
    };
    if (c.state === 'ESTABLISHED' || c.state === 'CLOSE-WAIT') pump();
  }
}

export function runTransfer(o: TransferOptions): TransferResult {
  const net = new SimNetwork(o);
  net.onSegment = o.onSegment;
  const A = 0x0a000001, B = 0x0a000002;
  const ha = net.addHost(A, o.tcp);
  const hb = net.addHost(B, o.tcp);
  const dataA = patternBytes(o.bytes, o.seed ^ 0xa5a5);
  const dataB = o.bidirectional ? patternBytes(o.bytes, o.seed ^ 0x5a5a) : new Uint8Array(0);
  const ea = new Endpoint(dataA, dataB.length);
  const eb = new Endpoint(dataB, dataA.length);
  const listener = hb.tcp.listen(80);
  let cb: TcpConnection | undefined;
  listener.onConnection = () => {
    const c = listener.accept();
    if (c && !cb) { cb = c; eb.attach(c); }
  };
  const ca = ha.tcp.connect(net.now, { remoteAddress: B, remotePort: 80 });
  ea.attach(ca);
  const finished = (c: TcpConnection | undefined) => c !== undefined && (c.state === 'CLOSED' || c.state === 'TIME-WAIT');
  const done = net.run(() => ea.ended && eb.ended && finished(ca) && finished(cb), o.limit ?? 3_600_000);
  const intact = ea.recvOff === dataB.length && eb.recvOff === dataA.length &&
    sameBytes(ea.inbox, dataB) && sameBytes(eb.inbox, dataA);
  return {
    done, intact, simTime: net.now, traceHash: net.traceHash, net, received: [eb.recvOff, ea.recvOff],
    stateA: ca.state, stateB: cb?.state ?? 'none',
    firstMismatch: eb.inbox.findIndex((v, i) => v !== dataA[i]),
  };
}
