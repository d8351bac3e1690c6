// The smallest Nimbus program: the same code runs under `node` and as its own VM.
const started = performance.now();
console.log('Hello from Nimbus!');
console.log({ runtime: typeof __nimbus_hw === 'undefined' ? 'node' : 'nimbus', args: process.argv.slice(2) });
setTimeout(() => {
  console.log(`a timer fired after ${Math.round(performance.now() - started) >= 50 ? 'at least' : 'less than'} 50 ms`);
}, 50);
