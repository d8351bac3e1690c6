/**
 * First import of every image: installs the runtime's globals (console, process, timers,
 * TextEncoder, URL, crypto, Buffer, ...) on the machine from `__nimbus_hw`, and defines
 * `__nimbus_main` (main.ts). Importing it outside a Nimbus image throws.
 */
import { nativeHw } from '../hw/hw.ts';
import { installRuntime } from './runtime.ts';
import { defineMain } from './main.ts';

const hw = nativeHw();
if (!hw) throw new Error('Nimbus prelude: globalThis.__nimbus_hw is missing (not running in a Nimbus image)');
defineMain(installRuntime(hw));
