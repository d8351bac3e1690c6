/**
 * The sending half of a TCP connection: connection state (the TCB fields, RFC 9293 §3.3.1),
 * the timers (retransmission RFC 6298, persist RFC 9293 §3.8.6.1, keep-alive §3.8.4, delayed
 * ACK, TIME-WAIT/FIN-WAIT-2/connect deadlines) and segment output (`_poll`). connection.ts
 * extends this class with the application API and segment input (the state machine).
 *
 * `TcpOutput` is the named interface between the two halves: input changes the fields below
 * and sets `dirty`; `_poll` turns them into segments. The input half provides `terminate`,
 * `isSynchronized`, `offerable` and `maxWindow`.
 */
import type { Ipv4Addr } from '../addr.ts';
import { FRAME_HEADROOM, type OutgoingDatagram } from '../transport.ts';
import { emitTcp, emptyTcpRepr, TCP_CHECKSUM_OFFSET, TCP_HEADER_LEN, TCP_PROTOCOL, TcpFlags, tcpOptionsLength, type TcpRepr } from '../wire/tcp.ts';
import type { Assembler } from './assembler.ts';
import type { NewReno } from './congestion.ts';
import type { ConnHost, KeepAliveOptions } from './config.ts';
import type { RingBuffer } from './ring.ts';
import { RttEstimator } from './rtt.ts';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.ts';
import type { ListenerHooks, TcpErrorCode, TcpState } from './connection.ts';

const { FIN, SYN, RST, PSH, ACK } = TcpFlags;

export const DEFAULT_PEER_MSS = 536; // RFC 9293 §3.7.1

/** The receive window scale (RFC 7323 §2.3) that lets `capacity` fit the 16-bit window field. */
export function windowShiftFor(capacity: number): number {
  let s = 0;
  while (s < 14 && capacity >> s > 0xffff) s++;
  return s;
}

/** Segment sink: the IP layer's transmit; false means refused (transmit path full). */
export type SegmentEmit = (d: OutgoingDatagram) => boolean;

export abstract class TcpOutput {
  abstract readonly localAddress: Ipv4Addr;
  abstract readonly localPort: number;
  abstract readonly remoteAddress: Ipv4Addr;
  abstract readonly remotePort: number;

  /** The connection ends (CLOSED), reporting `error` if given. */
  protected abstract terminate(error: TcpErrorCode | undefined): void;
  protected abstract isSynchronized(): boolean;
  /** Receive window that may be offered given `room` free bytes (memory pressure aware). */
  protected abstract offerable(room: number): number;
  /** The largest window we can announce. */
  protected abstract maxWindow(): number;

  protected host!: ConnHost;
  protected listener!: ListenerHooks | undefined;
  protected tcpState!: TcpState;
  protected errorCode!: TcpErrorCode | undefined;
  protected events = 0;
  protected closedNotified = false;
  protected dirty = true;
  /** The IP layer refused a segment during this poll (transmit path full): poll again later. */
  protected refused = false;
  protected rstPending = false;
  protected noDelayOpt!: boolean;
  protected keepAlive!: Required<KeepAliveOptions> | undefined;
  protected repr: TcpRepr = emptyTcpRepr();

  // send sequence space
  protected iss!: number;
  protected sndUna!: number;
  protected sndNxt!: number;
  protected sndMax!: number; // highest sequence number sent + 1
  protected sndWnd = 0;
  protected sndWl1 = 0;
  protected sndWl2 = 0;
  protected maxSndWnd = 0;
  protected sndShift = 0;
  protected sndMss = DEFAULT_PEER_MSS;
  protected sndBuf!: RingBuffer;
  protected sndBufSeq!: number; // sequence number of sndBuf[0]
  protected finQueued = false;
  protected finSeq = 0;
  protected wantWritable = false;

  // receive sequence space
  protected irs = 0;
  protected rcvNxt = 0;
  protected rcvBuf!: RingBuffer;
  protected rcvStream = 0; // stream offset of rcvNxt (bytes delivered in order)
  protected rcvShift = 0;
  protected rcvAdvEdge = 0;
  protected asm!: Assembler;
  protected peerFinAt = -1; // stream offset of a FIN seen out of order, -1 if none
  protected peerFin = false;

