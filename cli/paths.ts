/** Where the CLI finds its parts: the repo root, the prebuilt core and the host compiler. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORE_ELF = path.join(ROOT, 'build', 'core.elf');
export const CORE_SIZES = path.join(ROOT, 'build', 'core-sizes.json');
/** What tools/pack-core.c made of the core: its code's size in memory and LZ4-packed in the file. */
export const CORE_PACK = path.join(ROOT, 'build', 'core-pack.json');
export const QJSC = path.join(ROOT, 'build', 'nimbus-qjsc');
/** The process platform (core/platform/process/): runs an image's payload as a confined Linux process. */
export const PROCESS_RUNNER = path.join(ROOT, 'build', 'nimbus-process');
export const OS_DIR = path.join(ROOT, 'os');
export const IMAGE_DIR = path.join(ROOT, 'build', 'images');
/** Its launcher: opens a tap (or packet socket) and runs the runner with it as a descriptor. */
export const NETFD = path.join(ROOT, 'build', 'nimbus-netfd');
