/**
 * Builds the `node:http` module object over an injected `net` (and, for node:https, a TLS
 * connector), so os/node/http.ts is a few lines of wiring. Server side: everything in
 * server.ts. Client side: ClientRequest (client.ts) streaming over the sockets of an Agent
 * (agent.ts); `globalAgent` is Node 20's, `keepAlive: true` with a 5 s idle timeout.
 */
import { createServerFactory, type HttpEnv, Server } from './server.ts';
import { IncomingMessage } from './incoming.ts';
import { ServerResponse, validateHeaderName, validateHeaderValue } from './response.ts';
import { STATUS_CODES, METHODS } from './status.ts';
import type { TlsConnect } from './fetch.ts';
import { createAgentClass, defaultConnect, type Agent } from './agent.ts';
import { createClientRequestClass, type ClientRequestOptions, type ResponseCallback, type ClientRequest } from './client.ts';

export interface NodeHttpEnv extends HttpEnv {
  /** Unused by the client since net.connect resolves names itself; kept for callers. */
  readonly lookup?: (hostname: string) => Promise<string>;
  /** 'https:' for node:https (the client then needs `tls`). */
  readonly protocol?: 'http:' | 'https:';
  readonly tls?: TlsConnect;
}

export type { ClientRequestOptions };

export function createNodeHttp(env: NodeHttpEnv) {
  const { Server: BoundServer, createServer } = createServerFactory(env);
  const protocol = env.protocol ?? 'http:';
  const Agent = createAgentClass(env.net, protocol, env.tls);
  // Node 20: new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }).
  const mod = { globalAgent: new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }) as Agent };
  const ClientRequest = createClientRequestClass({
    protocol,
    globalAgent: () => mod.globalAgent,
    AgentClass: Agent,
    connect: defaultConnect(env.net, protocol, env.tls),
    wrapChunk: env.wrapChunk,
    encode: env.encode,
  });

  type Input = string | URL | ClientRequestOptions;
  function request(url: Input, options?: ClientRequestOptions | ResponseCallback, cb?: ResponseCallback): ClientRequest {
    return new ClientRequest(url, options, cb);
  }
  function get(url: Input, options?: ClientRequestOptions | ResponseCallback, cb?: ResponseCallback): ClientRequest {
    const r = new ClientRequest(url, options, cb);
    r.end();
    return r;
  }

  return Object.assign(mod, {
    createServer,
    Server: BoundServer,
    IncomingMessage,
    ServerResponse,
    ClientRequest,
    Agent,
    STATUS_CODES,
    METHODS: [...METHODS],
    maxHeaderSize: 16384,
    request,
    get,
    validateHeaderName,
    validateHeaderValue,
    /** Node pools llhttp parser objects; ours are plain objects, so only the argument is checked. */
    setMaxIdleHTTPParsers(max: number): void {
      if (!Number.isInteger(max) || max < 1) {
        throw Object.assign(new RangeError(`The value of "max" is out of range. It must be >= 1 && <= 9007199254740991. Received ${max}`), { code: 'ERR_OUT_OF_RANGE' });
      }
    },
  });
}

export { Server };
