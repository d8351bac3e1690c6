/**
 * A fresh copy of the npm `buffer` package's Buffer class (its own module instance), for tests
 * that patch one copy and compare it with another as shipped.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function freshBufferClass(): typeof import('buffer').Buffer {
  delete require.cache[require.resolve('buffer/index.js')];
  return (require('buffer/index.js') as typeof import('buffer')).Buffer;
}