  // options
  protected wsOk = false;
  protected tsOk = false;
  protected sackOk = false;
  protected tsRecent = 0;
  protected tsOffset = 0;
  protected lastAckSent = 0;

  // RTO (RFC 6298)
  protected rtt = new RttEstimator();
  protected rto!: number;
  protected rtxDeadline = Infinity;
  protected rtxCount = 0;
  protected rttTiming = false;
  protected rttSeq = 0;
  protected rttTime = 0;

  // congestion control (RFC 5681, RFC 6582)
  protected cc!: NewReno;
  protected retransmitHead = false;

  // ACK generation
  protected ackNow = false;
  protected ackDeadline = Infinity;
  protected segsUnacked = 0;

  // other timers
  protected persistDeadline = Infinity;
  protected persistCount = 0; // probes not answered by any ACK (give-up counter)
  protected persistShift = 0; // probes sent during this zero window (backoff, RFC 1122 §4.2.2.17)
  protected forceSend = false;
  protected lastRecv!: number;
  protected kaProbes = 0;
  protected timeWaitDeadline = Infinity;
  protected finWait2Deadline = Infinity;
  protected connectDeadline!: number;
  protected oowAckAt = -Infinity;

  protected keepAliveAt(): number {
    const ka = this.keepAlive;
    if (ka === undefined) return Infinity;
    const s = this.tcpState;
    if (s !== 'ESTABLISHED' && s !== 'CLOSE-WAIT') return Infinity;
    if (this.sndMax !== this.sndUna || this.sndBuf.length !== 0) return Infinity;
    return this.lastRecv + ka.idle + this.kaProbes * ka.interval;
  }

  /**
   * @internal Fires due timers, then emits every segment that is due (RFC 9293 §3.8). When
   * `emit` refuses a segment (returns false) output stops there; what was not sent (data,
   * a pending ACK, RST or retransmission) stays due and goes out at a later poll.
   */
  _poll(now: number, emit: SegmentEmit): void {
    this.dirty = false;
    this.refused = false;
    const cfg = this.host.cfg;
    if (this.rstPending) {
      if (!this.emitSegment(now, emit, this.ackSeq(), RST | ACK, 0)) { this.dirty = true; return; }
      this.rstPending = false;
      this.host.stats.rstsSent++;
      return;
    }
    const s = this.tcpState;
    if (s === 'CLOSED') return;
    if (now >= this.timeWaitDeadline) { this.terminate(undefined); return; }
    if (now >= this.finWait2Deadline) { this.terminate(undefined); return; }
    if ((s === 'SYN-SENT' || s === 'SYN-RECEIVED') && now >= this.connectDeadline) {
      this.host.stats.timeouts++;
      this.terminate(this.listener ? undefined : 'ETIMEDOUT');
      return;
    }
    if (now >= this.rtxDeadline && !this.onRetransmitTimeout(now)) return;
    if (now >= this.ackDeadline) { this.ackDeadline = Infinity; this.ackNow = true; }
    if (now >= this.persistDeadline && !this.onPersistTimeout(now, emit)) return;
    if (now >= this.keepAliveAt()) {
      const ka = this.keepAlive!;
      if (this.kaProbes >= ka.count) { this.host.stats.timeouts++; this.terminate('ETIMEDOUT'); return; }
      this.kaProbes++;
      // RFC 9293 §3.8.4: <SEQ=SND.NXT-1> with no data elicits an ACK.
      this.emitSegment(now, emit, seqAdd(this.sndNxt, -1), ACK, 0);
    }
    this.output(now, emit);
    if (this.refused) { this.dirty = true; return; }
    // Anything not consumed by output is moot in the current state.
    this.ackNow = false;
    this.retransmitHead = false;
  }

  /** RFC 6298 §5.4-5.7 + RFC 5681 §3.1 eq. 4. Returns false if the connection gave up. */
  protected onRetransmitTimeout(now: number): boolean {
    this.rtxDeadline = Infinity;
    if (this.sndUna === this.sndMax) return true;
    const cfg = this.host.cfg;
    const s = this.tcpState;
    const handshake = s === 'SYN-SENT' || s === 'SYN-RECEIVED';
    this.rtxCount++;
    if (this.rtxCount > (handshake ? cfg.synRetries : cfg.maxRetransmits)) {
      this.host.stats.timeouts++;
      this.terminate(s === 'SYN-RECEIVED' && this.listener ? undefined : 'ETIMEDOUT');
      return false;
    }
    this.host.stats.retransmits++;
    this.rto = Math.min(this.rto * 2, cfg.maxRto);
    if (!handshake) {
      this.cc.onTimeout(this.sndUna, this.sndMax, this.sndMss);
      this.retransmitHead = false;
    }
    this.rttTiming = false; // Karn
    this.sndNxt = this.sndUna; // go back: resend from the first unacknowledged byte
    return true;
  }

