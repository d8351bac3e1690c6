/**
 * The layer order of the library OS (os/): the one place it is written down. A module (a
 * directory under os/) may import its own files and the modules of LOWER layers only; two
 * modules of the same layer do not import each other. test/rules/imports.test.ts checks every
 * import of every image file against it; docs/architecture.md explains the layers.
 *
 * Bottom to top:
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['hw'],                 // the hw contract: the only door to the machine
  ['runtime', 'crypto', 'intl'], // event loop, process, console; cryptographic primitives; ECMA-402
  ['drivers'],            // virtio transports and devices (NetworkDevice)
  ['net'],                // the pure TCP/IP stack: frames in, frames out
  ['netservice'],         // the stack on a device and the loop: connect, listen, bindUdp, DNS
  ['tls', 'web'],         // TLS 1.2/1.3 records and handshakes; fetch's Request/Response/streams
  ['http'],               // HTTP/1.1 parser, server, client
  ['node'],               // the Node-shaped surface (node:net, node:http, ...)
  ['boot'],               // what an image runs before the program
];

/** The layer index of os module `name`, or undefined for a directory not in LAYERS. */
export function layerOf(name: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.includes(name));
  return i < 0 ? undefined : i;
}
