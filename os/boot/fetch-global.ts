/**
 * `fetch()` for images whose program mentions it: the HTTP client (os/http/fetch.ts) on the
 * image's own net and DNS modules, and node:tls for https:// (which links the root store).
 */
import * as net from '../node/net.ts';
import { lookupIPv4 } from '../node/dns-promises.ts';
import { tlsConnect } from '../node/https.ts';
import { createFetch } from '../http/fetch.ts';
import type { NetModuleLike } from '../http/net-types.ts';

const client = createFetch({
  net: net as unknown as NetModuleLike,
  lookup: lookupIPv4,
  tls: tlsConnect,
});
Object.defineProperty(globalThis, 'fetch', { value: client.fetch, writable: true, configurable: true, enumerable: false });
