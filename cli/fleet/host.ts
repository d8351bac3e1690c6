/**
 * What the supervisor reads about the host and its processes: whether a pid is still the
 * process we started (its start time), its memory (PSS), and how much memory is left.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or undefined if it is gone. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined; // a zombie has ended
    return fields[19];
  } catch {
    return undefined;
  }
}

/** True while `pid` is alive and is the process that started at `start`. */
export function isOurs(pid: number | undefined, start: string | undefined): boolean {
  return pid !== undefined && start !== undefined && processStart(pid) === start;
}

/** Proportional set size in KiB (shared pages split among their users), or undefined. */
export function pssKiB(pid: number): number | undefined {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(t);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface HostMemory { totalMiB: number; availableMiB: number }

export function hostMemory(): HostMemory {
  const t = readFileSync('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0);
  return { totalMiB: kb('MemTotal') / 1024, availableMiB: kb('MemAvailable') / 1024 };
}

/** Memory the fleet leaves to the rest of the host: 5% of it, at least 512 MiB. */
export function reserveMiB(m: HostMemory): number {
  return Math.max(512, m.totalMiB * 0.05);
}

/**
 * What one more instance is expected to cost the host, in MiB. Process target: the PSS of the
 * fleet's running instances of the image when there are some (their mean, plus a fifth), else
 * 4 MiB (an idle HTTP instance in a fleet costs about 2.9 MiB of MemAvailable, kernel included:
 * bench/RESULTS.md, density), plus its tap. QEMU: the guest memory it may touch plus QEMU
 * itself (~40 MiB under TCG). A fleet that grows past its estimate is still stopped in time:
 * each start batch checks the memory left first.
 */
export function instanceCostMiB(target: 'process' | 'qemu', memMiB: number, measuredMeanMiB?: number): number {
  if (target === 'qemu') return memMiB + 40;
  return Math.min(memMiB, measuredMeanMiB !== undefined ? measuredMeanMiB * 1.2 : 4) + 0.25;
}

/** How many instances of that cost fit in the host's available memory, less the reserve. */
export function howManyFit(m: HostMemory, costMiB: number): number {
  return Math.max(0, Math.floor((m.availableMiB - reserveMiB(m)) / costMiB));
}

export const cpuCount = () => os.availableParallelism?.() ?? os.cpus().length;
