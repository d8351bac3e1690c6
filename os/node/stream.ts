/**
 * node:stream: Node's own implementation as packaged on npm (readable-stream 4), with its
 * `buffer`, `events`, `process` and `string_decoder` mapped to the image's modules by the
 * build (cli/modules.ts), so streams and the rest of the program share one Buffer and one
 * EventEmitter. readable-stream leaves the web-stream adapters out; web-adapters.ts adds them.
 */
import StreamImpl from 'readable-stream/lib/stream.js';
import promisesImpl from 'readable-stream/lib/stream/promises.js';
import { installWebAdapters } from './internal/stream-web-adapters.ts';

type StreamModule = typeof import('node:stream') & Record<'compose' | 'isDisturbed' | 'isErrored' | 'isReadable' | 'getDefaultHighWaterMark' | 'setDefaultHighWaterMark', Function>;
const Stream = StreamImpl as unknown as StreamModule & { promises: typeof import('node:stream/promises') };
if (!Object.getOwnPropertyDescriptor(Stream, 'promises')) {
  Object.defineProperty(Stream, 'promises', { configurable: true, enumerable: true, get: () => promisesImpl });
}
installWebAdapters(Stream);

export const {
  Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished, addAbortSignal, compose,
  isDisturbed, isErrored, isReadable, getDefaultHighWaterMark, setDefaultHighWaterMark,
} = Stream;
export const destroy = (Stream as unknown as { destroy: (s: unknown, e?: unknown) => void }).destroy;
export const isDestroyed = (Stream as unknown as { isDestroyed: (s: unknown) => boolean }).isDestroyed;
export const isWritable = (Stream as unknown as { isWritable: (s: unknown) => boolean }).isWritable;
export const promises = promisesImpl as typeof import('node:stream/promises');
export { Stream };
export default Stream;
