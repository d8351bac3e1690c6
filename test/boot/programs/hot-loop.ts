// A program with one named hot function, for the sampling profiler's boot test.
function spinForAWhile(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x * 31 + 7) % 1000003;
  return x;
}
console.log(spinForAWhile(300) >= 0 ? 'done' : 'never');
