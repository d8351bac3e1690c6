/**
 * Modules loaded on first use, not at boot: each is required as a CommonJS package, which
 * esbuild wraps so that it runs when first `require`d. Under emulation `buffer` costs ~10 ms
 * and `node-inspect-extracted` ~25 ms of module evaluation; `fflate` builds its Huffman
 * tables at load, 20 ms even at native speed, and every image with the web globals
 * (CompressionStream) links it. A program that never needs them should not pay for them
 * before its first line. Import them only through these functions: one static import
 * elsewhere would run the package at boot again.
 *
 * In the image, esbuild turns each literal `require('...')` below into a call of the bundled
 * module's wrapper. Under Node (unit tests run the sources as ES modules) `require` does not
 * exist and the ReferenceError sends us to Node's own loader.
 */
import { addBase64Url } from './buffer-base64url.ts';
import { addNativeTextEncoding } from './buffer-native-text.ts';

declare const require: (id: string) => unknown;

let bufferModule: typeof import('buffer') | undefined;
let inspectModule: typeof import('node-inspect-extracted') | undefined;
let fflateModule: typeof import('fflate') | undefined;

function nodeRequire(id: string, e: unknown): unknown {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule;
  const nodeModule = getBuiltin?.('module') as { createRequire(url: string): (id: string) => unknown } | undefined;
  if (!(e instanceof ReferenceError) || !nodeModule) throw e;
  return nodeModule.createRequire(import.meta.url)(id);
}

export function lazyBuffer(): typeof import('buffer') {
  if (!bufferModule) {
    try {
      bufferModule = require('buffer/index.js') as typeof import('buffer');
    } catch (e) {
      bufferModule = nodeRequire('buffer/index.js', e) as typeof import('buffer');
    }
    addBase64Url(bufferModule.Buffer as never);
    addNativeTextEncoding(bufferModule.Buffer as never);
  }
  return bufferModule;
}

export function lazyInspect(): typeof import('node-inspect-extracted') {
  if (!inspectModule) {
    try {
      inspectModule = require('node-inspect-extracted') as typeof import('node-inspect-extracted');
    } catch (e) {
      inspectModule = nodeRequire('node-inspect-extracted', e) as typeof import('node-inspect-extracted');
    }
  }
  return inspectModule;
}

export function lazyFflate(): typeof import('fflate') {
  if (!fflateModule) {
    try {
      fflateModule = require('fflate') as typeof import('fflate');
    } catch (e) {
      fflateModule = nodeRequire('fflate', e) as typeof import('fflate');
    }
  }
  return fflateModule;
}
