/**
 * `URLPattern` (the WHATWG URL Pattern standard, as in Node 24 and browsers) for images whose
 * program or npm dependencies name it (cli/build.ts decides): urlpattern-polyfill's class,
 * installed only where the global is absent. It canonicalises through the runtime's `URL`.
 */
import { URLPattern } from 'urlpattern-polyfill/urlpattern';

if (!('URLPattern' in globalThis)) {
  Object.defineProperty(globalThis, 'URLPattern', { value: URLPattern, writable: true, configurable: true, enumerable: false });
}
