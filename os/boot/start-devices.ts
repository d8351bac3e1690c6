/**
 * Imported by images that use the network (cli/build.ts decides), after the runtime prelude
 * and before the program, so the network exists when the program's top level runs.
 */
import { nativeHw } from '../hw/hw.ts';
import { startDevices } from './devices.ts';

const hw = nativeHw();
if (hw) startDevices(hw);
