// bench/als.ts: native await (no node:async_hooks in the program).
import { awaitLoop } from './await-loop.ts';
awaitLoop(Number(process.argv[2] ?? 200000)).then((ms) => console.log(JSON.stringify({ ms })));
