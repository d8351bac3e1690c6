/** node:console: the console global and its Console class. */
import { Console } from '../runtime/console.ts';
import { currentRuntime } from '../runtime/runtime.ts';

const console = currentRuntime().console;
export { Console };
export default Object.assign(console, { Console });
