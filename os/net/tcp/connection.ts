/**
 * One TCP connection: the RFC 9293 state machine with RFC 7323 (window scaling, timestamps,
 * PAWS), RFC 6298 (RTO), RFC 5681 + RFC 6582 (NewReno), RFC 5961 (challenge ACKs), RFC 2018
 * (receive-side SACK), delayed ACKs, Nagle, persist and keep-alive timers.
 *
 * Pure: every entry point takes `now` (ms); `nextDeadline()` says when `poll` is next due.
 * Segments are only produced by `poll` (output.ts, the base class; the owner `Tcp` calls it);
 * `input` (here) only changes state.
 * Application callbacks are never called from inside an API method: they are queued and run by
 * `Tcp.input`/`Tcp.poll` after the state change is complete, so they may call any method.
 */
import type { Ipv4Addr } from '../addr.ts';
import { TcpFlags, type TcpRepr } from '../wire/tcp.ts';
import { Assembler } from './assembler.ts';
import { NewReno } from './congestion.ts';
import { resolveKeepAlive, type ConnHost, type KeepAliveOptions } from './config.ts';
import { RingBuffer } from './ring.ts';
import { DEFAULT_PEER_MSS, TcpOutput, windowShiftFor } from './output.ts';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.ts';
import type { TimeWaitState } from './time-wait.ts';

const { FIN, SYN, RST, PSH, ACK } = TcpFlags;

export type TcpState =
  | 'CLOSED' | 'SYN-SENT' | 'SYN-RECEIVED' | 'ESTABLISHED' | 'FIN-WAIT-1' | 'FIN-WAIT-2'
  | 'CLOSE-WAIT' | 'CLOSING' | 'LAST-ACK' | 'TIME-WAIT';

export type TcpErrorCode = 'ECONNREFUSED' | 'ECONNRESET' | 'ETIMEDOUT' | 'EHOSTUNREACH';

/** What a connection tells the listener that created it (internal). */
export interface ListenerHooks {
  /** The handshake completed; false if the accept queue is full (the ACK is then dropped). */
  _established(conn: TcpConnection): boolean;
  /** A half-open connection left SYN-RECEIVED without being established. */
  _halfOpenGone(conn: TcpConnection): void;
}

const EV_CONNECTED = 1;
const EV_READABLE = 2;
const EV_WRITABLE = 4;
const EV_ERROR = 8;
const EV_CLOSED = 16;

/** Minimum spacing of ACKs answering out-of-window segments without data (Linux: 500 ms). */
const OOW_ACK_INTERVAL = 500;

export class TcpConnection extends TcpOutput {
  // ---- application notification hooks (see index.ts for the contract) ----
  /** The handshake completed (active open). Passive connections are announced by the listener. */
  onConnected: (() => void) | undefined;
  /** New in-order data can be read with recv(), or the peer's FIN arrived (see readEnded). */
  onReadable: (() => void) | undefined;
  /** Send-buffer space was freed after a send() accepted less than it was given. */
  onWritable: (() => void) | undefined;
  /** The connection failed; `error` holds the code. Followed by onClosed. */
  onError: ((code: TcpErrorCode) => void) | undefined;
  /** The connection is finished for the application (CLOSED or TIME-WAIT). Called once. */
  onClosed: (() => void) | undefined;

  readonly localAddress: Ipv4Addr;
  readonly localPort: number;
  readonly remoteAddress: Ipv4Addr;
  readonly remotePort: number;
  /** When the connection was created (its SYN arrived, or connect() was called). */
  readonly openedAt: number;


  /** @internal Created by Tcp.connect (active) or by a listener on SYN (passive). */
  constructor(
    host: ConnHost, now: number, local: Ipv4Addr, localPort: number, remote: Ipv4Addr, remotePort: number,
    iss: number, syn: TcpRepr | undefined, listener: ListenerHooks | undefined,
  ) {
    super();
    this.host = host;
    const cfg = host.cfg;
    this.localAddress = local;
    this.localPort = localPort;
    this.remoteAddress = remote;
    this.remotePort = remotePort;
    this.listener = listener;
    this.noDelayOpt = cfg.noDelay;
    this.keepAlive = cfg.keepAlive;
    this.iss = iss;
    this.sndUna = this.sndNxt = this.sndMax = iss;
    this.sndBufSeq = seqAdd(iss, 1);
    this.cc = new NewReno(iss);
    this.rto = cfg.initialRto;
    this.sndBuf = new RingBuffer(cfg.sendBufferSize);
    this.rcvBuf = new RingBuffer(cfg.receiveBufferSize);
    this.asm = new Assembler(cfg.maxOooRanges);
    this.lastRecv = now;
    this.openedAt = now;
    this.connectDeadline = now + cfg.connectTimeout;
    if (cfg.timestamps) {
      const b = new Uint8Array(4);
      host.random(b);
      this.tsOffset = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    }
    if (syn === undefined) {
      this.tcpState = 'SYN-SENT';
    } else {
      // Passive open (RFC 9293 §3.10.7.2): LISTEN + SYN -> SYN-RECEIVED.
      this.tcpState = 'SYN-RECEIVED';
      this.#acceptSyn(syn);
    }
  }

