/**
 * boot: what an image runs between the runtime prelude and the program, chosen per program
 * by `nimbus build` (cli/build.ts):
 * - `start-devices.ts` (programs that use the network): virtio discovery, virtio-rng into the
 *   CSPRNG, the first virtio-net attached to the TCP/IP stack (devices.ts);
 * - `web-globals.ts`, `fetch-global.ts`: Request/Response/Headers/... and fetch();
 * - `serve-default.ts`: serves a default export that has a `fetch` method, on $PORT or 80.
 * Device problems are printed on stderr and never stop the program.
 */
export { startDevices } from './devices.ts';
export { serveDefaultExport } from './serve-default.ts';
