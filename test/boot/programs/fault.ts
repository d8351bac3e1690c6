// Raises a CPU fault through the test-only hook (booted with --test-hooks).
const kind = (process.argv[2] ?? 'ud') as 'ud' | 'gp' | 'pf' | 'de';
console.log(`raising ${kind}`);
(globalThis as any).__nimbus_hw.testFault(kind);
