/**
 * http: HTTP/1.1 for programs in the image, over any `net`-shaped module (net-types.ts), so
 * the same code runs on the image's own TCP/IP stack and, in tests, on Node's `net`.
 *
 * - `parser.ts`   a pure, incremental request/response parser, as strict as Node's llhttp:
 *                 malformed framing is a result with the HTTP status to answer, never a throw.
 * - `server.ts`   Node's `http.Server` (IncomingMessage, ServerResponse): keep-alive and
 *                 pipelining, chunked both ways, limits (431/414/413), header/request/
 *                 keep-alive/drain timeouts, a connection cap.
 * - `fetch-handler.ts`  serves a `{ fetch(request) }` handler (Workers/Deno/Bun style).
 * - `fetch.ts`    the `fetch()` client for http:// (DNS, keep-alive pool, timeouts, redirects).
 * - `client.ts`   Node's `http.ClientRequest`: the body streamed to the socket (chunked or
 *                 Content-Length as Node frames it), the response an IncomingMessage.
 * - `agent.ts`    Node's `http.Agent`: sockets per `host:port:`, keep-alive pool, queueing.
 * - `node-http.ts` the `node:http` module object (os/node/http.ts wires it to the image's net).
 *
 * Guarantees: every wait has a timer, every buffer a cap; a bad request gets its 4xx and a
 * closed connection; the handler's exceptions become 500s.
 */
export { createServerFactory, Server, IncomingMessage, ServerResponse, STATUS_CODES, type ServerOptions, type HttpEnv } from './server.ts';
export { createFetch, type FetchClient, type FetchClientOptions } from './fetch.ts';
export { serveFetch, createFetchListener, toRequest, sendResponse, type FetchHandler } from './fetch-handler.ts';
export { createNodeHttp } from './node-http.ts';
