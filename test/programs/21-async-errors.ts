// expect-exit: 0
async function mayFail(x: number): Promise<number> { if (x > 2) throw new Error(`too big: ${x}`); return x * 2; }
(async () => {
  const results = await Promise.allSettled([1, 2, 3].map(mayFail));
  console.log(results.map((r) => r.status === 'fulfilled' ? r.value : (r.reason as Error).message));
  try { await Promise.any([mayFail(5), mayFail(6)]); } catch (e) { console.log(e instanceof AggregateError, (e as AggregateError).errors.length); }
  console.log(await Promise.race([new Promise((r) => setTimeout(() => r('slow'), 20)), new Promise((r) => setTimeout(() => r('fast'), 5))]));
  const late = Promise.reject(new Error('handled later'));
  await null; // same microtask drain: still counts as handled
  late.catch((e: Error) => console.log('caught late:', e.message));
  try { (null as unknown as { x: number }).x; } catch (e) { console.log((e as Error).constructor.name); }
  const err = new Error('with cause', { cause: new Error('root') });
  console.log((err.cause as Error).message);
})();
export {};