  // ------------------------------------------------------------------ public API

  get state(): TcpState { return this.tcpState; }
  get error(): TcpErrorCode | undefined { return this.errorCode; }
  get noDelay(): boolean { return this.noDelayOpt; }
  /** Bytes that recv() can return now. */
  get readableLength(): number { return this.rcvBuf.length; }
  /** True once the peer's FIN arrived and every byte before it was read. */
  get readEnded(): boolean { return this.peerFin && this.rcvBuf.length === 0; }
  /** True while send() may accept data (not closed, close() not called). */
  get writable(): boolean {
    const s = this.tcpState;
    return !this.finQueued && (s === 'ESTABLISHED' || s === 'CLOSE-WAIT' || s === 'SYN-SENT' || s === 'SYN-RECEIVED');
  }
  /** Bytes queued for sending (unsent + sent but unacknowledged). */
  get bufferedAmount(): number { return this.sndBuf.length; }
  /** Free space in the send buffer. */
  get sendBufferFree(): number { return this.sndBuf.free; }

  /** Diagnostics (read-only snapshot of the sender's control state). */
  get info(): {
    cwnd: number; ssthresh: number; rto: number; srtt: number | undefined; sndWnd: number; mss: number;
    windowScaling: boolean; timestamps: boolean; sack: boolean; oooRanges: number; rcvAllocated: number; sndAllocated: number;
  } {
    return {
      cwnd: this.cc.cwnd, ssthresh: this.cc.ssthresh, rto: this.rto, srtt: this.rtt.hasSample ? this.rtt.srtt : undefined,
      sndWnd: this.sndWnd, mss: this.sndMss, windowScaling: this.wsOk, timestamps: this.tsOk, sack: this.sackOk,
      oooRanges: this.asm.count, rcvAllocated: this.rcvBuf.allocated, sndAllocated: this.sndBuf.allocated,
    };
  }

  /**
   * Queues bytes for sending; returns how many were accepted (fewer than given, possibly 0,
   * when the send buffer is full: back-pressure, onWritable follows). Returns 0 when the
   * connection is not writable. Data is copied; `data` may be reused at once.
   */
  send(data: Uint8Array): number {
    if (!this.writable) return 0;
    const room = this.#sendRoom();
    const n = this.sndBuf.write(room < data.length ? data.subarray(0, room) : data);
    if (n < data.length) this.wantWritable = true;
    if (n > 0) this.dirty = true;
    return n;
  }

