/** node:perf_hooks: the runtime's `performance` clock with marks, measures and a few histograms' shape. */
type Entry = { name: string; entryType: 'mark' | 'measure'; startTime: number; duration: number; detail?: unknown };
const base = (globalThis as unknown as { performance: { now(): number; timeOrigin: number } }).performance;
const entries: Entry[] = [];

export const performance = {
  get timeOrigin() { return base.timeOrigin; },
  now: () => base.now(),
  mark(name: string, o?: { startTime?: number; detail?: unknown }): Entry {
    const e: Entry = { name, entryType: 'mark', startTime: o?.startTime ?? base.now(), duration: 0, detail: o?.detail ?? null };
    entries.push(e);
    return e;
  },
  measure(name: string, start?: string | { start?: number; end?: number }, end?: string): Entry {
    const at = (m: string | number | undefined, dflt: number) => (typeof m === 'number' ? m : m === undefined ? dflt : entries.findLast((x) => x.name === m && x.entryType === 'mark')?.startTime ?? dflt);
    const s = typeof start === 'object' ? at(start.start, 0) : at(start, 0);
    const f = typeof start === 'object' ? at(start.end, base.now()) : at(end, base.now());
    const e: Entry = { name, entryType: 'measure', startTime: s, duration: f - s };
    entries.push(e);
    return e;
  },
  getEntries: () => entries.slice(),
  getEntriesByName: (n: string, t?: string) => entries.filter((e) => e.name === n && (!t || e.entryType === t)),
  getEntriesByType: (t: string) => entries.filter((e) => e.entryType === t),
  clearMarks: (n?: string) => { for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.entryType === 'mark' && (!n || entries[i]!.name === n)) entries.splice(i, 1); },
  clearMeasures: (n?: string) => { for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.entryType === 'measure' && (!n || entries[i]!.name === n)) entries.splice(i, 1); },
  eventLoopUtilization: () => ({ idle: 0, active: 0, utilization: 0 }),
  timerify: <F extends Function>(f: F): F => f,
  toJSON: () => ({ timeOrigin: base.timeOrigin }),
};
export class PerformanceObserver {
  constructor(readonly callback: (list: unknown, obs: PerformanceObserver) => void) {}
  observe(_o: unknown): void {}
  disconnect(): void {}
  static supportedEntryTypes = ['mark', 'measure'];
}
export function monitorEventLoopDelay(_o?: unknown) {
  return { enable: () => true, disable: () => true, reset() {}, percentile: () => 0, min: 0, max: 0, mean: 0, stddev: 0, count: 0, percentiles: new Map(), exceeds: 0 };
}
export function createHistogram() { return monitorEventLoopDelay(); }
export const constants = { NODE_PERFORMANCE_GC_MAJOR: 4, NODE_PERFORMANCE_GC_MINOR: 1, NODE_PERFORMANCE_GC_INCREMENTAL: 8, NODE_PERFORMANCE_GC_WEAKCB: 16 };
export default { performance, PerformanceObserver, monitorEventLoopDelay, createHistogram, constants };
