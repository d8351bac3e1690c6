/**
 * Assembles the runtime on one `Hw`: the loop, process, console, error handling, and the
 * web/Node globals. `installRuntime` is called once by the prelude (and by tests with a
 * fake hw); `runMain` is what `__nimbus_main` does.
 */
import { lazyBuffer } from './lazy.ts';
import type { Hw } from '../hw/hw.ts';
import { structuredClone } from './clone.ts';
import { Console } from './console.ts';
import { DOMException } from './dom-exception.ts';
import { atob, btoa, TextDecoder, TextEncoder, useNativeTextEncoder } from './encoding.ts';
import { ErrorHandling } from './errors.ts';
import { EventLoop, isExitSignal, setCurrentLoop } from './loop.ts';
import { createProcess, type NimbusProcess } from './process.ts';
import { getRandomValues, randomUUID, setEntropySource } from './random.ts';
import { installStackAccessor, setSourceMapProvider } from './stack.ts';
import { installClassSource } from './function-source.ts';
import { URL, URLSearchParams } from './url.ts';

export interface Runtime {
  readonly hw: Hw;
  readonly loop: EventLoop;
  readonly process: NimbusProcess;
  readonly console: Console;
  readonly errors: ErrorHandling;
}

/** Keep in step with package.json `version` (cli/main.ts prints the same). */
const NIMBUS_VERSION = '0.1.0';

let installed: Runtime | undefined;

export function currentRuntime(): Runtime {
  if (!installed) throw new Error('Nimbus runtime not installed');
  return installed;
}

function define(name: string, value: unknown): void {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

export function installRuntime(hw: Hw, target: object = globalThis): Runtime {
  const loop = new EventLoop(hw);
  setCurrentLoop(loop);
  setEntropySource(hw);
  setSourceMapProvider(() => hw.sourceMap());
  // Text is encoded in C (core/js/text.c): every HTTP head and string body passes through it.
  if (typeof hw.encodeText === 'function') useNativeTextEncoder((s, encoding) => hw.encodeText(s, encoding));
  // In the image, every error's `stack` reads in Node's shape (stack.ts).
  // Classes print as `[class K]` although the image keeps no source (function-source.ts).
  if (target === globalThis && hw === globalThis.__nimbus_hw) {
    installStackAccessor();
    installClassSource();
  }
  const process = createProcess(hw, loop);
  const errors = new ErrorHandling(hw, loop, process);
  const console = new Console(process.stdout, process.stderr, () => hw.now());
  const timeOrigin = hw.wallClock() - hw.now();

  const performance = {
    timeOrigin,
    now: () => hw.now(),
    toJSON: () => ({ timeOrigin }),
    mark: () => undefined,
    measure: () => undefined,
  };
  const crypto = { getRandomValues, randomUUID };

  const globals: Record<string, unknown> = {
    global: globalThis,
    console,
    process,
    setTimeout: (cb: unknown, ms?: unknown, ...a: unknown[]) => loop.setTimeout(cb, ms, ...a),
    setInterval: (cb: unknown, ms?: unknown, ...a: unknown[]) => loop.setInterval(cb, ms, ...a),
    setImmediate: (cb: unknown, ...a: unknown[]) => loop.setImmediate(cb, ...a),
    clearTimeout: (t: unknown) => loop.clearTimer(t),
    clearInterval: (t: unknown) => loop.clearTimer(t),
    clearImmediate: (t: unknown) => loop.clearImmediate(t),
    queueMicrotask: (cb: unknown) => {
      if (typeof cb !== 'function') throw new TypeError('The "callback" argument must be of type function');
      void Promise.resolve().then(() => {
        try {
          (cb as () => void)();
        } catch (e) {
          // Node: an exception in a queueMicrotask callback is uncaught, not a rejection.
          if (isExitSignal(e)) throw e;
          errors.uncaught(e, 'uncaughtException');
        }
      });
    },
    structuredClone,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    URL,
    URLSearchParams,
    DOMException,
    performance,
    crypto,
    // Node 21+ has `navigator` (userAgent `Node.js/<major>`); the image names itself.
    navigator: Object.freeze({
      userAgent: `Nimbus/${NIMBUS_VERSION}`,
      hardwareConcurrency: 1,
      language: 'en-US',
      languages: Object.freeze(['en-US']),
      platform: 'linux',
    }),
    // HTML "report the exception" as Node 22: the error is an uncaught exception
    // ('uncaughtException' listeners see it; without one the program prints it and exits 1).
    reportError: (e: unknown) => {
      if (isExitSignal(e)) throw e;
      errors.uncaught(e, 'uncaughtException');
    },
  };
  for (const [k, v] of Object.entries(globals)) {
    if (target === globalThis) define(k, v);
    else (target as Record<string, unknown>)[k] = v;
  }
  // Buffer (the npm `buffer` package) costs ~10 ms of boot under emulation: load it on first use.
  Object.defineProperty(target, 'Buffer', {
    configurable: true,
    enumerable: false,
    get() {
      const value = lazyBuffer().Buffer;
      Object.defineProperty(target, 'Buffer', { value, writable: true, configurable: true, enumerable: false });
      return value;
    },
    set(value: unknown) {
      Object.defineProperty(target, 'Buffer', { value, writable: true, configurable: true, enumerable: false });
    },
  });
  installed = { hw, loop, process, console, errors };
  return installed;
}

/**
 * Run the program to its end, then exit the VM (never returns). `evaluation` is the main
 * module's evaluation promise: a rejection is the top-level uncaught exception.
 */
export function runMain(rt: Runtime, evaluation: Promise<unknown>): never {
  const { hw, loop, process } = rt;
  try {
    let settled = false;
    evaluation.then(
      () => { settled = true; },
      (e) => { settled = true; rt.errors.uncaught(e, 'uncaughtException'); },
    ).then(undefined, () => {
      // Only reached with a test hw whose exit() throws: the exit was already recorded.
    });
    // ES module entry (as node runs a .mjs/.ts ESM program): promise jobs queued by the
    // top level run before the nextTick queue.
    hw.runMicrotasks();
    for (;;) {
      loop.run();
      if (process._exiting) break;
      loop.invoke(() => process.emit('beforeExit', Number(process.exitCode ?? 0)), undefined, []);
      if (!loop.isAlive()) break;
    }
    if (!settled) {
      hw.write(2, 'Warning: Detected unsettled top-level await\n');
      process.exitCode = 13;
    }
    return process.exit();
  } catch (e) {
    if (isExitSignal(e)) throw e;
    try {
      hw.write(2, `Nimbus runtime internal error: ${e instanceof Error ? `${e.message}\n${e.stack}` : String(e)}\n`);
    } catch {
      // nothing left to report with
    }
    return hw.exit(70);
  }
}
