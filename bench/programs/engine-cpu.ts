// CPU-bound JavaScript measured inside the image (bench/engine.ts): each workload runs a fixed
// amount of work and prints how long it took, in milliseconds of guest time, as JSON.
const doc = {
  users: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `user ${i}`, tags: ['a', 'b', 'c'], score: i * 1.5, active: i % 2 === 0 })),
  meta: { generated: '2026-12-02T00:00:00Z', version: 3 },
};
const text = JSON.stringify(doc);
const logLines = Array.from({ length: 500 }, (_, i) => `2026-12-02T10:${String(i % 60).padStart(2, '0')}:00Z GET /api/items/${i}?q=x${i} 200 ${i * 7} bytes`);
const LINE = /^(\S+) (GET|POST) (\/[^\s?]*)(?:\?(\S*))? (\d{3}) (\d+) bytes$/;

function time(name: string, fn: () => number, results: Record<string, number>): void {
  const t0 = performance.now();
  const check = fn();
  results[name] = Math.round((performance.now() - t0) * 10) / 10;
  if (!Number.isFinite(check)) throw new Error(`${name}: bad result`);
}

const results: Record<string, number> = {};
time('json_parse_stringify', () => {
  let n = 0;
  for (let i = 0; i < 60; i++) n += JSON.stringify(JSON.parse(text)).length;
  return n;
}, results);
time('regex_match', () => {
  let n = 0;
  for (let r = 0; r < 20; r++) for (const l of logLines) { const m = LINE.exec(l); if (m) n += Number(m[6]); }
  return n;
}, results);
time('object_alloc_sort', () => {
  const items = Array.from({ length: 20000 }, (_, i) => ({ k: (i * 7919) % 10007, v: `v${i}` }));
  items.sort((a, b) => a.k - b.k);
  return items[0].k;
}, results);
time('string_build', () => {
  let s = '';
  for (let i = 0; i < 20000; i++) s += i.toString(36);
  return s.length;
}, results);
time('typed_array_math', () => {
  const a = new Float64Array(100000);
  for (let i = 0; i < a.length; i++) a[i] = Math.sqrt(i) * 1.0001;
  let sum = 0;
  for (let r = 0; r < 5; r++) for (let i = 0; i < a.length; i++) sum += a[i];
  return sum;
}, results);
console.log(JSON.stringify(results));
