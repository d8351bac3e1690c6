/** Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Values are uint32 numbers. */

export function seqAdd(a: number, n: number): number { return (a + n) >>> 0; }
/** Signed distance a - b, valid while |a - b| < 2^31. */
export function seqDiff(a: number, b: number): number { return (a - b) | 0; }
export function seqLt(a: number, b: number): boolean { return ((a - b) | 0) < 0; }
export function seqLe(a: number, b: number): boolean { return ((a - b) | 0) <= 0; }
export function seqGt(a: number, b: number): boolean { return ((a - b) | 0) > 0; }
export function seqGe(a: number, b: number): boolean { return ((a - b) | 0) >= 0; }
