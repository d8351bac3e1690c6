/**
 * `fetch()` for images whose program mentions it: the HTTP client (os/http/fetch.ts) on the
 * image's own net and DNS modules. https:// works once os/boot/fetch-tls.ts installs TLS
 * (the build adds it when the program mentions https or wss, so that only those images
 * carry node:tls and the root store).
 */
import * as net from '../node/net.ts';
import { lookupIPv4 } from '../node/dns-promises.ts';
import { createFetch, type TlsConnect } from '../http/fetch.ts';
import type { NetModuleLike } from '../http/net-types.ts';

let tlsConnect: TlsConnect | null = null;

/** Called by fetch-tls.ts. */
export function installFetchTls(connect: TlsConnect): void { tlsConnect = connect; }

const client = createFetch({
  net: net as unknown as NetModuleLike,
  lookup: lookupIPv4,
  tls: (o) => {
    if (!tlsConnect) throw new TypeError('https is not supported in this image: the program does not mention https');
    return tlsConnect(o);
  },
});
Object.defineProperty(globalThis, 'fetch', { value: client.fetch, writable: true, configurable: true, enumerable: false });
