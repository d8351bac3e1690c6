// Makes a system call the process target's seccomp filter forbids (booted with --test-hooks).
console.log('calling openat');
(globalThis as any).__nimbus_hw.testForbiddenCall();
console.log('still running: the call was allowed');
