/**
 * Sums up the JS stack samples of `nimbus run ... --profile US` (core/js/engine.c prints one
 * 'PROF|frame|frame|...' line per sample on stderr): the functions where samples fell (self)
 * and the functions on the stack (inclusive), as shares of all samples. A diagnosis tool:
 *   nimbus run app.img --target process --profile 200 2> samples.txt
 *   node --import tsx bench/profile/js-samples.ts samples.txt [rows]
 * Frames of the library OS name the bundle (app.js:LINE); the function names tell most.
 */
import { readFileSync } from 'node:fs';

export interface SampleSummary { samples: number; self: [string, number][]; inclusive: [string, number][] }

export function summarize(text: string, rows = 30): SampleSummary {
  const self = new Map<string, number>(), inclusive = new Map<string, number>();
  let samples = 0;
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const line of text.split('\n')) {
    const at = line.indexOf('PROF|');
    if (at < 0) continue;
    // "at name (file:line:col)": a function is its name and line, not the column.
    const frames = line.slice(at + 5).split('|').filter((f) => f.startsWith('at ')).map((f) => f.slice(3).replace(/:\d+\)$/, ')'));
    if (!frames.length) continue;
    samples++;
    bump(self, frames[0]!);
    for (const f of new Set(frames)) bump(inclusive, f);
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, rows);
  return { samples, self: top(self), inclusive: top(inclusive) };
}

if (import.meta.filename === process.argv[1]) {
  const s = summarize(readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8'), Number(process.argv[3] ?? 30));
  const pct = (n: number) => `${((100 * n) / Math.max(s.samples, 1)).toFixed(1).padStart(5)}%`;
  console.log(`${s.samples} samples\n-- self`);
  for (const [k, n] of s.self) console.log(`${pct(n)} ${k}`);
  console.log('-- inclusive');
  for (const [k, n] of s.inclusive) console.log(`${pct(n)} ${k}`);
}
