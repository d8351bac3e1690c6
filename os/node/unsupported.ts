/**
 * The pieces of modules a Nimbus image cannot provide (child_process, cluster, http2, ...).
 * cli/modules.ts generates such a module from the building Node's exports: constants are
 * copied, and each function or class is one of these, which throw a Node-style error with
 * code ERR_NIMBUS_UNSUPPORTED naming the function and why, when called.
 */
import { EventEmitter } from './events.ts';

export class NimbusUnsupportedError extends Error {
  readonly code = 'ERR_NIMBUS_UNSUPPORTED';
  constructor(what: string, why: string) {
    super(`${what} is not supported in a Nimbus image: ${why}`);
    Object.defineProperty(this, 'name', { value: 'Error', configurable: true, writable: true, enumerable: false });
  }
}

export function unsupportedFunction(qualified: string, why: string): (...args: unknown[]) => never {
  const name = qualified.slice(qualified.lastIndexOf('.') + 1);
  const f = { [name](): never { throw new NimbusUnsupportedError(`${qualified}()`, why); } }[name]!;
  return f as (...args: unknown[]) => never;
}

/** A class that can be extended and checked with instanceof; constructing it throws. */
export function unsupportedClass(qualified: string, why: string, emitter: boolean): Function {
  const name = qualified.slice(qualified.lastIndexOf('.') + 1);
  const Base = (emitter ? EventEmitter : Object) as unknown as new () => object;
  const c = {
    [name]: class extends Base {
      constructor() {
        super();
        throw new NimbusUnsupportedError(`new ${qualified}()`, why);
      }
    },
  }[name]!;
  return c;
}
