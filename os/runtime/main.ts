/**
 * Defines `globalThis.__nimbus_main(evaluation)`, the core's entry into the runtime
 * (contract in os/hw/hw.ts): run the event loop until the program is done, then exit.
 */
import { runMain, type Runtime } from './runtime.ts';

export function defineMain(rt: Runtime): void {
  globalThis.__nimbus_main = (evaluation: Promise<unknown>): never => runMain(rt, evaluation);
}
