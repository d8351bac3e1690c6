/**
 * `fetch()` for images whose program mentions it: the HTTP client (os/http/fetch.ts) on the
 * image's own net and DNS modules. http:// only.
 */
import * as net from '../node/net.ts';
import { lookupIPv4 } from '../node/dns-promises.ts';
import { createFetch } from '../http/fetch.ts';
import type { NetModuleLike } from '../http/net-types.ts';

const client = createFetch({
  net: net as unknown as NetModuleLike,
  lookup: lookupIPv4,
});
Object.defineProperty(globalThis, 'fetch', { value: client.fetch, writable: true, configurable: true, enumerable: false });
