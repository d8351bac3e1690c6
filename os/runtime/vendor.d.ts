// Deep imports of the npm `events` and `buffer` packages, so a build that aliases the bare
// names `events`/`buffer` to os/node/*.ts cannot make those files import themselves.
declare module 'events/events.js' {
  import EventEmitter from 'events';
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