  /** RFC 9293 §3.8.6.1 zero-window probe, or the sender SWS override timeout. */
  protected onPersistTimeout(now: number, emit: SegmentEmit): boolean {
    this.persistDeadline = Infinity;
    const unsent = seqDiff(seqAdd(this.sndBufSeq, this.sndBuf.length), this.sndNxt);
    if (unsent <= 0 || this.sndNxt !== this.sndUna || !this.isSynchronized()) return true;
    if (this.sndWnd > 0) { this.forceSend = true; return true; }
    this.persistCount++;
    this.persistShift++;
    if (this.persistCount > this.host.cfg.maxRetransmits) {
      this.host.stats.timeouts++;
      this.terminate('ETIMEDOUT');
      return false;
    }
    // One byte of new data beyond the (zero) window; SND.NXT stays, SND.MAX covers it.
    this.emitSegment(now, emit, this.sndNxt, ACK, 1);
    if (seqLt(this.sndMax, seqAdd(this.sndNxt, 1))) this.sndMax = seqAdd(this.sndNxt, 1);
    this.armPersist(now);
    return true;
  }

  protected armPersist(now: number): void {
    if (this.persistDeadline !== Infinity) return;
    const cfg = this.host.cfg;
    const t = Math.min(this.rto * 2 ** Math.min(this.persistShift, 16), cfg.maxRto);
    this.persistDeadline = now + t;
  }

  protected output(now: number, emit: SegmentEmit): void {
    const s = this.tcpState;
    if (s === 'SYN-SENT') {
      if (this.sndNxt === this.iss) this.emitSegment(now, emit, this.iss, SYN, 0);
      return;
    }
    if (s === 'SYN-RECEIVED') {
      if (this.sndNxt === this.iss) this.emitSegment(now, emit, this.iss, SYN | ACK, 0);
      else if (this.ackNow) this.emitSegment(now, emit, this.sndNxt, ACK, 0);
      return;
    }
    if (s === 'TIME-WAIT' || s === 'CLOSED') {
      if (this.ackNow) this.emitSegment(now, emit, this.ackSeq(), ACK, 0);
      return;
    }
    let sent = false;
    const cfg = this.host.cfg;
    const optLen = (this.tsOk ? 12 : 0) + (this.sackOk && !this.asm.isEmpty ? 4 + 8 * Math.min(this.asm.count, this.tsOk ? 3 : 4) : 0);
    const segMax = Math.max(1, this.sndMss - optLen);
    const fullMss = Math.max(1, this.sndMss - (this.tsOk ? 12 : 0));
    const dataEnd = seqAdd(this.sndBufSeq, this.sndBuf.length);
    // TSO: one datagram carries up to this many bytes, whole segments of segMax each.
    const tsoMax = Math.min(cfg.tsoMaxBytes, cfg.tsoMaxSegments * segMax);
    const chunkMax = tsoMax >= 2 * segMax ? tsoMax - (tsoMax % segMax) : segMax;
    if (this.retransmitHead) {
      // Fast retransmit / NewReno partial ACK: resend the first unacknowledged segment.
      const outstanding = seqDiff(seqLt(this.sndMax, dataEnd) ? this.sndMax : dataEnd, this.sndUna);
      if (outstanding > 0) {
        if (!this.emitSegment(now, emit, this.sndUna, ACK, Math.min(outstanding, segMax))) return;
        this.host.stats.retransmits++;
        sent = true;
      } else if (this.finQueued && this.sndUna === this.finSeq) {
        if (!this.emitSegment(now, emit, this.finSeq, ACK | FIN, 0)) return;
        sent = true;
      }
      this.retransmitHead = false;
    }
    for (let guard = 0; guard < 100_000; guard++) {
      const unsent = seqDiff(dataEnd, this.sndNxt);
      const finPending = this.finQueued && seqLe(this.sndNxt, this.finSeq);
      if (unsent <= 0 && !finPending) break;
      const inFlight = seqDiff(this.sndNxt, this.sndUna);
      const wnd = Math.min(this.sndWnd, this.cc.cwnd);
      const usable = wnd - inFlight;
      let len = unsent > 0 ? Math.min(unsent, chunkMax) : 0;
      if (len > usable) len = usable > 0 ? usable : 0;
      if (len > segMax && len % segMax !== 0 && !(len === unsent && (this.noDelayOpt || finPending))) {
        // A super-segment holds whole segments; the short rest is decided by the rules below
        // on the next round (SWS avoidance, Nagle), as it would be without TSO.
        len -= len % segMax;
      }
      if (unsent > 0 && !this.forceSend) {
        if (len === 0) {
          if (inFlight === 0) this.armPersist(now); // zero window (or cwnd) with nothing outstanding
          break;
        }
        // RFC 9293 §3.8.6.2.1 sender SWS avoidance: a window-limited partial segment waits
        // unless it is at least half the largest window the peer offered.
        if (len < unsent && len < fullMss && len < segMax && len < (this.maxSndWnd >> 1)) {
          if (inFlight === 0) this.armPersist(now);
          break;
        }
        // RFC 9293 §3.7.4 Nagle: a final small segment waits while data is unacknowledged.
        if (len === unsent && len < segMax && !this.noDelayOpt && inFlight > 0 && !finPending) break;
      }
      if (unsent > 0 && len === 0) break;
      const fin = finPending && len === (unsent > 0 ? unsent : 0);
      let flags = ACK;
      if (fin) flags |= FIN;
      if (len > 0 && len === unsent) flags |= PSH;
      if (!this.emitSegment(now, emit, this.sndNxt, flags, len, len > segMax ? segMax : 0)) return;
      this.forceSend = false;
      sent = true;
      this.sndNxt = seqAdd(this.sndNxt, len + (fin ? 1 : 0));
      if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
      if (fin) break;
    }
    this.forceSend = false;
    if (!sent && this.ackNow) this.emitSegment(now, emit, this.ackSeq(), ACK, 0);
  }

