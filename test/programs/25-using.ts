// expect-exit: 0
// Explicit resource management: `using`, `await using`, Symbol.dispose / Symbol.asyncDispose.
const log: string[] = [];
function resource(name: string): Disposable {
  log.push(`open ${name}`);
  return { [Symbol.dispose]() { log.push(`close ${name}`); } };
}
function asyncResource(name: string): AsyncDisposable {
  log.push(`open ${name}`);
  return { async [Symbol.asyncDispose]() { await null; log.push(`close ${name}`); } };
}
{
  using a = resource('a');
  using b = resource('b');
  log.push('body');
}
function early(): number {
  using c = resource('c');
  if (c) return 1;
  return 2;
}
log.push(`early returned ${early()}`);
try {
  using d = resource('d');
  throw new Error('inside');
} catch (e) {
  log.push(`caught ${(e as Error).message}`);
}
{ using nothing = null; log.push(`null is allowed: ${nothing}`); }
try {
  // @ts-expect-error: not disposable on purpose
  using bad = { name: 'x' };
  log.push(`unreachable ${bad}`);
} catch (e) {
  log.push(`not disposable: ${(e as Error).name}`);
}
async function main(): Promise<void> {
  {
    await using e = asyncResource('e');
    using f = resource('f');
    log.push('async body');
  }
  log.push('after async block');
}
void main().then(() => {
  console.log(log.join('\n'));
  console.log(typeof Symbol.dispose, typeof Symbol.asyncDispose, Symbol.dispose === Symbol.dispose, Symbol.for('x') !== Symbol.dispose);
});
export {};
