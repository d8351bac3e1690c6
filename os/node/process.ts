/** node:process: the `process` global the runtime installed. */
import { currentRuntime } from '../runtime/runtime.ts';

const process = currentRuntime().process;
export default process;
export const { argv, env, nextTick, hrtime, exit, cwd, platform, pid, stdout, stderr } = process;
