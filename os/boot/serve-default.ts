/**
 * Serving a module whose default export is `{ fetch(request) }` (the Workers/Deno/Bun
 * convention, e.g. a Hono app): on port 80, or the PORT environment variable's port.
 */
import { createServer } from '../node/http.ts';
import { serveFetch } from '../http/fetch-handler.ts';
import type { ServerOptions } from '../http/server.ts';

type Handler = { fetch(request: Request): Response | Promise<Response> };

export function serveDefaultExport(program: { default?: unknown }): void {
  const handler = program.default as Partial<Handler> | undefined;
  if (!handler || typeof handler.fetch !== 'function') return;
  const port = Number(process.env.PORT ?? 80);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`PORT must be a port number (0-65535), got '${process.env.PORT}'`);
  }
  const server = serveFetch(createServer as (options?: ServerOptions) => never, handler as Handler, { port }, () => {
    console.log(`Listening on http://0.0.0.0:${port}/`);
  });
  void server;
}
