// expect-exit: 4
process.exitCode = 4;
process.on('beforeExit', (code) => {
  console.log('beforeExit', code);
});
process.on('exit', (code) => console.log('exit', code));
setTimeout(() => console.log('last timer'), 2);
export {};
