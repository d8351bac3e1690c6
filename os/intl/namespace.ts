/**
 * The `Intl` namespace object, before any part is added to it (cli/intl.ts links the parts
 * a program names, each loaded on first use: os/intl/lazy.ts).
 */
const g = globalThis as unknown as { Intl?: object };
if (g.Intl === undefined) {
  // Node's Intl is a plain namespace object that prints as `Object [Intl] {}`.
  const intl = {};
  Object.defineProperty(intl, Symbol.toStringTag, { value: 'Intl', configurable: true });
  Object.defineProperty(globalThis, 'Intl', { value: intl, writable: true, configurable: true, enumerable: false });
}
export {};
