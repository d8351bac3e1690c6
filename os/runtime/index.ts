/**
 * The Nimbus runtime: the only layer that reads a clock or owns the event loop.
 *
 * It owns: the event loop (timers, immediates, nextTick, microtask draining, I/O sources
 * woken by IRQs), `process`, `console`, uncaught-error handling with source-mapped
 * stacks, and the web globals (TextEncoder/Decoder, URL, structuredClone, atob/btoa,
 * performance, crypto.getRandomValues on a ChaCha20 CSPRNG). Other layers hook in here:
 * - drivers and the network stack register a `LoopSource` with `addSource`;
 * - everyone reads boot parameters through `Cmdline` (`new Cmdline(hw.cmdline)`);
 * - virtio-rng feeds the CSPRNG with `reseed`.
 */
export { addSource, currentLoop, type LoopSource } from './loop.ts';
export { Cmdline, parseCmdline, cmdlineArgs, cmdlineEnv, type CmdlineToken } from './cmdline.ts';
export { reseed, randomFill, getRandomValues, randomUUID } from './random.ts';
export { currentRuntime, installRuntime, runMain, type Runtime } from './runtime.ts';
export { inspect, format, formatWithOptions } from './inspect.ts';
export { DOMException } from './dom-exception.ts';
export { underMemoryPressure, memoryPressureOf, memoryHeadroomOf, memoryBudget, MEMORY_PRESSURE_SHARE } from './memory.ts';
