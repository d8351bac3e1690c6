// Deep imports of the npm `events` and `buffer` packages, so a build that aliases the bare
// names `events`/`buffer` to os/node/*.ts cannot make those files import themselves.
// The npm `events` package's EventEmitter as the runtime uses it, declared here rather than
// borrowed from @types/node so that os/tsconfig.json (no Node types) can check the runtime.
declare module 'events/events.js' {
  type Listener = (...args: any[]) => void;
  class EventEmitter {
    on(event: string | symbol, listener: Listener): this;
    addListener(event: string | symbol, listener: Listener): this;
    prependListener(event: string | symbol, listener: Listener): this;
    once(event: string | symbol, listener: Listener): this;
    prependOnceListener(event: string | symbol, listener: Listener): this;
    off(event: string | symbol, listener: Listener): this;
    removeListener(event: string | symbol, listener: Listener): this;
    removeAllListeners(event?: string | symbol): this;
    emit(event: string | symbol, ...args: any[]): boolean;
    listeners(event: string | symbol): Function[];
    rawListeners(event: string | symbol): Function[];
    listenerCount(event: string | symbol): number;
    eventNames(): (string | symbol)[];
    setMaxListeners(n: number): this;
    getMaxListeners(): number;
  }
  export default EventEmitter;
}
declare module 'buffer/index.js' {
  export { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength } from 'buffer';
}
declare module 'readable-stream/lib/stream.js' {
  const Stream: unknown;
  export default Stream;
}
declare module 'readable-stream/lib/stream/promises.js' {
  const promises: unknown;
  export default promises;
}
declare module 'path-browserify/index.js' {
  const path: import('node:path').PlatformPath;
  export default path;
}
declare module 'assert/build/assert.js' {
  const assert: unknown;
  export default assert;
}
declare module 'url/url.js' {
  const legacy: unknown;
  export default legacy;
}
declare module 'punycode/punycode.js' {
  const p: unknown;
  export default p;
}
declare module 'ws' {
  export const WebSocketServer: any;
  export const WebSocket: any;
  const ws: any;
  export default ws;
}
