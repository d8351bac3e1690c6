/** node:string_decoder: UTF-8 only (other encodings throw), streaming like Node's. */
import { Buffer } from 'buffer/index.js';
import { TextDecoder } from '../runtime/encoding.ts';

export class StringDecoder {
  readonly encoding = 'utf8';
  readonly #dec = new TextDecoder('utf-8', { ignoreBOM: true });
  constructor(encoding = 'utf8') {
    if (!/^utf-?8$/i.test(encoding)) throw new TypeError(`Unknown encoding: ${encoding}`);
  }
  write(buf: Uint8Array | string): string {
    return typeof buf === 'string' ? buf : this.#dec.decode(buf, { stream: true });
  }
  end(buf?: Uint8Array | string): string {
    return (buf === undefined ? '' : this.write(buf)) + this.#dec.decode();
  }
}
void Buffer;
export default { StringDecoder };
