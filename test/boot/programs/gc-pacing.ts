// GC pacing (issue 10): the program holds ~70% of its heap limit, collects (so the engine's own
// next collection would come at 1.5x, past the limit), then makes cyclic garbage, which only a
// collection frees. Without pacing the allocator fails at the limit with that garbage in the
// heap (exit 122); with it the core collects first and the program finishes.
const hw = (globalThis as { __nimbus_hw?: { collectGarbage?: () => void; memoryUsage(): { jsUsed: number; jsLimit: number; jsPressure: number; gcPaced: number } } }).__nimbus_hw!;
const limit = hw.memoryUsage().jsLimit;
const kept: string[] = [];
// Strings of 1 KiB each: ~70% of the limit live.
while (hw.memoryUsage().jsUsed < limit * 0.7) kept.push(`${kept.length}`.padEnd(1024, '.'));
hw.collectGarbage?.();
const garbage = Math.ceil((limit * 3) / 200); // ~3x the limit in ~200-byte cycles
for (let i = 0; i < garbage; i++) {
  const a: { self?: unknown; n: number; b: { a?: unknown } } = { n: i, b: {} };
  a.self = a;
  a.b.a = a;
}
const m = hw.memoryUsage();
console.log(`survived ${kept.length} paced=${m.gcPaced > 0} pressure=${m.jsPressure > 0 && m.jsPressure < m.jsLimit}`);
export {};
