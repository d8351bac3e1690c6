// expect-exit: 0
// Delays leave room for a slow (emulated) machine: the order must not depend on how long
// the top level takes, only on the timers themselves. The first line is printed before any
// timer is set: the first console.log of an object loads the formatter, which is slow under
// emulation (up to 200 ms on a loaded host).
console.log('start', { formatter: 'loaded' });
let n = 0;
const iv = setInterval(() => {
  n++;
  console.log('tick', n);
  if (n === 3) { clearInterval(iv); console.log('interval cleared'); }
}, 100);
setTimeout(() => console.log('timeout 600'), 600);
setTimeout(() => console.log('timeout 150'), 150);
const never = setTimeout(() => console.log('never'), 200);
clearTimeout(never);
setTimeout((a: number, b: string) => console.log('args', a, b), 120, 42, 'x');
const unrefd = setTimeout(() => console.log('unref never fires'), 10_000);
unrefd.unref();
console.log('hasRef', unrefd.hasRef(), typeof +unrefd);
setImmediate(() => { console.log('immediate'); setImmediate(() => console.log('nested immediate')); });
const r = setTimeout(() => console.log('refreshed fired'), 300);
setTimeout(() => r.refresh(), 200);
export {};
