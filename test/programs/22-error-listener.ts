// expect-exit: 0
process.on('uncaughtException', (err, origin) => {
  console.log('caught by listener:', err.message, origin);
});
process.on('unhandledRejection', (reason) => {
  console.log('unhandled rejection listener:', reason);
});
setTimeout(() => { throw new Error('from timer'); }, 1);
setTimeout(() => { void Promise.reject('plain reason'); }, 5);
setTimeout(() => console.log('still running'), 10);
export {};
