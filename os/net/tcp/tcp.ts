/**
 * The TCP stack: demultiplexes segments to connections and listeners, answers segments for
 * closed ports with RST (RFC 9293 §3.10.7.1), owns the caps (connections, SYN queues, accept
 * queues, pending RSTs), answers SYNs beyond a full SYN queue with cookies (RFC 4987 §3.6,
 * syn-cookies.ts), shares the memory headroom among receive windows, and generates ISNs
 * (RFC 6528). Implements TransportProtocol.
 */
import type { Ipv4Addr } from '../addr.ts';
import { FRAME_HEADROOM, type Emit, type OutgoingDatagram, type TransportProtocol } from '../transport.ts';
import { emitTcp, emptyTcpRepr, parseTcp, TCP_HEADER_LEN, TCP_PROTOCOL, TcpFlags, tcpOptionsLength, type TcpRepr } from '../wire/tcp.ts';
import { newStats, resolveConfig, type ConnHost, type KeepAliveOptions, type ResolvedConfig, type TcpOptions, type TcpStats } from './config.ts';
import { TcpConnection, type ListenerHooks } from './connection.ts';
import { IsnGenerator } from './isn.ts';
import { COOKIE_LIFETIME_STEPS, COOKIE_STEP_MS, SynCookies } from './syn-cookies.ts';
import { seqAdd, seqGt } from './seq.ts';
import { TimeWaitTable } from './time-wait.ts';

const { FIN, SYN, RST, ACK } = TcpFlags;
/**
 * Received bytes live several times over before they are garbage: in the ring (which grows by
 * doubling), in the chunk read out of it, in the stream buffers above and in the echo or copy a
 * program makes. Receive windows together promise at most this share of the headroom (issue 10:
 * 40 uploads into an 8 MB guest ran it out of memory when windows could promise all of it).
 */
const WINDOW_COPIES = 4;

export interface ListenOptions {
  /** Accept-queue cap: established connections not yet accept()ed (default from TcpOptions). */
  backlog?: number;
  /** Half-open (SYN-RECEIVED) cap for this listener (default from TcpOptions). */
  synBacklog?: number;
  /** Only accept connections to this local address (default: any). */
  localAddress?: Ipv4Addr;
}

export interface ConnectOptions {
  remoteAddress: Ipv4Addr;
  remotePort: number;
  /** Defaults to TcpOptions.localAddress(). */
  localAddress?: Ipv4Addr;
  /** Defaults to a random free ephemeral port (RFC 6056). */
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: KeepAliveOptions | false;
}

/** A passive open on a port. */
export class TcpListener implements ListenerHooks {
  /** Called (from Tcp.input) when accept() has a new connection. */
  onConnection: (() => void) | undefined;
  readonly port: number;
  readonly localAddress: Ipv4Addr | undefined;
  readonly backlog: number;
  readonly synBacklog: number;
  #queue: TcpConnection[] = [];
  /** SYN-RECEIVED connections, oldest first (insertion order). */
  #halfOpen = new Set<TcpConnection>();
  #closed = false;
  #notify = false;
  #tcp: Tcp;

  /** @internal use Tcp.listen */
  constructor(tcp: Tcp, port: number, backlog: number, synBacklog: number, localAddress: Ipv4Addr | undefined) {
    this.#tcp = tcp;
    this.port = port;
    this.backlog = backlog;
    this.synBacklog = synBacklog;
    this.localAddress = localAddress;
  }

