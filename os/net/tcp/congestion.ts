/**
 * Congestion control of one connection: RFC 5681 slow start and congestion avoidance, fast
 * retransmit, and RFC 6582 NewReno fast recovery. Pure state: the connection tells it what the
 * ACKs and the retransmission timer said and does the sending itself.
 */
import { seqAdd, seqDiff, seqGt } from './seq.ts';

const MAX_CWND = 0x3fffffff;

export class NewReno {
  cwnd = 0;
  ssthresh = MAX_CWND;
  dupAcks = 0;
  inRecovery = false;
  /** RFC 6582 `recover`: the highest sequence number sent when recovery last began. */
  recover: number;
  #bytesAcked = 0;

  constructor(iss: number) {
    this.recover = iss;
  }

  /** RFC 5681 §3.1 initial window, once the peer's MSS is known. */
  start(mss: number): void {
    this.cwnd = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
  }

  /** A duplicate ACK (RFC 5681 §2). True when it starts fast retransmit (the head is resent). */
  onDuplicateAck(ack: number, sndUna: number, sndMax: number, mss: number): boolean {
    this.dupAcks++;
    if (this.inRecovery) {
      this.cwnd = Math.min(this.cwnd + mss, MAX_CWND); // RFC 6582 §3.2 step 3
      return false;
    }
    if (this.dupAcks !== 3 || !seqGt(ack, this.recover)) return false;
    // RFC 6582 §3.2 step 2 / RFC 5681 §3.2: fast retransmit, enter fast recovery.
    this.ssthresh = Math.max(seqDiff(sndMax, sndUna) >> 1, 2 * mss);
    this.recover = seqAdd(sndMax, -1);
    this.cwnd = this.ssthresh + 3 * mss;
    this.inRecovery = true;
    return true;
  }

  /**
   * `acked` bytes of new data were acknowledged up to `ack` (SND.UNA already moved there).
   * True on a partial acknowledgment in recovery: the next hole must be resent. `acks`: how many
   * ACKs this one stands for (coalesced on receive); slow start grows by up to an MSS for each.
   */
  onNewAck(ack: number, acked: number, sndUna: number, sndMax: number, mss: number, acks = 1): boolean {
    if (this.inRecovery) {
      if (seqGt(ack, this.recover)) {
        // RFC 6582 §3.2 step 3, full acknowledgment
        const flight = seqDiff(sndMax, sndUna);
        this.cwnd = Math.min(this.ssthresh, Math.max(flight, mss) + mss);
        this.inRecovery = false;
        this.dupAcks = 0;
        return false;
      }
      // partial acknowledgment: retransmit the next hole, deflate the window
      this.cwnd = Math.max(this.cwnd - acked + (acked >= mss ? mss : 0), mss);
      return true;
    }
    this.dupAcks = 0;
    if (this.cwnd < this.ssthresh) this.cwnd += Math.min(acked, acks * mss); // slow start (RFC 5681 eq. 2, per ACK)
    else {
      this.#bytesAcked += acked; // congestion avoidance, byte counting (RFC 5681 §3.1)
      if (this.#bytesAcked >= this.cwnd) { this.#bytesAcked -= this.cwnd; this.cwnd += mss; }
    }
    if (this.cwnd > MAX_CWND) this.cwnd = MAX_CWND;
    return false;
  }

  /** The retransmission timer fired on data (RFC 5681 §3.1 eq. 4): back to one segment. */
  onTimeout(sndUna: number, sndMax: number, mss: number): void {
    this.ssthresh = Math.max(seqDiff(sndMax, sndUna) >> 1, 2 * mss);
    this.cwnd = mss;
    this.#bytesAcked = 0;
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recover = seqAdd(sndMax, -1);
  }
}
