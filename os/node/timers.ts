/** node:timers: the timer functions of the runtime's event loop (same as the globals). */
import { currentLoop } from '../runtime/loop.ts';

const loop = currentLoop();
export const setTimeout = (cb: unknown, ms?: unknown, ...a: unknown[]) => loop.setTimeout(cb, ms, ...a);
export const setInterval = (cb: unknown, ms?: unknown, ...a: unknown[]) => loop.setInterval(cb, ms, ...a);
export const setImmediate = (cb: unknown, ...a: unknown[]) => loop.setImmediate(cb, ...a);
export const clearTimeout = (t: unknown) => loop.clearTimer(t);
export const clearInterval = (t: unknown) => loop.clearTimer(t);
export const clearImmediate = (t: unknown) => loop.clearImmediate(t);
export default { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate };
