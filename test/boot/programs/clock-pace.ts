// Prints "tick N" on the guest's clock: at 0, then 1 s and 2 s after the first (the host times
// their arrival). The deadlines are absolute, so the event loop's own lateness does not add up.
const start = performance.now();
let n = 0;
function tick(): void {
  console.log(`tick ${n} at ${(performance.now() - start).toFixed(1)} ms`);
  if (++n <= 2) setTimeout(tick, start + n * 1000 - performance.now());
}
tick();
