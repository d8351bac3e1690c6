// The hw conformance suite (os/hw/conformance.ts) against the real core: prints one JSON line
// with the machine, its groups and every check's result (test/boot/conformance.test.ts).
import { runConformance } from '../../../os/hw/conformance.ts';
import { nativeHw } from '../../../os/hw/hw.ts';

const hw = nativeHw();
if (!hw) throw new Error('not running in a Nimbus image');
console.log(`CONFORMANCE ${JSON.stringify({ machine: hw.machine, groups: hw.groups, results: runConformance(hw) })}`);
