/**
 * How `nimbus up` shows its progress: one line rewritten in place on a terminal, and only the
 * closing summary line otherwise (logs and CI stay readable).
 */
import type { Progress } from './protocol.ts';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mem = (mib: number) => (mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${Math.max(0, mib)} MiB`);

export function progressLine(group: string, p: Progress): string {
  return `${group}: ${p.started}/${p.total} started, ${p.answering} answering, ${p.failed} failed, host memory +${mem(p.hostMemMiB)}, ${secs(p.elapsedMs)}`;
}

export function summaryLine(group: string, p: Progress): string {
  const each = p.pssMiB !== undefined && p.pssCount ? `, PSS ${mem(p.pssMiB)} (${(p.pssMiB / p.pssCount).toFixed(1)} MiB each)` : '';
  const rate = p.elapsedMs > 0 ? `, ${(p.started / (p.elapsedMs / 1000)).toFixed(1)} started/s` : '';
  return `${group}: ${p.total} instances in ${secs(p.elapsedMs)}: ${p.answering} answering, ${p.failed} failed, ${p.started} started${rate}; host memory +${mem(p.hostMemMiB)}${each}`;
}

export class ProgressDisplay {
  #last = '';
  constructor(private readonly group: string, private readonly out: NodeJS.WriteStream = process.stderr) {}

  get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  update(p: Progress): void {
    if (!this.live) return;
    const line = progressLine(this.group, p);
    if (line !== this.#last) this.out.write(`\r\x1b[K${line}`);
    this.#last = line;
  }

  finish(p: Progress): void {
    if (this.live) this.out.write('\r\x1b[K');
    this.out.write(summaryLine(this.group, p) + '\n');
  }
}
