// expect-exit: 1
console.log('start');
async function work(): Promise<void> {
  await null;
  throw new RangeError('async failure');
}
void work();
setTimeout(() => console.log('never reached'), 50);
export {};
