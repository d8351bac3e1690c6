// expect-exit: 0
// Errors the engine throws read in Node's shape: "TypeError: ..." first, frames name this file.
function firstLine(e: unknown): string { return String((e as Error).stack).split('\n')[0]; }
function framesNameThisFile(e: unknown): boolean { return String((e as Error).stack).split('\n').slice(1, 3).some((l) => /28-engine-errors\.ts:\d+/.test(l)); }
function readNull(o: any): unknown { return o.x.y; }
function callIt(f: any): unknown { return f(); }
for (const thunk of [() => readNull({}), () => callIt(42), () => (undefined as any)()]) {
  try { thunk(); } catch (e) {
    console.log((e as Error).name, e instanceof TypeError, firstLine(e).startsWith('TypeError: '), framesNameThisFile(e));
  }
}
try { JSON.parse('{bad'); } catch (e) { console.log(firstLine(e).startsWith('SyntaxError: '), framesNameThisFile(e)); }
try { new Array(-1); } catch (e) { console.log(firstLine(e).startsWith('RangeError: '), framesNameThisFile(e)); }
// Error.captureStackTrace and Error.stackTraceLimit, as depd and friends use them.
const holder: { stack?: string } = {};
Error.captureStackTrace(holder);
console.log(firstLine(holder), framesNameThisFile(holder));
const named = { name: 'Custom', message: 'msg', stack: '' };
Error.captureStackTrace(named);
console.log(firstLine(named));
function outer(): { stack?: string } { return inner(); }
function inner(): { stack?: string } { const o = {}; Error.captureStackTrace(o, inner); return o; }
console.log(outer().stack!.split('\n')[1].includes('inner'));
const saved = Error.stackTraceLimit;
console.log(typeof saved, saved);
function depth(n: number): Error { return n === 0 ? new Error('deep') : depth(n - 1); }
Error.stackTraceLimit = 2;
console.log(depth(5).stack!.split('\n').length);
Error.stackTraceLimit = 0;
console.log(JSON.stringify(new Error('none').stack));
Error.stackTraceLimit = saved;
const err = new RangeError('kept');
err.stack = 'assigned';
console.log(err.stack, Object.prototype.hasOwnProperty.call(err, 'stack'));
export {};
