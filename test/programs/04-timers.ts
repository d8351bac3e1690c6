// expect-exit: 0
let n = 0;
const iv = setInterval(() => {
  n++;
  console.log('tick', n);
  if (n === 3) { clearInterval(iv); console.log('interval cleared'); }
}, 10);
setTimeout(() => console.log('timeout 50'), 50);
setTimeout(() => console.log('timeout 5'), 5);
const never = setTimeout(() => console.log('never'), 20);
clearTimeout(never);
setTimeout((a: number, b: string) => console.log('args', a, b), 12, 42, 'x');
const unrefd = setTimeout(() => console.log('unref never fires'), 10_000);
unrefd.unref();
console.log('hasRef', unrefd.hasRef(), typeof +unrefd);
setImmediate(() => { console.log('immediate'); setImmediate(() => console.log('nested immediate')); });
const r = setTimeout(() => console.log('refreshed fired'), 30);
setTimeout(() => r.refresh(), 20);
export {};
