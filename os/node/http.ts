/**
 * node:http for programs in the image: the HTTP layer (os/http) wired to the image's net and
 * DNS. Bodies reach user code as Buffers, as in Node (Buffer is a global in the image).
 */
import * as net from './net.ts';
import { lookupIPv4 } from './dns-promises.ts';
import { createNodeHttp } from '../http/node-http.ts';
import type { NetModuleLike } from '../http/net-types.ts';
import { underMemoryPressure } from '../runtime/index.ts';

const http = createNodeHttp({
  net: net as unknown as NetModuleLike,
  lookup: lookupIPv4,
  wrapChunk: (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength),
  encode: (s, encoding) => Buffer.from(s, (encoding ?? 'utf8') as BufferEncoding),
  memoryPressure: underMemoryPressure,
});

export const {
  createServer, Server, IncomingMessage, ServerResponse, ClientRequest, Agent, globalAgent,
  STATUS_CODES, METHODS, maxHeaderSize, request, get, validateHeaderName, validateHeaderValue,
  setMaxIdleHTTPParsers,
} = http;
export default http;
