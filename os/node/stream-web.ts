/** node:stream/web: the image's WHATWG streams (os/web), the same classes as the globals. */
import { ReadableStream, ReadableStreamDefaultReader, WritableStream, TransformStream } from '../web/index.ts';

export { ReadableStream, ReadableStreamDefaultReader, WritableStream, TransformStream };
export class ByteLengthQueuingStrategy {
  readonly highWaterMark: number;
  constructor(init: { highWaterMark: number }) { this.highWaterMark = init.highWaterMark; }
  size(chunk: ArrayBufferView): number { return chunk.byteLength; }
}
export class CountQueuingStrategy {
  readonly highWaterMark: number;
  constructor(init: { highWaterMark: number }) { this.highWaterMark = init.highWaterMark; }
  size(): number { return 1; }
}
export default { ReadableStream, ReadableStreamDefaultReader, WritableStream, TransformStream, ByteLengthQueuingStrategy, CountQueuingStrategy };
