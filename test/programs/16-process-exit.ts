// expect-exit: 3
process.on('exit', (code) => console.log('exit handler sees', code));
console.log('argv tail', process.argv.slice(2), typeof process.env, process.cwd() !== '', typeof process.hrtime.bigint());
setTimeout(() => console.log('never printed'), 100);
setTimeout(() => { console.log('exiting with 3'); process.exit(3); console.log('not reached'); }, 1);
export {};
