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
import { addNativeFill } from './buffer-fill.ts';

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

/** `bundled()` is a literal require (esbuild resolves only those); Node's loader if it fails. */
function load<T>(id: string, bundled: () => unknown): T {
  try {
    return bundled() as T;
  } catch (e) {
    return nodeRequire(id, e) as T;
  }
}

export function lazyBuffer(): typeof import('buffer') {
  if (!bufferModule) {
    bufferModule = load<typeof import('buffer')>('buffer/index.js', () => require('buffer/index.js'));
    addBase64Url(bufferModule.Buffer as never);
    addNativeTextEncoding(bufferModule.Buffer as never);
    addNativeFill(bufferModule.Buffer as never);
  }
  return bufferModule;
}

export function lazyInspect(): typeof import('node-inspect-extracted') {
  return (inspectModule ??= load<typeof import('node-inspect-extracted')>('node-inspect-extracted', () => require('node-inspect-extracted')));
}

export function lazyFflate(): typeof import('fflate') {
  return (fflateModule ??= load<typeof import('fflate')>('fflate', () => require('fflate')));
}
