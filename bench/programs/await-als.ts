// bench/als.ts: the same loop inside AsyncLocalStorage.run (await lowered, promise hook on).
import { AsyncLocalStorage } from 'node:async_hooks';
import { awaitLoop } from './await-loop.ts';
const als = new AsyncLocalStorage<number>();
als.run(1, () => awaitLoop(Number(process.argv[2] ?? 200000))).then((ms) => console.log(JSON.stringify({ ms, store: als.getStore() ?? null })));