  /**
   * Sequence number for a segment without data: SND.MAX, not a rewound SND.NXT, since the peer
   * may already have received up to SND.MAX (4.4BSD does the same). While a zero-window probe
   * byte is outstanding, SND.NXT (the peer did not take the byte).
   */
  protected ackSeq(): number {
    return this.sndWnd === 0 ? this.sndNxt : this.sndMax;
  }

  /**
   * Builds and emits one segment; `len` data bytes are taken from the send buffer at `seq`,
   * into a buffer with FRAME_HEADROOM bytes in front for the IP layer's headers. Returns false
   * (and changes nothing) when `emit` refused it. `segmentSize` > 0: a TSO super-segment of
   * `len` bytes that the device cuts into segments of that many (needs tsoMaxBytes). With
   * txChecksum the checksum is left to the device.
   */
  protected emitSegment(now: number, emit: SegmentEmit, seq: number, flags: number, len: number, segmentSize = 0): boolean {
    const r = this.repr;
    const syn = (flags & SYN) !== 0;
    const cfg = this.host.cfg;
    r.srcPort = this.localPort;
    r.dstPort = this.remotePort;
    r.seq = seq;
    r.flags = flags;
    r.urgent = 0;
    r.ack = flags & ACK ? this.rcvNxt : 0;
    r.mss = syn ? cfg.mss : undefined;
    // Options in a SYN: offer everything enabled on an active open, echo what the peer offered on a passive one.
    r.windowScale = syn ? (flags & ACK ? (this.wsOk ? this.rcvShift : undefined) : cfg.windowScaling ? windowShiftFor(this.rcvBuf.capacity) : undefined) : undefined;
    r.sackPermitted = syn ? (flags & ACK ? this.sackOk : cfg.sack) : false;
    const useTs = syn ? (flags & ACK ? this.tsOk : cfg.timestamps) : this.tsOk;
    if (useTs && !(flags & RST)) {
      r.tsVal = (Math.floor(now) + this.tsOffset) >>> 0;
      r.tsEcr = flags & ACK ? this.tsRecent : 0;
    } else { r.tsVal = undefined; r.tsEcr = undefined; }
    // RFC 2018 §4: SACK blocks while out-of-order data is held; most recent first.
    if (this.sackOk && !syn && !(flags & RST) && !this.asm.isEmpty) {
      const blocks = this.asm.sackOrder(this.tsOk ? 3 : 4);
      const base = seqAdd(this.rcvNxt, -this.rcvStream);
      for (let i = 0; i < blocks.length; i++) blocks[i] = seqAdd(base, blocks[i]!);
      r.sackBlocks = blocks;
    } else if (r.sackBlocks.length !== 0) r.sackBlocks = [];
    // Window: RFC 9293 §3.8.6.2.2 receiver SWS avoidance, never shrinking the right edge.
    let advEdge = this.rcvAdvEdge;
    if (flags & RST && !(flags & ACK)) r.window = 0;
    else {
      const maxWin = this.maxWindow();
      const room = Math.min(this.rcvBuf.free, maxWin);
      const free = this.offerable(room);
      let cur = seqDiff(this.rcvAdvEdge, this.rcvNxt);
      if (cur < 0) cur = 0;
      // A window capped by memory stays where it was rather than moving its right edge back
      // (RFC 9293 §3.8.6.2.2 / RFC 7323 §2.4: do not shrink the window).
      let w = free - cur >= Math.min(maxWin >> 1, cfg.mss) ? free : cur;
      if (w > room) w = room;
      if (syn) {
        r.window = Math.min(w, 0xffff);
        advEdge = seqAdd(this.rcvNxt, r.window);
      } else {
        const shift = this.rcvShift;
        const field = Math.min(w >>> shift, 0xffff);
        r.window = field;
        advEdge = seqAdd(this.rcvNxt, field << shift);
      }
    }
    const hl = TCP_HEADER_LEN + tcpOptionsLength(r);
    // One allocation and one copy out of the send buffer per segment; the IP layer writes its
    // headers into the headroom and the driver copies the frame into its DMA buffer.
    const buf = new Uint8Array(FRAME_HEADROOM + hl + len).subarray(FRAME_HEADROOM);
    if (len > 0) this.sndBuf.copyOut(seqDiff(seq, this.sndBufSeq), buf, hl, len);
    const d: OutgoingDatagram = { src: this.localAddress, dst: this.remoteAddress, protocol: TCP_PROTOCOL, payload: buf, headroom: true };
    if (cfg.txChecksum) {
      emitTcp(r, buf, this.localAddress, this.remoteAddress, len, true);
      d.partialChecksumAt = TCP_CHECKSUM_OFFSET;
      if (segmentSize > 0) d.segmentSize = segmentSize;
    } else {
      emitTcp(r, buf, this.localAddress, this.remoteAddress, len);
    }
    if (emit(d) === false) {
      this.refused = true;
      this.host.stats.transmitRefused++;
      return false;
    }
    this.rcvAdvEdge = advEdge;
    this.host.stats.segmentsOut++;
    if (flags & ACK) {
      this.lastAckSent = this.rcvNxt;
      this.ackNow = false;
      this.ackDeadline = Infinity;
      this.segsUnacked = 0;
    }
    // Sequence-space-consuming segments run the retransmission timer (RFC 6298 §5.1); the
    // zero-window probe (len 1 at SND.NXT with persist) is timed by the persist timer instead.
    const consumes = len > 0 || syn || (flags & FIN) !== 0;
    const isProbe = len === 1 && this.sndWnd === 0 && this.sndNxt === this.sndUna && !syn && !(flags & FIN);
    if (consumes && !isProbe && !(flags & RST)) {
      if (this.rtxDeadline === Infinity) this.rtxDeadline = now + this.rto;
      const end = seqAdd(seq, len + (syn ? 1 : 0) + (flags & FIN ? 1 : 0));
      if (!this.rttTiming && seqGe(seq, this.sndMax)) {
        this.rttTiming = true;
        this.rttSeq = end;
        this.rttTime = now;
      }
      if (syn && seqGt(end, this.sndMax)) { this.sndMax = end; this.sndNxt = end; }
      else if (syn) this.sndNxt = end;
    }
    return true;
  }
}
