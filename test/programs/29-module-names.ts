// expect-exit: 0
// Built-in modules reached by their other names behave as Node's: node:console, node:timers,
// node:timers/promises, node:path/posix, node:punycode, node:stream/web, node:dgram, node:dns.
import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import { setTimeout as later, setImmediate as soon } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import posix from 'node:path/posix';
import punycode from 'node:punycode';
import { ReadableStream } from 'node:stream/web';
import dgram from 'node:dgram';
import dns from 'node:dns';

const lines: string[] = [];
const sink = Object.assign(new EventEmitter(), { write: (s: string) => { lines.push(s.trimEnd()); return true; } });
const c = new Console({ stdout: sink as never });
c.log('console %s %d', 'ok', 42);
console.log(lines, posix.join('/a/b', '../c', 'd.txt'), posix.sep, posix.extname('x.tar.gz'));
console.log(punycode.toASCII('mañana.com'), punycode.toUnicode('xn--maana-pta.com'));
console.log(typeof dgram.createSocket, typeof dns.lookup, typeof dns.promises.resolve4);
// Each step starts the next, so the order holds however long loading a module takes.
soon(() => { console.log('immediate from node:timers'); later(() => { console.log('timeout from node:timers'); void readStream(); }, 5); });
const stream = new ReadableStream<string>({ start(ctl) { ctl.enqueue('a'); ctl.enqueue('b'); ctl.close(); } });
const reader = stream.getReader();
const readStream = (async () => {
  const got: string[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value);
  await sleep(20);
  console.log('stream/web', got.join(''), 'after timers/promises sleep');
});
