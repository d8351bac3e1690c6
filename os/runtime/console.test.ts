import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as util from 'node:util';
import { Console, formatDuration } from './console.ts';
import { format, inspect } from './inspect.ts';

function capture() {
  const out: string[] = [], err: string[] = [];
  let now = 0;
  const c = new Console({ write: (s: string) => out.push(s) }, { write: (s: string) => err.push(s) }, () => now);
  return { c, out, err, tick: (ms: number) => { now += ms; } };
}

class Foo { a = 1; b = [1, 2, { c: { d: { e: 1 } } }]; }
const VALUES: unknown[] = [
  new Map<string, unknown>([['a', 1], ['b', { x: [1, 2] }]]), new Set([1, 'two']), new Foo(), { a: { b: { c: { d: 1 } } } },
  Array.from({ length: 120 }, (_, i) => i), 'str', ["it's"], 123n, Symbol('s'), -0, null, undefined, () => 1,
  class K {}, new Date(0), /re/gi, new Uint8Array([1, 2, 3]), Object.create(null), [undefined, , 3],
  new TypeError('te'), Object.assign(new Error('e2'), { code: 'E' }), 'x'.repeat(200), { long: 'y'.repeat(80), other: 1 },
];

test('inspect matches node:util.inspect on common values', () => {
  for (const v of VALUES) assert.equal(inspect(v), util.inspect(v));
});

test('format matches node:util.format for every directive', () => {
  const cases: unknown[][] = [
    ['%s %d %i %f %j %o %O %c %% x', 'a', 42.5, 42.5, '3.5', { a: 1 }, { b: [1] }, { c: 2 }, 'color:red'],
    ['%s', { a: 1 }], ['%s', 12n], ['%d', 12n], ['a', 1, 'b', { c: 1 }], [{ a: 1 }, '%s', 'x'], ['%s', null, undefined],
    ['%i', '0x10'], ['%s', -0], ['%s', new Foo()], ['no args %s'], ['%j', (() => { const o: Record<string, unknown> = {}; o.o = o; return o; })()],
  ];
  for (const c of cases) assert.equal(format(...c), util.format(...c));
});

test('log/info/debug go to stdout, warn/error/trace/assert to stderr', () => {
  const { c, out, err } = capture();
  c.log('a', 1); c.info('i'); c.debug('d'); c.warn('w'); c.error('e'); c.assert(false, 'x %d', 5); c.trace('t');
  assert.deepEqual(out, ['a 1\n', 'i\n', 'd\n']);
  assert.equal(err[0], 'w\n');
  assert.equal(err[1], 'e\n');
  assert.equal(err[2], 'Assertion failed: x 5\n');
  assert.match(err[3], /^Trace: t\n {4}at /);
});

test('count, group indentation, time and dir follow Node', () => {
  const { c, out, tick } = capture();
  c.count(); c.count(); c.count('x'); c.countReset(); c.count();
  c.group('g'); c.log('in\nside'); c.groupEnd(); c.log('out');
  c.time('t'); tick(1.23456); c.timeEnd('t');
  c.dir({ a: { b: 1 } }, { depth: 0 });
  const { log } = c; log('bound');
  assert.deepEqual(out, ['default: 1\n', 'default: 2\n', 'x: 1\n', 'default: 1\n', 'g\n', '  in\n  side\n', 'out\n', 't: 1.235ms\n', '{ a: [Object] }\n', 'bound\n']);
});

test('durations are formatted like Node console.time', () => {
  assert.equal(formatDuration(0.5), '0.5ms');
  assert.equal(formatDuration(1500), '1.500s');
  assert.equal(formatDuration(61_000), '1:01.000 (m:ss.mmm)');
  assert.equal(formatDuration(3_723_000), '1:02:03.000 (h:mm:ss.mmm)');
});
