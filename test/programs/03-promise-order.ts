// expect-exit: 0
// Node order inside a macrotask: nextTick queue first, then promise jobs.
const log: string[] = [];
setTimeout(() => {
  Promise.resolve().then(() => log.push('p1')).then(() => log.push('p2'));
  process.nextTick(() => { log.push('t1'); Promise.resolve().then(() => log.push('p-from-t1')); process.nextTick(() => log.push('t-from-t1')); });
  queueMicrotask(() => log.push('qm'));
  process.nextTick(() => log.push('t2'));
  log.push('sync');
}, 1);
setTimeout(() => console.log(log.join(' ')), 5);
async function a(): Promise<string> { log.push('a-start'); await null; log.push('a-after-await'); return 'a'; }
setTimeout(async () => { const r = await a(); console.log('async returned', r); }, 10);
export {};
