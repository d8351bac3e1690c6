/**
 * The assembled runtime (prelude + __nimbus_main) on a fake hw, in a bare V8 context whose
 * promise jobs run only when the loop calls hw.runMicrotasks(), as under QuickJS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSource } from './vm-harness.test-helper.ts';

test('the program ends with 0 when nothing is left, after beforeExit and exit', () => {
  const r = runSource(`
    process.on('beforeExit', (c) => console.log('beforeExit', c));
    process.on('exit', (c) => console.log('exit', c));
    setTimeout(() => console.log('timer'), 5);`);
  assert.equal(r.stdout, 'timer\nbeforeExit 0\nexit 0\n');
  assert.equal(r.code, 0);
});

test('beforeExit may schedule more work; exitCode is honoured', () => {
  const r = runSource(`
    let again = true;
    process.exitCode = 4;
    process.on('beforeExit', () => { if (again) { again = false; setTimeout(() => console.log('more'), 1); } });`);
  assert.equal(r.stdout, 'more\n');
  assert.equal(r.code, 4);
});

test('process.exit(n) ends at once with n and runs exit listeners once', () => {
  const r = runSource(`
    process.on('exit', (c) => console.log('exit', c));
    setTimeout(() => { process.exit(3); }, 1);
    setTimeout(() => console.log('never'), 2);`);
  assert.equal(r.stdout, 'exit 3\n');
  assert.equal(r.code, 3);
});

test('an uncaught exception prints the error and exits 1; a listener prevents that', () => {
  const a = runSource(`setTimeout(() => { throw new RangeError('boom'); }, 1);`);
  assert.equal(a.code, 1);
  assert.match(a.stderr, /^RangeError: boom\n {4}at /);
  const b = runSource(`
    process.on('uncaughtException', (e, origin) => console.log('handled', e.message, origin));
    setTimeout(() => { throw new Error('x'); }, 1);`);
  assert.equal(b.stdout, 'handled x uncaughtException\n');
  assert.equal(b.code, 0);
});

test('a thrown string prints as itself, other values inspected', () => {
  assert.equal(runSource(`setTimeout(() => { throw 'plain'; }, 1);`).stderr, 'plain\n');
  assert.equal(runSource(`setTimeout(() => { throw { a: 1 }; }, 1);`).stderr, '{ a: 1 }\n');
});

test('a top-level throw is an uncaught exception', () => {
  const r = runSource(`console.log('before'); throw new Error('top');`);
  assert.equal(r.stdout, 'before\n');
  assert.match(r.stderr, /^Error: top\n/);
  assert.equal(r.code, 1);
});

test('an exception in a queueMicrotask callback is uncaught, not a rejection', () => {
  const r = runSource(`
    process.on('uncaughtException', (e, origin) => console.log(e.message, origin));
    queueMicrotask(() => { throw new Error('qm'); });`);
  assert.equal(r.stdout, 'qm uncaughtException\n');
});

test('a rejection unhandled after the drain is fatal (engine tracker simulated)', () => {
  const r = runSource(`
    setTimeout(() => { globalThis.__nimbus_hw.rejectionTracker(Promise.resolve(), 'nope', false); }, 1);
    setTimeout(() => console.log('never'), 2);`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^UnhandledPromiseRejection: This error originated .*reason "'nope'"\.\n/);
});

test('a rejection handled within the same drain is not reported', () => {
  const r = runSource(`
    setTimeout(() => {
      const p = Promise.resolve();
      globalThis.__nimbus_hw.rejectionTracker(p, new Error('x'), false);
      globalThis.__nimbus_hw.rejectionTracker(p, new Error('x'), true);
    }, 1);`);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
});

test('unhandledRejection listeners receive the reason instead', () => {
  const r = runSource(`
    process.on('unhandledRejection', (reason) => console.log('got', reason));
    setTimeout(() => globalThis.__nimbus_hw.rejectionTracker(Promise.resolve(), 42, false), 1);`);
  assert.equal(r.stdout, 'got 42\n');
  assert.equal(r.code, 0);
});

test('process.argv and env come from the kernel command line', () => {
  const arg = Buffer.from(JSON.stringify(['a', 'b c'])).toString('base64url');
  const env = Buffer.from(JSON.stringify({ HOME: '/' })).toString('base64url');
  const r = runSource(`console.log(JSON.stringify(process.argv), JSON.stringify(process.env));`,
    { cmdline: `virtio_mmio.device=1K@0x1000:5 nimbus.argv=${arg} nimbus.env=${env}` });
  assert.equal(r.stdout, '["/nimbus","/app.js","a","b c"] {"HOME":"/"}\n');
});

test('process.hrtime, uptime and performance follow the fake clock', () => {
  const r = runSource(`
    const t0 = process.hrtime();
    setTimeout(() => {
      console.log(process.hrtime(t0), process.hrtime.bigint(), performance.now(), typeof performance.timeOrigin);
    }, 1500);`, { now: 0 });
  assert.equal(r.stdout, '[ 1, 500000000 ] 1500000000n 1500 number\n');
});

test('globals the image promises exist and nothing else leaks in', () => {
  const r = runSource(`console.log(['console','process','setTimeout','setImmediate','queueMicrotask','structuredClone','TextEncoder',
    'TextDecoder','URL','URLSearchParams','atob','btoa','performance','crypto','Buffer','DOMException','global']
    .filter((k) => typeof globalThis[k] === 'undefined').join(',') || 'all present')`);
  assert.equal(r.stdout, 'all present\n');
});

test('navigator.userAgent names Nimbus; reportError is an uncaught exception as in Node 22', () => {
  const a = runSource(`console.log(navigator.userAgent, navigator.platform, navigator.hardwareConcurrency)`);
  assert.equal(a.stdout, 'Nimbus/0.1.0 linux 1\n');
  const b = runSource(`
    process.on('uncaughtException', (e, origin) => console.log('caught', e.message, origin));
    reportError(new Error('r1'));
    console.log('after');`);
  assert.equal(b.stdout, 'caught r1 uncaughtException\nafter\n');
  const c = runSource(`reportError(new TypeError('r2'));`);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /^TypeError: r2\n/);
  const d = runSource(`
    process.on('uncaughtException', (e) => console.log('via reportError', e.message));
    const t = new EventTarget();
    t.addEventListener('x', () => { throw new Error('listener'); });
    t.dispatchEvent(new Event('x'));
    console.log('dispatch returned');`);
  assert.equal(d.stdout, 'via reportError listener\ndispatch returned\n');
});