  get closed(): boolean { return this.#closed; }
  /** Established connections waiting in accept(). */
  get pending(): number { return this.#queue.length; }
  get halfOpen(): number { return this.#halfOpen.size; }

  /** The oldest established connection not yet taken, or undefined. */
  accept(): TcpConnection | undefined {
    while (this.#queue.length) {
      const c = this.#queue.shift()!;
      if (c.state !== 'CLOSED') return c;
    }
    return undefined;
  }

  /** Stops listening; connections not yet accepted are reset. Accepted ones are unaffected. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tcp._unlisten(this);
    for (const c of this.#queue) c.abort();
    this.#queue.length = 0;
  }

  /** @internal */
  _acceptQueueFull(): boolean { return this.#queue.length >= this.backlog; }
  /** @internal */
  _synQueueFull(): boolean { return this.#halfOpen.size >= this.synBacklog; }
  /** @internal The oldest half-open connection (the eviction victim, RFC 4987 §3.4). */
  _oldestHalfOpen(): TcpConnection | undefined {
    for (const c of this.#halfOpen) return c;
    return undefined;
  }
  /** @internal */
  _addHalfOpen(conn: TcpConnection): void { this.#halfOpen.add(conn); }
  /** @internal */
  _established(conn: TcpConnection): boolean {
    if (this.#closed || this.#queue.length >= this.backlog) return false;
    this.#halfOpen.delete(conn);
    this.#queue.push(conn);
    this.#notify = true;
    return true;
  }
  /** @internal */
  _halfOpenGone(conn: TcpConnection): void { this.#halfOpen.delete(conn); }
  /** @internal */
  _flushEvents(): void {
    if (!this.#notify) return;
    this.#notify = false;
    this.onConnection?.();
  }
}

/** A segment not tied to a live connection: a RST, or an ACK from a TIME-WAIT record. */
interface PendingRst {
  src: Ipv4Addr; dst: Ipv4Addr; srcPort: number; dstPort: number; seq: number; ack: number; withAck: boolean;
  /** Set for a TIME-WAIT ACK: window field and RFC 7323 timestamps (tsVal undefined: none). */
  ackOnly?: { window: number; tsVal: number | undefined; tsEcr: number };
  /** Set for a cookie SYN-ACK (seq = the cookie): the MSS option and window it carries. */
  synAck?: { mss: number; window: number };
}

function isMulticastOrBroadcast(a: Ipv4Addr): boolean {
  return (a >>> 28) === 0xe || a >>> 0 === 0xffffffff;
}

export class Tcp implements TransportProtocol {
  readonly protocol = TCP_PROTOCOL;
  readonly stats: TcpStats = newStats();
  readonly #cfg: ResolvedConfig;
  readonly #random: (buf: Uint8Array) => void;
  readonly #localAddress: (() => Ipv4Addr | undefined) | undefined;
  readonly #memoryPressure: (() => boolean) | undefined;
  readonly #memoryHeadroom: (() => number) | undefined;
  readonly #isn: IsnGenerator;
  readonly #cookies: SynCookies;
  /** When the last cookie went out: ACKs to a listener are checked as cookies only for a while after. */
  #cookieSentAt = -Infinity;
  /** Receive memory the connections' open windows promise beyond their storage (Σ _promiseDelta). */
  #promised = 0;
  /** Buffer growth (receive window, send storage) one connection may take (ConnHost.bufferAllowance). */
  #allowance = Infinity;
  /** local (addr * 65536 + port) -> remote (addr * 65536 + port) -> connection */
  readonly #conns = new Map<number, Map<number, TcpConnection>>();
  #count = 0;
  readonly #timeWait: TimeWaitTable;
  readonly #listeners = new Map<number, TcpListener>();
  readonly #rsts: PendingRst[] = [];
  readonly #seg: TcpRepr = emptyTcpRepr();
  readonly #rstRepr: TcpRepr = emptyTcpRepr();
  readonly #host: ConnHost;
  readonly #touched: TcpConnection[] = [];
  #challengeWindow = -Infinity;
  #challengeCount = 0;
  #busy = false;
  #portCursor: number;

  constructor(options: TcpOptions) {
    this.#cfg = resolveConfig(options);
    this.#random = options.random;
    this.#localAddress = options.localAddress;
    this.#memoryPressure = options.memoryPressure;
    this.#memoryHeadroom = options.memoryHeadroom;
    this.#isn = new IsnGenerator(options.random);
    this.#cookies = new SynCookies(options.random);
    const b = new Uint8Array(2);
    options.random(b);
    this.#portCursor = (b[0]! << 8) | b[1]!;
    const seed = new Uint8Array(4);
    options.random(seed);
    this.#timeWait = new TimeWaitTable(this.#cfg.maxTimeWait, (seed[0]! << 24) | (seed[1]! << 16) | (seed[2]! << 8) | seed[3]!);
    const self = this;
    this.#host = {
      cfg: this.#cfg,
      stats: this.stats,
      random: (buf) => self.#random(buf),
      allowChallengeAck: (now) => self.#allowChallengeAck(now),
      bufferAllowance: () => self.#allowance,
      queueRst: (l, lp, r, rp, seq, ack, withAck) => self.#queueRst(l, lp, r, rp, seq, ack, withAck),
    };
  }

  /** The cap on connectionCount (TcpOptions.maxConnections). */
  get connectionLimit(): number { return this.#cfg.maxConnections; }
  /** Number of connections in any state but TIME-WAIT (incl. half-open). */
  get connectionCount(): number { return this.#count; }
  /** TIME-WAIT records (RFC 9293 §3.6.1, kept compactly: see time-wait.ts). */
  get timeWaitCount(): number { return this.#timeWait.size; }
  /** Bytes the TIME-WAIT table holds (diagnostics). */
  get timeWaitBytes(): number { return this.#timeWait.allocatedBytes; }
  /** Every connection the stack holds (diagnostics and tests). */
  connections(): TcpConnection[] {
    const out: TcpConnection[] = [];
    for (const m of this.#conns.values()) for (const c of m.values()) out.push(c);
    return out;
  }

  /** Passive open on `port`. Throws RangeError for a bad port, Error if it is already listened on. */
  listen(port: number, options: ListenOptions = {}): TcpListener {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`Cannot listen on port ${port}: out of range`);
    if (this.#listeners.has(port)) throw Object.assign(new Error(`Cannot listen on port ${port}: already in use`), { code: 'EADDRINUSE' });
    const l = new TcpListener(this, port, options.backlog ?? this.#cfg.backlog, options.synBacklog ?? this.#cfg.synBacklog, options.localAddress);
    this.#listeners.set(port, l);
    return l;
  }

  /** @internal */
  _unlisten(l: TcpListener): void {
    if (this.#listeners.get(l.port) === l) this.#listeners.delete(l.port);
  }

  /** Active open. The SYN goes out at the next poll(). Throws on bad arguments or when a cap is reached. */
  connect(now: number, options: ConnectOptions): TcpConnection {
    const { remoteAddress, remotePort } = options;
    if (!Number.isInteger(remotePort) || remotePort < 1 || remotePort > 65535) {
      throw new RangeError(`Cannot connect to port ${remotePort}: out of range`);
    }
    // RFC 1122 §4.2.3.10: no connection to a broadcast or multicast address (Linux: ENETUNREACH).
    if (isMulticastOrBroadcast(remoteAddress)) throw Object.assign(new RangeError('Cannot connect: network unreachable (broadcast or multicast address)'), { code: 'ENETUNREACH' });
    const local = options.localAddress ?? this.#localAddress?.();
    if (local === undefined) throw Object.assign(new TypeError('Cannot connect: no local address'), { code: 'ENETUNREACH' });
    if (this.#count >= this.#cfg.maxConnections) throw Object.assign(new RangeError(`Cannot connect: connection limit (${this.#cfg.maxConnections}) reached`), { code: 'EAGAIN' });
    let localPort = options.localPort;
    if (localPort === undefined) localPort = this.#ephemeralPort(local, remoteAddress, remotePort);
    else if (!Number.isInteger(localPort) || localPort < 1 || localPort > 65535) throw new RangeError(`Cannot bind port ${localPort}: out of range`);
    if (this.#find(local, localPort, remoteAddress, remotePort) || this.#timeWait.find(local, localPort, remoteAddress, remotePort) >= 0) {
      throw Object.assign(new Error(`Cannot connect from port ${localPort}: address in use`), { code: 'EADDRINUSE' });
    }
    const iss = this.#isn.isn(now, local, localPort, remoteAddress, remotePort);
    const c = new TcpConnection(this.#host, now, local, localPort, remoteAddress, remotePort, iss, undefined, undefined);
    if (options.noDelay !== undefined) c.setNoDelay(options.noDelay);
    if (options.keepAlive !== undefined) c.setKeepAlive(options.keepAlive);
    this.#add(c);
    return c;
  }

  #ephemeralPort(local: Ipv4Addr, remote: Ipv4Addr, remotePort: number): number {
    // RFC 6056 §3.3.1-style: random start, sequential search over 49152-65535.
    const lo = 49152;
    const span = 65536 - lo;
    for (let i = 0; i < span; i++) {
      const p = lo + ((this.#portCursor + i) % span);
      if (!this.#listeners.has(p) && !this.#find(local, p, remote, remotePort) && this.#timeWait.find(local, p, remote, remotePort) < 0) {
        this.#portCursor = (this.#portCursor + i + 1) % span;
        return p;
      }
    }
    throw Object.assign(new RangeError('Cannot connect: no free ephemeral port'), { code: 'EADDRNOTAVAIL' });
  }

  #find(local: Ipv4Addr, localPort: number, remote: Ipv4Addr, remotePort: number): TcpConnection | undefined {
    return this.#conns.get(local * 65536 + localPort)?.get(remote * 65536 + remotePort);
  }

  #add(c: TcpConnection): void {
    const k = c.localAddress * 65536 + c.localPort;
    let m = this.#conns.get(k);
    if (!m) { m = new Map(); this.#conns.set(k, m); }
    m.set(c.remoteAddress * 65536 + c.remotePort, c);
    this.#count++;
  }

  #remove(c: TcpConnection): void {
    const k = c.localAddress * 65536 + c.localPort;
    const m = this.#conns.get(k);
    if (m?.get(c.remoteAddress * 65536 + c.remotePort) === c) {
      m.delete(c.remoteAddress * 65536 + c.remotePort);
      if (m.size === 0) this.#conns.delete(k);
      this.#count--;
      this.#promised += c._promiseRelease();
    }
  }

  /**
   * The memory headroom (bytes before pressure) shared among the connections: each may announce
   * a window that grows its receive storage by at most (headroom / WINDOW_COPIES - what open
   * windows already promise) / (connections + 1), so all of them together stay below the
   * pressure line even when their peers fill every window at once. Read once per input/poll.
   */
  #refreshAllowance(): void {
    const h = this.#memoryHeadroom;
    this.#allowance = h ? Math.max(0, h() / WINDOW_COPIES - this.#promised) / (1 + this.#count) : Infinity;
  }

  #allowChallengeAck(now: number): boolean {
    if (now - this.#challengeWindow >= 1000) { this.#challengeWindow = now; this.#challengeCount = 0; }
    if (this.#challengeCount >= this.#cfg.challengeAckLimit) return false;
    this.#challengeCount++;
    return true;
  }

  #queueRst(local: Ipv4Addr, localPort: number, remote: Ipv4Addr, remotePort: number, seq: number, ack: number, withAck: boolean): void {
    if (this.#rsts.length >= this.#cfg.maxPendingRsts) { this.stats.rstsDropped++; return; }
    this.#rsts.push({ src: local, dst: remote, srcPort: localPort, dstPort: remotePort, seq, ack, withAck });
  }

  /**
   * TransportProtocol.input. Returns false only when no connection or listener wanted the
   * segment (a RST is then queued for the next poll). Malformed segments are counted and
   * dropped (returns true: handled).
   */
  input(now: number, src: Ipv4Addr, dst: Ipv4Addr, payload: Uint8Array, checksumVerified = false, segments = 1): boolean {
    if (this.#busy) throw new Error('Tcp.input() called re-entrantly from a callback');
    const seg = this.#seg;
    const hl = parseTcp(payload, src, dst, seg, !checksumVerified);
    if (typeof hl !== 'number') {
      if (hl === 'bad-checksum') this.stats.badChecksum++; else this.stats.malformed++;
      return true;
    }
    this.stats.segmentsIn++;
    // RFC 9293 §3.9.2 / RFC 1122 §4.2.3.10: never talk to broadcast or multicast addresses.
    if (isMulticastOrBroadcast(src) || isMulticastOrBroadcast(dst) || seg.srcPort === 0 || seg.dstPort === 0) {
      this.stats.malformed++;
      return true;
    }
    const data = payload.subarray(hl);
    const conn = this.#find(dst, seg.dstPort, src, seg.srcPort);
    this.#refreshAllowance();
    this.#busy = true;
    try {
      if (conn) {
        conn._input(now, seg, data, segments);
        this.#settle(conn);
        return true;
      }
      const tw = this.#timeWait.find(dst, seg.dstPort, src, seg.srcPort);
      if (tw >= 0 && this.#timeWaitInput(now, tw, seg, data.length)) return true;
      const l = this.#listeners.get(seg.dstPort);
      if (l && (l.localAddress === undefined || l.localAddress === dst)) {
        this.#listenInput(now, l, src, dst, seg, data);
        return true;
      }
      this.#closedPortRst(src, dst, seg, data.length);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * RFC 9293 §3.10.7.4 for a TIME-WAIT record. Returns false when the segment is a new SYN
   * that may reopen the 4-tuple (RFC 6191: its timestamp, or without timestamps its sequence
   * number, is beyond what the old connection used); the record is then gone and the segment
   * goes to the listener.
   */
  #timeWaitInput(now: number, slot: number, seg: TcpRepr, dataLen: number): boolean {
    const tw = this.#timeWait;
    const r = tw.get(slot);
    const f = seg.flags;
    if (f & RST) {
      if (seg.seq === r.rcvNxt) tw.remove(slot); // RFC 9293: an acceptable RST closes TIME-WAIT
      return true;
    }
    if (f & SYN && !(f & ACK)) {
      const newer = r.tsOk && seg.tsVal !== undefined ? seqGt(seg.tsVal, r.tsRecent) : seqGt(seg.seq, r.rcvNxt);
      if (newer) { tw.remove(slot); return false; }
      if (this.#allowChallengeAck(now)) { this.stats.challengeAcks++; this.#queueTimeWaitAck(now, r); }
      else this.stats.challengeAcksLimited++;
      return true;
    }
    if (f & FIN) tw.restart(slot, now + 2 * this.#cfg.msl); // a retransmitted FIN restarts 2*MSL
    if (f & FIN || dataLen > 0) this.#queueTimeWaitAck(now, r);
    return true;
  }

  #queueTimeWaitAck(now: number, r: ReturnType<TimeWaitTable['get']>): void {
    if (this.#rsts.length >= this.#cfg.maxPendingRsts) { this.stats.rstsDropped++; return; }
    this.#rsts.push({
      src: r.localAddress, dst: r.remoteAddress, srcPort: r.localPort, dstPort: r.remotePort, seq: r.sndNxt, ack: r.rcvNxt, withAck: true,
      ackOnly: { window: r.window, tsVal: r.tsOk ? (Math.floor(now) + r.tsOffset) >>> 0 : undefined, tsEcr: r.tsRecent },
    });
  }

  /** TransportProtocol.unreachable: a segment we sent could not reach its next hop (ARP failed). */
  unreachable(_now: number, src: Ipv4Addr, dst: Ipv4Addr, payload: Uint8Array): void {
    if (this.#busy || payload.length < 4) return;
    const c = this.#find(src, (payload[0]! << 8) | payload[1]!, dst, (payload[2]! << 8) | payload[3]!);
    if (!c) return;
    this.#busy = true;
    try {
      if (c._unreachable()) { this.stats.unreachableAborts++; this.#settle(c); }
    } finally {
      this.#busy = false;
    }
  }

  /** RFC 9293 §3.10.7.2: a segment for a LISTEN socket. */
  #listenInput(now: number, l: TcpListener, src: Ipv4Addr, dst: Ipv4Addr, seg: TcpRepr, data: Uint8Array): void {
    const f = seg.flags;
    if (f & RST) return;
    if (f & ACK) {
      if (!(f & SYN) && this.#cookieInput(now, l, src, dst, seg, data)) return;
      this.#queueRst(dst, seg.dstPort, src, seg.srcPort, seg.ack, 0, false);
      return;
    }
    if (!(f & SYN)) return;
    if (l.closed) return;
    // The application is not accepting: drop (the peer retransmits), as Linux does.
    if (l._acceptQueueFull()) { this.stats.synDropped++; return; }
    // Memory pressure sheds load only while connections hold memory: below the floor the heap is
    // the program's own, and refusing would lock clients out for as long as it stays there.
    const short = this.#count >= this.#cfg.maxConnections
      || (this.#count >= this.#cfg.pressureFloor && (this.#memoryPressure?.() ?? false));
    // RFC 4987 §3.6: a full SYN queue answers with a cookie and keeps no state, so a flood of
    // SYNs that are never completed cannot lock clients out (the cookie comes back in the ACK).
    if (l._synQueueFull() && !short && this.#cfg.synCookies) {
      this.#queueCookieSynAck(now, src, dst, seg);
      return;
    }
    // RFC 4987 §3.4: at the connection limit, short of memory, or with a full SYN queue and no
    // cookies, the oldest half-open entry makes room, so spoofed or unresolvable sources cannot
    // lock clients out. At the limit or short of memory it must have waited an initial RTO
    // (RFC 6298 §2.1) without an answer: a younger one is most likely a real client whose ACK is
    // in flight or not yet read (a busy guest reads late), who already counts itself connected,
    // and evicting it would trade one refused client for one reset client.
    const full = l._synQueueFull() || short;
    if (full) {
      const oldest = l._oldestHalfOpen();
      const victim = oldest && (!short || now - oldest.openedAt >= this.#cfg.initialRto) ? oldest : undefined;
      if (victim) {
        victim._evict();
        this.stats.synEvicted++;
        this.#settle(victim);
      } else {
        // At the connection limit or short of memory with nothing stale to evict: refuse with RST
        // (RFC 9293 §3.10.7.2 lets a listener reject; an answer, not silence).
        this.stats.synRefused++;
        this.#closedPortRst(src, dst, seg, data.length);
        return;
      }
    }
    void data; // data carried in a SYN is not queued; the peer retransmits it after the handshake
    const iss = this.#isn.isn(now, dst, seg.dstPort, src, seg.srcPort);
    const c = new TcpConnection(this.#host, now, dst, seg.dstPort, src, seg.srcPort, iss, seg, l);
    l._addHalfOpen(c);
    this.#add(c);
  }

  #queueCookieSynAck(now: number, src: Ipv4Addr, dst: Ipv4Addr, seg: TcpRepr): void {
    if (this.#rsts.length >= this.#cfg.maxPendingRsts) { this.stats.rstsDropped++; return; }
    const cookie = this.#cookies.make(now, dst, seg.dstPort, src, seg.srcPort, seg.seq, seg.mss);
    const mss = Math.min(this.#cfg.mss, SynCookies.encodedMss(seg.mss));
    this.#cookieSentAt = now;
    this.stats.synCookiesSent++;
    this.#rsts.push({
      src: dst, dst: src, srcPort: seg.dstPort, dstPort: seg.srcPort, seq: cookie, ack: seqAdd(seg.seq, 1), withAck: true,
      synAck: { mss, window: Math.min(this.#cfg.receiveBufferSize, 0xffff) },
    });
  }

  /**
   * An ACK for a listener with no connection: if cookies went out recently and SEG.ACK - 1 is
   * a valid cookie for this 4-tuple and SEG.SEQ - 1, the handshake is complete: the connection
   * is created from what the cookie carries (RFC 4987 §3.6) and takes the segment. Returns
   * false when it is no cookie (the caller answers with RST).
   */
  #cookieInput(now: number, l: TcpListener, src: Ipv4Addr, dst: Ipv4Addr, seg: TcpRepr, data: Uint8Array): boolean {
    if (now - this.#cookieSentAt > (COOKIE_LIFETIME_STEPS + 1) * COOKIE_STEP_MS || l.closed) return false;
    const peerIsn = seqAdd(seg.seq, -1);
    const cookie = seqAdd(seg.ack, -1);
    const mss = this.#cookies.check(now, dst, seg.dstPort, src, seg.srcPort, peerIsn, cookie);
    if (mss === undefined) { this.stats.synCookiesRejected++; return false; }
    // A full accept queue drops the ACK (the peer retransmits while the cookie is valid), as
    // Linux does. At the connection limit the peer, which counts itself connected since our
    // SYN-ACK, gets RST: an answer, where a dropped ACK of an idle client would never be resent.
    if (l._acceptQueueFull()) { this.stats.synDropped++; return true; }
    if (this.#count >= this.#cfg.maxConnections) {
      this.stats.synRefused++;
      this.#queueRst(dst, seg.dstPort, src, seg.srcPort, seg.ack, 0, false);
      return true;
    }
    const syn = emptyTcpRepr();
    syn.srcPort = seg.srcPort; syn.dstPort = seg.dstPort; syn.seq = peerIsn; syn.flags = SYN;
    syn.window = seg.window; syn.mss = mss; // no window scale, SACK or timestamps: the cookie has no room
    const c = new TcpConnection(this.#host, now, dst, seg.dstPort, src, seg.srcPort, cookie, syn, l);
    c._synAckSentStatelessly();
    l._addHalfOpen(c);
    this.#add(c);
    this.stats.synCookiesAccepted++;
    c._input(now, seg, data);
    this.#settle(c);
    return true;
  }

  /** RFC 9293 §3.10.7.1: reply to a segment for a closed port. */
  #closedPortRst(src: Ipv4Addr, dst: Ipv4Addr, seg: TcpRepr, dataLen: number): void {
    const f = seg.flags;
    if (f & RST) return;
    if (f & ACK) this.#queueRst(dst, seg.dstPort, src, seg.srcPort, seg.ack, 0, false);
    else {
      const len = dataLen + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0);
      this.#queueRst(dst, seg.dstPort, src, seg.srcPort, 0, seqAdd(seg.seq, len), true);
    }
  }

  /** Runs callbacks after a state change, forgets finished connections, compacts TIME-WAIT. */
  #settle(c: TcpConnection): void {
    this.#promised += c._promiseDelta();
    c._flushEvents();
    for (const l of this.#listeners.values()) l._flushEvents();
    if (c._finished) { this.#remove(c); return; }
    const tw = c._timeWaitState();
    if (tw) {
      const deadline = c._timeWaitDeadline;
      this.#remove(c);
      c._handedOver();
      this.#timeWait.add(tw, deadline);
      this.stats.timeWaitRecords++;
      this.stats.timeWaitEvicted = this.#timeWait.evicted;
    }
  }

  /**
   * TransportProtocol.poll: fires timers and emits every segment due at `now`. Once `emit`
   * refuses a segment, the remaining connections are not polled (they stay due).
   */
  poll(now: number, emit: Emit): void {
    if (this.#busy) throw new Error('Tcp.poll() called re-entrantly from a callback');
    this.#refreshAllowance();
    this.#busy = true;
    try {
      let full = false;
      const out = (d: OutgoingDatagram): boolean => {
        if (full) return false;
        if (emit(d) === false) full = true;
        return !full;
      };
      const touched = this.#touched;
      for (const m of this.#conns.values()) {
        for (const c of m.values()) {
          if (!full && c._nextDeadline(now) <= now) { c._poll(now, out); touched.push(c); }
        }
      }
      for (const c of touched) this.#settle(c);
      touched.length = 0;
      if (this.#timeWait.nextDeadline() <= now) this.#timeWait.expire(now);
      for (const l of this.#listeners.values()) l._flushEvents();
      this.#flushRsts(emit);
    } finally {
      this.#busy = false;
    }
  }

  #flushRsts(emit: Emit): void {
    const r = this.#rstRepr;
    let i = 0;
    for (; i < this.#rsts.length; i++) {
      const p = this.#rsts[i]!;
      r.srcPort = p.srcPort; r.dstPort = p.dstPort; r.seq = p.seq; r.ack = p.withAck ? p.ack : 0;
      const a = p.ackOnly;
      const sa = p.synAck;
      r.flags = sa ? SYN | ACK : a ? ACK : p.withAck ? RST | ACK : RST; r.window = sa ? sa.window : a ? a.window : 0;
      r.tsVal = a?.tsVal; r.tsEcr = a?.tsVal === undefined ? undefined : a.tsEcr;
      r.mss = sa?.mss;
      const buf = new Uint8Array(FRAME_HEADROOM + TCP_HEADER_LEN + tcpOptionsLength(r)).subarray(FRAME_HEADROOM);
      emitTcp(r, buf, p.src, p.dst, 0);
      // Refused (transmit path full): this one and the rest wait for the next poll.
      if (emit({ src: p.src, dst: p.dst, protocol: TCP_PROTOCOL, payload: buf, headroom: true }) === false) break;
      if (!a && !sa) this.stats.rstsSent++;
      this.stats.segmentsOut++;
    }
    this.#rsts.splice(0, i);
  }

  /** TransportProtocol.pollAt: earliest time poll() has work (Infinity when idle). */
  pollAt(now: number): number {
    if (this.#rsts.length) return now;
    let t = this.#timeWait.nextDeadline();
    if (t <= now) return now;
    for (const m of this.#conns.values()) {
      for (const c of m.values()) {
        const d = c._nextDeadline(now);
        if (d < t) { t = d; if (t <= now) return now; }
      }
    }
    return t;
  }
}
