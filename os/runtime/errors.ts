/**
 * Uncaught exceptions and unhandled rejections, handled as Node 20 does by default.
 *
 * - An exception escaping a callback (or the module's top level) goes to
 *   process.on('uncaughtException') listeners if any; otherwise it is printed to stderr
 *   and the program exits with 1 ('exit' listeners run with code 1).
 * - A rejection still unhandled after the microtask drain in which it happened
 *   (`--unhandled-rejections=throw`): process.on('unhandledRejection') listeners if any;
 *   otherwise it becomes an uncaught exception (origin 'unhandledRejection').
 *
 * What we print (Node prints the same minus its source excerpt header and its
 * "Node.js vXX" footer; see README.md "Error output"):
 * - an Error-like value (an object with an own `stack`, or a genuine error): `util.inspect(err)` + "\n",
 *   i.e. the Node-shaped stack with source-mapped frames and extra own properties;
 * - a string: the string itself; any other value: `util.inspect(value)`;
 * - a non-Error rejection reason: Node's UnhandledPromiseRejection error
 *   (code ERR_UNHANDLED_REJECTION) with the reason inspected into its message.
 */
import type { Hw } from '../hw/hw.ts';
import { inspect } from './inspect.ts';
import { isExitSignal, type EventLoop } from './loop.ts';
import type { NimbusProcess } from './process.ts';

/**
 * Node's test (lib/internal/process/promises.js): an object with an own `stack`. In V8 every
 * error has one; quickjs-ng keeps an error's stack in an internal slot read through
 * `Error.prototype.stack`, so a genuine error counts too.
 */
function isErrorLike(v: unknown): v is Error {
  if (typeof v !== 'object' || v === null) return false;
  if (Object.prototype.hasOwnProperty.call(v, 'stack')) return true;
  const isError = (Error as { isError?: (x: unknown) => boolean }).isError;
  return typeof isError === 'function' && isError(v) && typeof (v as Error).stack === 'string';
}

/** The text printed for an uncaught value (without Node's header and footer). */
export function formatUncaught(v: unknown): string {
  if (isErrorLike(v)) return `${inspect(v)}\n`;
  if (typeof v === 'string') return `${v}\n`;
  return `${inspect(v)}\n`;
}

/** Node's wrapper for a non-Error rejection reason. */
export function unhandledRejectionError(reason: unknown): Error {
  const message = 'This error originated either by throwing inside of an async function without a catch block, ' +
    `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${inspect(reason)}".`;
  const e = new Error(message) as Error & { code: string };
  e.name = 'UnhandledPromiseRejection';
  // Node's stack for this error holds only its internal frames; we name the same place.
  Object.defineProperty(e, 'stack', {
    value: `UnhandledPromiseRejection: ${message}\n    at processPromiseRejections (node:internal/process/promises)`,
    writable: true, configurable: true,
  });
  e.code = 'ERR_UNHANDLED_REJECTION';
  return e;
}

export class ErrorHandling {
  readonly #hw: Hw;
  readonly #process: NimbusProcess;
  readonly #pending = new Map<Promise<unknown>, unknown>();
  #inHandler = false;

  constructor(hw: Hw, loop: EventLoop, process: NimbusProcess) {
    this.#hw = hw;
    this.#process = process;
    loop.setUncaughtHandler((e) => this.uncaught(e, 'uncaughtException'));
    loop.setAfterDrain(() => this.processRejections());
    hw.setRejectionTracker((p, reason, handled) => this.track(p, reason, handled));
  }

  /** The engine's rejection tracker (hw.setRejectionTracker). */
  track(p: Promise<unknown>, reason: unknown, handled: boolean): void {
    if (handled) this.#pending.delete(p);
    else this.#pending.set(p, reason);
  }

  /** After a drain: report rejections still unhandled. Returns true if any were. */
  processRejections(): boolean {
    if (this.#pending.size === 0) return false;
    const list = [...this.#pending];
    this.#pending.clear();
    for (const [promise, reason] of list) {
      try {
        if (this.#process.listenerCount('unhandledRejection') > 0) {
          this.#process.emit('unhandledRejection', reason, promise);
          continue;
        }
      } catch (e) {
        if (isExitSignal(e)) throw e;
        this.uncaught(e, 'uncaughtException');
        continue;
      }
      this.uncaught(isErrorLike(reason) ? reason : unhandledRejectionError(reason), 'unhandledRejection');
    }
    return true;
  }

  /** An exception nobody caught: listeners, or print and exit(1). */
  uncaught(err: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void {
    const p = this.#process;
    if (!this.#inHandler && !p._exiting && p.listenerCount('uncaughtException') > 0) {
      this.#inHandler = true;
      try {
        p.emit('uncaughtException', err, origin);
        return;
      } catch (e) {
        if (isExitSignal(e)) throw e;
        // Node: an exception thrown by an 'uncaughtException' handler ends the process with 7.
        this.#print(e);
        p.exitCode = 7;
        p._exiting = true;
        this.#hw.exit(7);
      } finally {
        this.#inHandler = false;
      }
    }
    this.#print(err);
    if (p._exiting) this.#hw.exit(7);
    p.exitCode = 1;
    p.exit(1);
  }

  #print(err: unknown): void {
    let text: string;
    try {
      text = formatUncaught(err);
    } catch {
      text = 'Uncaught exception (could not be formatted)\n';
    }
    this.#hw.write(2, text);
  }
}
