// expect-exit: 0
// node:async_hooks AsyncLocalStorage through timers, nextTick, setImmediate, promise
// reactions and nested runs; node:diagnostics_channel; node:perf_hooks; node:module; node:v8.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { builtinModules, isBuiltin, createRequire } from 'node:module';
import v8 from 'node:v8';

const als = new AsyncLocalStorage<{ id: number }>();
const seen: string[] = [];
const log = (where: string) => seen.push(`${where}:${als.getStore()?.id ?? 'none'}`);
als.run({ id: 1 }, () => {
  setTimeout(() => log('timeout'), 1);
  setImmediate(() => log('immediate'));
  process.nextTick(() => log('nextTick'));
  Promise.resolve().then(() => log('then'));
  queueMicrotask(() => log('microtask'));
  als.run({ id: 2 }, () => setTimeout(() => log('nested'), 2));
  als.exit(() => log('exit'));
});
log('outside');
const resource = als.run({ id: 3 }, () => new AsyncResource('corpus'));
resource.runInAsyncScope(() => log('resource'));
setTimeout(() => {
  console.log(seen.sort().join(' '));
  const ch = dc.channel('corpus:chan');
  console.log('subscribers before', ch.hasSubscribers);
  const onMessage = (m: unknown, name: string | symbol) => console.log('published', JSON.stringify(m), String(name));
  dc.subscribe('corpus:chan', onMessage);
  ch.publish({ n: 1 });
  console.log('unsubscribed', dc.unsubscribe('corpus:chan', onMessage), ch.hasSubscribers);
  const tc = dc.tracingChannel('corpus:trace');
  tc.subscribe({ start: () => console.log('trace start'), end: () => console.log('trace end'), asyncStart() {}, asyncEnd() {}, error() {} });
  console.log('traced', tc.traceSync(() => 5));
  const m = performance.mark('a');
  console.log(m.entryType, m.name, typeof performance.now(), performance.getEntriesByName('a').length);
  console.log(builtinModules.includes('fs'), isBuiltin('node:path'), isBuiltin('express'));
  try { createRequire('/app.js')('left-pad'); } catch (e) { console.log((e as { code: string }).code); }
  const h = v8.getHeapStatistics();
  console.log(h.total_heap_size > 0, typeof h.used_heap_size, typeof h.heap_size_limit);
}, 20);
