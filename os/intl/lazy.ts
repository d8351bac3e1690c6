/**
 * Intl without its start-up cost: FormatJS's polyfills build their tables when they are
 * evaluated (the locale alias rules alone took ~200 ms of a 300 ms start on the process
 * target), so the build wraps each in a loader (cli/intl.ts) and this module puts a stand-in
 * wherever the polyfill will install itself. The first touch of `Intl.NumberFormat`, or the
 * first `(1.5).toLocaleString()`, runs the loader, which replaces the stand-in with the real
 * property; a program that never touches them never pays.
 */

/** `holder[name]` as a getter that loads the part on first read and returns what it installed. */
export function lazyProperty(holder: object, name: string, load: () => void): void {
  Object.defineProperty(holder, name, {
    configurable: true,
    enumerable: false,
    get() {
      load();
      const d = Object.getOwnPropertyDescriptor(holder, name);
      if (d?.get) throw new Error(`Intl: loading ${name} did not install it`);
      return d?.value;
    },
    set(value: unknown) {
      Object.defineProperty(holder, name, { value, writable: true, configurable: true, enumerable: false });
    },
  });
}

/**
 * A method on a prototype (`Number.prototype.toLocaleString`) that loads the part on first
 * call and calls the method it installed; the engine's own method stays the fallback.
 */
export function lazyMethod(proto: object, name: string, load: () => void): void {
  const own = (proto as Record<string, unknown>)[name] as ((...a: unknown[]) => unknown) | undefined;
  const standIn = {
    [name](this: unknown, ...args: unknown[]): unknown {
      load();
      const installed = (proto as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
      const f = installed === standIn ? own : installed;
      if (!f) throw new TypeError(`${name} is not available`);
      return f.apply(this, args);
    },
  }[name]!;
  Object.defineProperty(proto, name, { value: standIn, writable: true, configurable: true, enumerable: false });
}

/** A loader that runs `body` once: its parts' `require`s, then their defaults. */
export function once(body: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    body();
  };
}