  /**
   * Send-buffer space memory allows (issue 10): under the stack's share of the heap's headroom
   * the buffer's storage may grow only by that share, so a program writing faster than the
   * peer reads sees back-pressure instead of taking the guest past memory pressure. It always
   * has room for two segments, so every connection makes progress.
   */
  #sendRoom(): number {
    const free = this.sndBuf.free;
    const allow = this.host.bufferAllowance();
    if (allow === Infinity) return free;
    const held = this.sndBuf.allocated - this.sndBuf.length;
    return Math.min(free, Math.max(held + Math.floor(allow), 2 * this.host.cfg.mss - this.sndBuf.length, 0));
  }

  /**
   * @internal The change, since the last call, in the receive memory this connection has
   * promised its peer and not yet allocated: its open window beyond the free storage it holds,
   * what the peer may still make us allocate. The stack keeps the sum (issue 10).
   */
  _promiseDelta(): number {
    const s = this.tcpState;
    let p = 0;
    if (s !== 'CLOSED' && s !== 'TIME-WAIT') {
      const win = seqDiff(this.rcvAdvEdge, this.rcvNxt);
      if (win > 0) p = Math.max(0, win - (this.rcvBuf.allocated - this.rcvBuf.length));
    }
    const d = p - this.#promised;
    this.#promised = p;
    return d;
  }
  /** @internal The connection leaves the stack: its whole promise goes (returned negated). */
  _promiseRelease(): number {
    const d = -this.#promised;
    this.#promised = 0;
    return d;
  }
  #promised = 0;

  /** Removes and returns up to `max` bytes of in-order data, or undefined when none is buffered. */
  recv(max = Infinity): Uint8Array | undefined {
    if (this.rcvBuf.length === 0) return undefined;
    const out = this.rcvBuf.read(max);
    this.#afterRead();
    return out;
  }

  /** Copies up to `buf.length` bytes of in-order data into `buf`; returns the count (0: none). */
  recvInto(buf: Uint8Array): number {
    const n = Math.min(buf.length, this.rcvBuf.length);
    if (n === 0) return 0;
    this.rcvBuf.copyOut(0, buf, 0, n);
    this.rcvBuf.consume(n);
    this.#afterRead();
    return n;
  }

  /** Nagle off (true) or on (false). RFC 9293 §3.7.4. */
  setNoDelay(noDelay = true): void { this.noDelayOpt = noDelay; this.dirty = true; }

  /** Keep-alive on with the given timing, or off (false). Off by default (RFC 9293 §3.8.4). */
  setKeepAlive(options: KeepAliveOptions | false): void {
    this.keepAlive = resolveKeepAlive(options);
    this.kaProbes = 0;
    this.dirty = true;
  }

  /** Graceful close: FIN after all queued data (RFC 9293 §3.10.4). The receive side stays open. */
  close(): void {
    switch (this.tcpState) {
      case 'SYN-SENT':
        this.terminate(undefined);
        return;
      case 'SYN-RECEIVED':
      case 'ESTABLISHED':
      case 'CLOSE-WAIT':
        if (this.finQueued) return;
        this.finQueued = true;
        this.finSeq = seqAdd(this.sndBufSeq, this.sndBuf.length);
        if (this.tcpState === 'ESTABLISHED') this.tcpState = 'FIN-WAIT-1';
        else if (this.tcpState === 'CLOSE-WAIT') this.tcpState = 'LAST-ACK';
        this.dirty = true;
        return;
      default:
        return;
    }
  }

  /** Abortive close: RST to the peer (when synchronized) and CLOSED at once (RFC 9293 §3.10.5). */
  abort(): void {
    const s = this.tcpState;
    if (s === 'CLOSED') return;
    if (s === 'SYN-RECEIVED' || s === 'ESTABLISHED' || s === 'FIN-WAIT-1' || s === 'FIN-WAIT-2' || s === 'CLOSE-WAIT') {
      this.rstPending = true;
    }
    this.terminate(undefined);
  }

  // ------------------------------------------------------------------ internal API used by Tcp

  /** @internal True when the stack may forget this connection. */
  get _finished(): boolean { return this.tcpState === 'CLOSED' && !this.rstPending && this.events === 0; }

  /**
   * @internal A TIME-WAIT connection with nothing left to send or report: what the stack's
   * compact TIME-WAIT record needs, or undefined if it is not (yet) in that condition.
   */
  _timeWaitState(): TimeWaitState | undefined {
    if (this.tcpState !== 'TIME-WAIT' || this.dirty || this.ackNow || this.events !== 0 || this.rstPending) return undefined;
    return {
      localAddress: this.localAddress, localPort: this.localPort, remoteAddress: this.remoteAddress, remotePort: this.remotePort,
      sndNxt: this.ackSeq(), rcvNxt: this.rcvNxt, window: this.repr.window,
      tsOk: this.tsOk, tsRecent: this.tsRecent, tsOffset: this.tsOffset,
    };
  }

  /**
   * @internal The peer's address did not resolve (ARP gave up on a segment we sent). A
   * handshake ends at once (RFC 1122 §4.2.3.9 allows aborting on a hard error in SYN-SENT;
   * a half-open passive connection frees its SYN-queue slot); synchronized states keep
   * retransmitting. Returns true if the connection ended.
   */
  _unreachable(): boolean {
    const s = this.tcpState;
    if (s === 'SYN-SENT') { this.terminate('EHOSTUNREACH'); return true; }
    if (s === 'SYN-RECEIVED') { this.host.stats.timeouts++; this.terminate(this.listener ? undefined : 'EHOSTUNREACH'); return true; }
    return false;
  }

  /** @internal A half-open connection dropped for a newer SYN (RFC 4987 §3.4): no RST, no error. */
  _evict(): void {
    if (this.tcpState === 'SYN-RECEIVED') this.terminate(undefined);
  }

  /**
   * @internal A connection rebuilt from a SYN cookie (syn-cookies.ts): its SYN-ACK (ISS = the
   * cookie) already went out statelessly, so SND.NXT is past it and the completing ACK that
   * follows is acceptable.
   */
  _synAckSentStatelessly(): void {
    if (this.tcpState !== 'SYN-RECEIVED' || this.sndNxt !== this.iss) return;
    this.sndNxt = this.sndMax = seqAdd(this.iss, 1);
  }

  /** @internal The stack keeps a TIME-WAIT record instead: this object is CLOSED (no events). */
  _handedOver(): void {
    this.tcpState = 'CLOSED';
    this.timeWaitDeadline = Infinity;
  }

  /** @internal TIME-WAIT deadline (2*MSL after the last FIN), Infinity in other states. */
  get _timeWaitDeadline(): number { return this.timeWaitDeadline; }

  /** @internal The earliest time poll() has work to do. */
  _nextDeadline(now: number): number {
    if (this.dirty || this.events !== 0 || this.rstPending || this.ackNow || this.retransmitHead) return now;
    const s = this.tcpState;
    if (s === 'CLOSED') return Infinity;
    let t = this.rtxDeadline;
    if (this.ackDeadline < t) t = this.ackDeadline;
    if (this.persistDeadline < t) t = this.persistDeadline;
    if (this.timeWaitDeadline < t) t = this.timeWaitDeadline;
    if (this.finWait2Deadline < t) t = this.finWait2Deadline;
    if ((s === 'SYN-SENT' || s === 'SYN-RECEIVED') && this.connectDeadline < t) t = this.connectDeadline;
    const ka = this.keepAliveAt();
    if (ka < t) t = ka;
    return t;
  }

  /** @internal Runs the application callbacks queued by state changes. */
  _flushEvents(): void {
    for (let round = 0; round < 8 && this.events !== 0; round++) {
      const ev = this.events;
      this.events = 0;
      if (ev & EV_CONNECTED) this.onConnected?.();
      if (ev & EV_READABLE) this.onReadable?.();
      if (ev & EV_WRITABLE) this.onWritable?.();
      if (ev & EV_ERROR && this.errorCode !== undefined) this.onError?.(this.errorCode);
      if (ev & EV_CLOSED) this.onClosed?.();
    }
  }

  // ------------------------------------------------------------------ segment arrival

  /** @internal RFC 9293 §3.10.7: a segment for this connection arrived. `seg` is only borrowed. */
  /**
   * `segments` > 1: the segment stands for that many received ones, joined below TCP
   * (../rx-coalescer.ts): slow start counts them as ACKs, the ACK policy as segments.
   */
  _input(now: number, seg: TcpRepr, payload: Uint8Array, segments = 1): void {
    this.dirty = true;
    const s = this.tcpState;
    if (s === 'CLOSED') return;
    if (s === 'SYN-SENT') { this.#inputSynSent(now, seg); return; }
    const f = seg.flags;

    // SYN-RECEIVED: a retransmitted SYN (our SYN-ACK was lost) or, in a simultaneous open, the
    // peer's SYN-ACK (sequence number = IRS, so the window test below would reject it).
    if (s === 'SYN-RECEIVED' && f & SYN && !(f & RST) && seg.seq === this.irs) {
      if (f & ACK && seqGt(seg.ack, this.sndUna) && seqLe(seg.ack, this.sndMax)) {
        this.#updateTsRecent(seg);
        if (!this.#becomeEstablished(seg)) return;
        this.#processAck(now, seg, 0);
        this.ackNow = true;
      } else if (!(f & ACK)) {
        this.sndNxt = this.iss; // resend SYN-ACK
      }
      return;
    }

    // RFC 7323 §5.3 R1: PAWS. Reject a non-RST segment whose timestamp is older than TS.Recent.
    if (this.tsOk && seg.tsVal !== undefined && !(f & RST) && seqLt(seg.tsVal, this.tsRecent)) {
      this.host.stats.pawsDropped++;
      if (payload.length > 0 || now - this.oowAckAt >= OOW_ACK_INTERVAL) {
        if (payload.length === 0) this.oowAckAt = now;
        this.ackNow = true;
      }
      return;
    }

    // RFC 9293 §3.10.7.4 first: sequence number acceptability.
    const wnd = this.rcvBuf.free;
    let dataLen = payload.length;
    const segLen = dataLen + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0);
    const off = seqDiff(seg.seq, this.rcvNxt);
    let acceptable: boolean;
    if (segLen === 0) acceptable = wnd === 0 ? off === 0 : off >= 0 && off < wnd;
    else if (wnd === 0) acceptable = false;
    else acceptable = (off >= 0 && off < wnd) || (off + segLen - 1 >= 0 && off + segLen - 1 < wnd);
    if (!acceptable) {
      // A zero window accepts nothing, but the ACK and RST fields of a segment at RCV.NXT still
      // count (RFC 9293 §3.10.7.4): this is how zero-window probes get their ACK processed.
      if (!(wnd === 0 && off === 0)) {
        if (!(f & RST)) {
          // Answer with an ACK; for segments without data or FIN at most every OOW_ACK_INTERVAL,
          // so two stacks that each find the other's ACKs out of window cannot ping-pong forever.
          if (dataLen > 0 || f & FIN || now - this.oowAckAt >= OOW_ACK_INTERVAL) {
            if (dataLen === 0 && !(f & FIN)) this.oowAckAt = now;
            this.ackNow = true;
          }
          if (s === 'TIME-WAIT' && f & FIN) this.timeWaitDeadline = now + 2 * this.host.cfg.msl;
        }
        return;
      }
      dataLen = 0;
      payload = payload.subarray(0, 0);
      this.ackNow = true;
    }

    // second: RST (RFC 5961 §3.2): exact match resets, anything else in window is challenged.
    if (f & RST) {
      if (off === 0) this.#onReset();
      else this.#challengeAck(now);
      return;
    }
    // fourth: SYN in a synchronized state (RFC 5961 §4.2), or a new SYN in passive SYN-RECEIVED.
    if (f & SYN) {
      if (s === 'SYN-RECEIVED' && this.listener) this.terminate(undefined); // back to LISTEN
      else this.#challengeAck(now);
      return;
    }
    // fifth: ACK
    if (!(f & ACK)) return;
    this.lastRecv = now;
    this.kaProbes = 0;
    this.#updateTsRecent(seg);
    if (s === 'SYN-RECEIVED') {
      if (seqGt(seg.ack, this.sndUna) && seqLe(seg.ack, this.sndMax)) {
        if (!this.#becomeEstablished(seg)) return;
      } else {
        this.host.queueRst(this.localAddress, this.localPort, this.remoteAddress, this.remotePort, seg.ack, 0, false);
        return;
      }
    }
    // RFC 5961 §5.2: acceptable ACKs are SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT.
    if (seqGt(seg.ack, this.sndMax) || seqLt(seg.ack, seqAdd(this.sndUna, -Math.max(this.maxSndWnd, 1)))) {
      this.#challengeAck(now);
      return;
    }
    const finAcked = this.#processAck(now, seg, dataLen, segments);
    switch (this.tcpState) {
      case 'FIN-WAIT-1':
        if (finAcked) { this.tcpState = 'FIN-WAIT-2'; this.finWait2Deadline = now + this.host.cfg.finWait2Timeout; }
        break;
      case 'CLOSING':
        if (finAcked) this.#enterTimeWait(now);
        return;
      case 'LAST-ACK':
        if (finAcked) this.terminate(undefined);
        return;
      case 'TIME-WAIT':
        if (f & FIN) { this.ackNow = true; this.timeWaitDeadline = now + 2 * this.host.cfg.msl; }
        return;
      case 'FIN-WAIT-2':
        this.finWait2Deadline = now + this.host.cfg.finWait2Timeout;
        break;
      default:
        break;
    }
    const st = this.tcpState;
    if (st !== 'ESTABLISHED' && st !== 'FIN-WAIT-1' && st !== 'FIN-WAIT-2') {
      // CLOSE-WAIT etc.: the peer already sent FIN; any data or FIN here is a retransmission.
      if (dataLen > 0 || f & FIN) this.ackNow = true;
      return;
    }
    // seventh: segment text; eighth: FIN.
    if (dataLen > 0 || f & FIN) this.#receiveData(now, off, payload.subarray(0, dataLen), (f & FIN) !== 0, segments);
  }

  #inputSynSent(now: number, seg: TcpRepr): void {
    // RFC 9293 §3.10.7.3
    const f = seg.flags;
    if (f & ACK && (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndMax))) {
      if (!(f & RST)) this.host.queueRst(this.localAddress, this.localPort, this.remoteAddress, this.remotePort, seg.ack, 0, false);
      return;
    }
    if (f & RST) {
      if (f & ACK) this.terminate('ECONNREFUSED');
      return;
    }
    if (!(f & SYN)) return;
    this.#acceptSyn(seg);
    this.lastRecv = now;
    if (f & ACK) {
      this.connectDeadline = Infinity;
      this.tcpState = 'ESTABLISHED';
      this.#processAck(now, seg, 0);
      this.sndWnd = this.maxSndWnd = seg.window; // a SYN's window is never scaled (RFC 7323 §2.2)
      this.cc.start(this.sndMss);
      this.ackNow = true;
      this.events |= EV_CONNECTED;
      if (this.finQueued) this.tcpState = 'FIN-WAIT-1';
    } else {
      // Simultaneous open (RFC 9293 §3.5 figure 7): send SYN-ACK with our ISS.
      this.tcpState = 'SYN-RECEIVED';
      this.sndNxt = this.iss;
      this.rttTiming = false;
      this.rtxDeadline = Infinity;
    }
  }

  /** Records the peer's SYN: sequence numbers and negotiated options (RFC 7323 §2.2, §3.2; RFC 2018 §2). */
  #acceptSyn(syn: TcpRepr): void {
    const cfg = this.host.cfg;
    this.irs = syn.seq;
    this.rcvNxt = seqAdd(syn.seq, 1);
    this.rcvAdvEdge = this.rcvNxt;
    this.sndMss = Math.max(64, Math.min(syn.mss ?? DEFAULT_PEER_MSS, cfg.mss));
    this.wsOk = cfg.windowScaling && syn.windowScale !== undefined;
    this.sndShift = this.wsOk ? Math.min(syn.windowScale!, 14) : 0;
    this.rcvShift = this.wsOk ? windowShiftFor(this.rcvBuf.capacity) : 0;
    this.tsOk = cfg.timestamps && syn.tsVal !== undefined;
    if (this.tsOk) this.tsRecent = syn.tsVal!;
    this.sackOk = cfg.sack && syn.sackPermitted;
    // A SYN's window is never scaled (RFC 7323 §2.2).
    this.sndWnd = syn.window;
    this.maxSndWnd = syn.window;
    this.sndWl1 = syn.seq;
    this.sndWl2 = syn.ack;
  }

  #becomeEstablished(seg: TcpRepr): boolean {
    if (this.listener && !this.listener._established(this)) {
      this.host.stats.acceptQueueFull++;
      return false; // Linux-like: drop the ACK, the SYN-ACK is retransmitted later
    }
    this.listener = undefined;
    this.connectDeadline = Infinity;
    this.tcpState = this.finQueued ? 'FIN-WAIT-1' : 'ESTABLISHED';
    this.sndWnd = seg.window << this.sndShift;
    this.sndWl1 = seg.seq;
    this.sndWl2 = seg.ack;
    if (this.sndWnd > this.maxSndWnd) this.maxSndWnd = this.sndWnd;
    this.cc.start(this.sndMss);
    return true;
  }

  #updateTsRecent(seg: TcpRepr): void {
    // RFC 7323 §4.3 (3): record TSval if the segment covers Last.ACK.sent.
    if (this.tsOk && seg.tsVal !== undefined && seqLe(seg.seq, this.lastAckSent) && seqGe(seg.tsVal, this.tsRecent)) {
      this.tsRecent = seg.tsVal;
    }
  }

  #challengeAck(now: number): void {
    const stats = this.host.stats;
    if (this.host.allowChallengeAck(now)) { stats.challengeAcks++; this.ackNow = true; }
    else stats.challengeAcksLimited++;
  }

  #onReset(): void {
    // RFC 9293 §3.10.7.4 second check
    switch (this.tcpState) {
      case 'SYN-RECEIVED':
        this.terminate(this.listener ? undefined : 'ECONNREFUSED');
        return;
      case 'ESTABLISHED': case 'FIN-WAIT-1': case 'FIN-WAIT-2': case 'CLOSE-WAIT':
        this.terminate('ECONNRESET');
        return;
      default:
        this.terminate(undefined);
    }
  }

  /** Processes an acceptable ACK field; returns true if it acknowledged our FIN. */
  #processAck(now: number, seg: TcpRepr, dataLen: number, acks = 1): boolean {
    const ack = seg.ack;
    const acked = seqDiff(ack, this.sndUna);
    const m = this.sndMss;
    // RFC 9293 §3.10.7.4: window update if the segment is newer than the last one used.
    const wnd = seg.window << this.sndShift;
    let windowChanged = false;
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, ack))) {
      windowChanged = wnd !== this.sndWnd;
      this.sndWnd = wnd;
      this.sndWl1 = seg.seq;
      this.sndWl2 = ack;
      if (wnd > this.maxSndWnd) this.maxSndWnd = wnd;
      if (wnd > 0) { this.persistDeadline = Infinity; this.persistShift = 0; }
    }
    this.persistCount = 0;
    if (acked <= 0) {
      // RFC 5681 §2 duplicate ACK: data outstanding, no data, no SYN/FIN, same window.
      if (acked === 0 && this.sndMax !== this.sndUna && dataLen === 0 && !(seg.flags & (SYN | FIN)) &&
          !windowChanged && this.sndWnd !== 0 && this.isSynchronized()) {
        if (this.cc.onDuplicateAck(ack, this.sndUna, this.sndMax, m)) {
          this.retransmitHead = true;
          this.rttTiming = false; // Karn
          this.host.stats.fastRetransmits++;
        }
      }
      return false;
    }
    // New data acknowledged.
    this.rtxCount = 0;
    let finAcked = false;
    const dataEnd = seqAdd(this.sndBufSeq, this.sndBuf.length);
    const ackedData = seqDiff(seqLt(ack, dataEnd) ? ack : dataEnd, this.sndBufSeq);
    if (ackedData > 0) {
      this.sndBuf.consume(ackedData);
      this.sndBuf.release(); // storage goes back once everything is acknowledged
      this.sndBufSeq = seqAdd(this.sndBufSeq, ackedData);
      if (this.wantWritable) { this.wantWritable = false; this.events |= EV_WRITABLE; }
    }
    if (this.finQueued && seqGt(ack, this.finSeq)) finAcked = true;
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    // RFC 6298 §2-3: one timed segment per RTT, never a retransmitted one (Karn).
    // Karn: a backed-off RTO is kept until a valid sample arrives.
    if (this.rttTiming && seqGe(ack, this.rttSeq)) {
      this.rttTiming = false;
      this.rtt.sample(now - this.rttTime);
      this.#recomputeRto();
    }
    this.rtxDeadline = this.sndUna === this.sndMax ? Infinity : now + this.rto; // RFC 6298 §5.2-5.3
    if (ackedData > 0 && this.isSynchronized() && this.cc.cwnd > 0 &&
        this.cc.onNewAck(ack, acked, this.sndUna, this.sndMax, m, acks)) {
      this.retransmitHead = true;
    }
    return finAcked;
  }

  isSynchronized(): boolean {
    const s = this.tcpState;
    return s !== 'SYN-SENT' && s !== 'SYN-RECEIVED' && s !== 'CLOSED';
  }

  #recomputeRto(): void {
    const cfg = this.host.cfg;
    this.rto = this.rtt.rto(cfg.initialRto, cfg.minRto, cfg.maxRto);
  }

  /**
   * Text and FIN processing for a segment at offset `off` from RCV.NXT (already window-checked);
   * `segments`: how many received segments it stands for.
   */
  #receiveData(now: number, off: number, data: Uint8Array, fin: boolean, segments: number): void {
    let start = off;
    if (start < 0) {
      // Trim what was already received; a FIN at SEG.SEQ+SEG.LEN < RCV.NXT is old too.
      if (-start >= data.length) {
        if (fin && off + data.length < 0) fin = false;
        data = data.subarray(data.length);
        this.ackNow = true; // duplicate: acknowledge at once
      } else data = data.subarray(-start);
      start = 0;
    }
    const free = this.rcvBuf.free;
    if (start + data.length > free) {
      data = data.subarray(0, Math.max(0, free - start));
      fin = false; // FIN beyond the window
      this.ackNow = true;
    }
    const finAt = fin ? this.rcvStream + start + data.length : -1;
    if (data.length > 0) {
      if (start === 0) {
        this.rcvBuf.write(data);
        this.rcvStream += data.length;
        let adv = data.length;
        if (!this.asm.isEmpty) {
          this.asm.trimBelow(this.rcvStream);
          const end = this.asm.popFront(this.rcvStream);
          if (end > this.rcvStream) {
            this.rcvBuf.commit(end - this.rcvStream);
            adv += end - this.rcvStream;
            this.rcvStream = end;
          }
          this.ackNow = true; // RFC 5681 §4.2: a segment that fills (part of) a gap is ACKed at once
        }
        this.rcvNxt = seqAdd(this.rcvNxt, adv);
        this.events |= EV_READABLE;
        // RFC 9293 §3.8.6.3 / RFC 5681 §4.2: ACK at least every second segment, else delay.
        this.segsUnacked += segments;
        const delay = this.host.cfg.delayedAckTimeout;
        if (this.segsUnacked >= 2 || delay === 0) this.ackNow = true;
        else if (this.ackDeadline === Infinity) this.ackDeadline = now + delay;
      } else {
        // Out of order: keep it (within the range cap) and send a duplicate ACK at once.
        const s0 = this.rcvStream + start;
        if (this.asm.add(s0, s0 + data.length)) this.rcvBuf.writeAt(start, data);
        else this.host.stats.oooDropped++;
        this.ackNow = true;
      }
    } else if (!fin) {
      this.ackNow = true; // duplicate or trimmed-away data
    }
    if (finAt >= this.rcvStream) this.peerFinAt = finAt;
    if (this.peerFinAt >= 0 && this.peerFinAt === this.rcvStream && !this.peerFin) {
      this.peerFinAt = -1;
      this.peerFin = true;
      this.rcvNxt = seqAdd(this.rcvNxt, 1);
      this.ackNow = true;
      this.events |= EV_READABLE;
      switch (this.tcpState) {
        case 'ESTABLISHED': this.tcpState = 'CLOSE-WAIT'; break;
        case 'FIN-WAIT-1': this.tcpState = 'CLOSING'; break; // our FIN not yet acked (else FIN-WAIT-2)
        case 'FIN-WAIT-2': this.#enterTimeWait(now); break;
        default: break;
      }
    }
  }

  #enterTimeWait(now: number): void {
    this.tcpState = 'TIME-WAIT';
    this.timeWaitDeadline = now + 2 * this.host.cfg.msl;
    this.rtxDeadline = Infinity;
    this.persistDeadline = Infinity;
    this.finWait2Deadline = Infinity;
    this.ackDeadline = Infinity;
    this.sndBuf.consume(this.sndBuf.length);
    this.sndBuf.release();
    this.rcvBuf.release(); // only if the application read everything
    if (!this.closedNotified) { this.closedNotified = true; this.events |= EV_CLOSED; }
  }

  terminate(error: TcpErrorCode | undefined): void {
    if (this.tcpState === 'CLOSED') return;
    const wasHalfOpen = this.tcpState === 'SYN-RECEIVED' && this.listener !== undefined;
    this.tcpState = 'CLOSED';
    if (wasHalfOpen) { const l = this.listener!; this.listener = undefined; l._halfOpenGone(this); }
    this.rtxDeadline = this.ackDeadline = this.persistDeadline = Infinity;
    this.timeWaitDeadline = this.finWait2Deadline = this.connectDeadline = Infinity;
    this.ackNow = false;
    this.retransmitHead = false;
    this.dirty = true;
    this.sndBuf.consume(this.sndBuf.length); // nothing more will be sent
    this.sndBuf.release();
    this.rcvBuf.release(); // unread in-order data stays readable; out-of-order data is moot
    if (error !== undefined && this.errorCode === undefined) { this.errorCode = error; this.events |= EV_ERROR; }
    if (!this.closedNotified) { this.closedNotified = true; this.events |= EV_CLOSED; }
  }

  #afterRead(): void {
    // A drained receive buffer with no out-of-order data keeps no storage.
    if (this.asm.isEmpty) this.rcvBuf.release();
    // RFC 9293 §3.8.6.2.2: announce a reopened window only once it grew by min(window/2, MSS).
    const s = this.tcpState;
    if (s !== 'ESTABLISHED' && s !== 'FIN-WAIT-1' && s !== 'FIN-WAIT-2') return;
    const maxWin = this.maxWindow();
    const cur = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const free = this.offerable(Math.min(this.rcvBuf.free, maxWin));
    if (cur < maxWin >> 1 && free - cur >= Math.min(maxWin >> 1, this.host.cfg.mss)) {
      this.ackNow = true;
      this.dirty = true;
    }
  }

  /**
   * The window memory allows out of `room` (free buffer space): the storage the receive buffer
   * already holds plus what the stack allows it to grow by now (Tcp's share of the heap's
   * headroom, issue 10), so that a peer cannot make the guest allocate past memory pressure.
   * It always lets the connection hold two segments: a drained buffer gives its storage back,
   * and with no allowance left its window would stay shut for as long as memory is short (the
   * transfers holding that memory would stall and never release it).
   */
  offerable(room: number): number {
    const allow = this.host.bufferAllowance();
    if (allow === Infinity) return room;
    const held = Math.max(0, this.rcvBuf.allocated - this.rcvBuf.length);
    const capped = Math.max(held + Math.floor(allow), 2 * this.host.cfg.mss - this.rcvBuf.length);
    if (capped >= room) return room;
    this.host.stats.windowsCapped++;
    return capped;
  }

  /** The largest window we can announce: the receive buffer, or the 16-bit field at our scale. */
  maxWindow(): number {
    return Math.min(this.rcvBuf.capacity, 0xffff * 2 ** this.rcvShift);
  }

}
