// Waits 2 seconds on a timer: the VM must halt meanwhile, not spin.
const t0 = performance.now();
setTimeout(() => console.log(`woke after ${Math.round((performance.now() - t0) / 100) / 10} s`), 2000);
