/** The workload of bench/als.ts: N awaits of a resolved promise, and N awaits of a timer-free async call chain. */
export async function awaitLoop(n: number): Promise<number> {
  const step = async (i: number) => { await null; return i; };
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sum += await step(i);
  const ms = performance.now() - t0;
  if (sum !== (n * (n - 1)) / 2) throw new Error('wrong sum');
  return ms;
}
