// The smallest Nimbus program: the same code runs under `node` and as its own VM.
console.log('Hello from Nimbus!');
console.log({ args: process.argv.slice(2), uptimeMs: Math.round(performance.now()) >= 0 });
