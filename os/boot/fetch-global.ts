/**
 * `fetch()` for images whose program mentions it: the HTTP client (os/http/fetch.ts) on the
 * image's own net and DNS modules. http:// only.
 */
import * as net from '../node/net.ts';
import * as dns from '../node/dns.ts';
import { createFetch } from '../http/fetch.ts';
import type { NetModuleLike } from '../http/net-types.ts';

const client = createFetch({
  net: net as unknown as NetModuleLike,
  lookup: (name: string) => new Promise<string>((resolve, reject) =>
    dns.lookup(name, { family: 4 }, (err: Error | null, address: string) => (err ? reject(err) : resolve(address)))),
});
Object.defineProperty(globalThis, 'fetch', { value: client.fetch, writable: true, configurable: true, enumerable: false });
