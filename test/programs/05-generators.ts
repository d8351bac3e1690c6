// expect-exit: 0
function* fib(): Generator<number> { let [a, b] = [0, 1]; for (;;) { yield a; [a, b] = [b, a + b]; } }
const first: number[] = [];
for (const x of fib()) { if (first.length === 10) break; first.push(x); }
console.log(first);
function* delegating(): Generator<string, string, number> { const got = yield 'first'; console.log('got', got); yield* ['x', 'y']; return 'done'; }
const g = delegating();
console.log(g.next(), g.next(7), g.next(), g.next(), g.next());
async function* ticker(n: number): AsyncGenerator<number> { for (let i = 0; i < n; i++) { await new Promise((r) => setTimeout(r, 2)); yield i * i; } }
(async () => {
  const out: number[] = [];
  for await (const v of ticker(4)) out.push(v);
  console.log('async gen', out);
  const it = [1, 2, 3][Symbol.iterator]();
  console.log([...it], Array.from({ length: 3 }, (_, i) => i * 2));
})();
export {};
