// Crashes at once: the fleet's restart test (test/boot/fleet.test.ts) watches it come back with back-off.
console.log('crash program started');
process.exit(3);
