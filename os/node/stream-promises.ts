/** node:stream/promises: pipeline and finished returning promises (readable-stream's). */
import promisesImpl from 'readable-stream/lib/stream/promises.js';
import './stream.ts';

const p = promisesImpl as typeof import('node:stream/promises');
export const { pipeline, finished } = p;
export default p;
