/** The round-trip estimate behind the retransmission timeout (RFC 6298 §2). */
export class RttEstimator {
  srtt = 0;
  rttvar = 0;
  hasSample = false;

  /** One measured round trip, in ms (RFC 6298 §2.2-2.3). */
  sample(r: number): void {
    if (r < 0) return;
    if (!this.hasSample) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.hasSample = true;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  /** RTO = SRTT + max(G, 4·RTTVAR), clamped (RFC 6298 §2.4-2.5); `initial` before any sample. */
  rto(initial: number, min: number, max: number): number {
    const base = this.hasSample ? this.srtt + Math.max(1, 4 * this.rttvar) : initial;
    return Math.min(Math.max(base, min), max);
  }
}
