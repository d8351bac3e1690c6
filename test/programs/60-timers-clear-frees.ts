// expect-exit: 0
// Issue 10: a cleared timer must be freed at once, with the connection-like object its
// callback closes over. 50,000 set/clear pairs whose callbacks each hold ~2 KB would keep
// ~100 MB alive until their 2 s deadlines if clearing only marked them dead; the image
// runs this in 64 MiB.
let fired = 0;
for (let i = 0; i < 50_000; i++) {
  const conn = { id: i, buf: new Array(250).fill(i) };
  const t = setTimeout(() => { fired += conn.buf.length; }, 2000);
  if (i % 3 === 0) t.refresh();
  clearTimeout(t);
}
// Timers cleared out of the middle of a busy queue leave the others in order.
const order: number[] = [];
const ts = [];
for (let i = 0; i < 30; i++) ts.push(setTimeout(() => order.push(i), 50 + (i % 5) * 20));
for (let i = 0; i < 30; i += 4) clearTimeout(ts[i]);
// The interval stops itself: a count bounded by a clearInterval timer would depend on how
// late a loaded (emulated) machine runs it.
let ticks = 0;
const iv = setInterval(() => { order.push(-1); if (++ticks === 4) clearInterval(iv); }, 60);
const u = setTimeout(() => console.log('unref never fires'), 5000);
u.unref();
setTimeout(() => {
  console.log('fired after clear:', fired);
  console.log('order:', order.filter((n) => n >= 0).join(','));
  console.log('interval ticks:', order.filter((n) => n < 0).length);
  console.log('hasRef:', u.hasRef());
}, 600);
