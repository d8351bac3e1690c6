/**
 * Error stacks in Node's shape, with frames mapped to the program's TypeScript sources.
 *
 * quickjs-ng captures an error's stack at construction as frames only ("    at f (app.js:3:9)\n",
 * no "Name: message" header, trailing newline). `installStackAccessor` makes every error's
 * `stack` read as "Name: message\n    at f (src/app.ts:2:5)" — Node's shape, as under
 * --enable-source-maps — rewriting it on first read; before an error is printed (console,
 * util.inspect, uncaught), `fixErrorStack` does the same for raw stacks stored as own properties.
 *
 * Mapping is lazy (the source map from `hw.sourceMap()` is parsed at the first error)
 * and never fails: a missing or bad map, or a frame the map does not cover, leaves the
 * frame as QuickJS wrote it.
 */
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

let mapText: () => string | undefined = () => undefined;
let traceMap: TraceMap | null | undefined; // undefined: not parsed yet; null: unusable
const fixed = new WeakSet<object>();

/** Where the source map comes from (the prelude passes `() => hw.sourceMap()`). */
export function setSourceMapProvider(fn: () => string | undefined): void {
  mapText = fn;
  traceMap = undefined;
}

function getMap(): TraceMap | null {
  if (traceMap !== undefined) return traceMap;
  try {
    const text = mapText();
    traceMap = text ? new TraceMap(text) : null;
  } catch {
    traceMap = null;
  }
  return traceMap;
}

// "    at name (file:line:col)" | "    at file:line:col"
const FRAME_NAMED = /^(\s*at )(.*) \((.+):(\d+):(\d+)\)$/;
const FRAME_BARE = /^(\s*at )(.+):(\d+):(\d+)$/;

/** Map one stack line through the source map; returns it unchanged when it cannot. */
export function mapFrame(line: string): string {
  const named = FRAME_NAMED.exec(line);
  const bare = named ? null : FRAME_BARE.exec(line);
  if (!named && !bare) return line;
  const map = getMap();
  if (!map) return line;
  const [prefix, name, , l, c] = named ? named.slice(1) : [bare![1], undefined, bare![2], bare![3], bare![4]];
  try {
    // QuickJS columns are 1-based; trace-mapping wants 0-based columns, 1-based lines.
    const pos = originalPositionFor(map, { line: Number(l), column: Math.max(0, Number(c) - 1) });
    if (pos.source == null || pos.line == null || pos.column == null) return line;
    const where = `${pos.source}:${pos.line}:${pos.column + 1}`;
    return name === undefined ? `${prefix}${where}` : `${prefix}${name} (${where})`;
  } catch {
    return line;
  }
}

/** True for a stack QuickJS wrote and nobody rewrote (frames only, or empty). */
function isRawQuickJsStack(stack: unknown): stack is string {
  return typeof stack === 'string' && (stack === '' || stack.startsWith('    at '));
}

/** The "Name: message" header Node puts on the first line of a stack. */
function header(err: Error): string {
  let name: unknown, message: unknown;
  try {
    name = err.name;
    message = err.message;
  } catch {
    return 'Error';
  }
  const n = name === undefined ? 'Error' : String(name);
  const m = message === undefined ? '' : String(message);
  return n === '' ? m : m === '' ? n : `${n}: ${m}`;
}

/**
 * Rewrite a stack in place into Node's shape (once per error): a raw QuickJS stack gets
 * its "Name: message" header; in any stack, frames are mapped through the source map.
 */
export function fixErrorStack(err: unknown): void {
  if (typeof err !== 'object' || err === null || fixed.has(err) || !(err instanceof Error)) return;
  fixed.add(err);
  const desc = Object.getOwnPropertyDescriptor(err, 'stack');
  if (!desc || !('value' in desc) || !desc.writable || typeof desc.value !== 'string') return;
  const value = nodeShapedStack(err, desc.value);
  if (value === desc.value) return;
  try {
    Object.defineProperty(err, 'stack', { value, writable: true, configurable: true, enumerable: desc.enumerable });
  } catch {
    // a frozen error keeps its stack
  }
}

/** `stack` in Node's shape: a header for a raw QuickJS stack, frames source-mapped. */
function nodeShapedStack(err: Error, stack: string): string {
  const raw = isRawQuickJsStack(stack);
  if (!raw && !getMap()) return stack;
  // Not the program's frames: the captureStackTrace wrapper's own, and the position inside
  // the text that quickjs-ng reports for JSON.parse as a frame ("    at <input>:1:2").
  const lines = stack.split('\n').filter((l) => !l.includes(CAPTURE_WRAPPER) && !l.startsWith('    at captureStackTrace (') && !/^ {4}at <input>:\d+:\d+$/.test(l));
  if (raw) lines.unshift(header(err));
  return lines.filter((l, i) => l !== '' || i === 0).map(mapFrame).join('\n');
}

/** The name of the captureStackTrace wrapper below, so its frame can be left out of stacks. */
const CAPTURE_WRAPPER = 'nimbusCaptureStackTrace';

/**
 * Make a raw own `stack` data property (as `Error.captureStackTrace` writes it) read in Node's
 * shape: replace it with an accessor that rewrites it on first read.
 */
export function makeStackLazy(err: unknown): void {
  if (typeof err !== 'object' || err === null) return;
  const desc = Object.getOwnPropertyDescriptor(err, 'stack');
  if (!desc || !('value' in desc) || !desc.configurable || typeof desc.value !== 'string') return;
  let value: unknown = desc.value;
  let shaped = false;
  try {
    Object.defineProperty(err, 'stack', {
      configurable: true,
      enumerable: desc.enumerable ?? false,
      get(this: Error) {
        if (!shaped) {
          shaped = true;
          if (typeof value === 'string') value = nodeShapedStack(this, value);
        }
        return value;
      },
      set(v: unknown) {
        shaped = true;
        value = v;
      },
    });
  } catch {
    // non-extensible or frozen: keep the raw stack
  }
}

/**
 * Make `err.stack` read in Node's shape for every error, the engine's own included.
 *
 * quickjs-ng keeps an error's stack (frames only, bundle positions) in the error's internal
 * slot and reads it through an accessor on `Error.prototype`. We replace that accessor with one
 * that rewrites the raw stack once, on first read (header + source-mapped frames), and caches
 * the result; a stack the program assigns becomes an own data property, as in Node.
 * `Error.captureStackTrace(obj)` writes an own data property; its wrapper makes that lazy too.
 * Does nothing on an engine without the accessor (V8 in tests).
 */
export function installStackAccessor(target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): void {
  const ErrorCtor = target.Error as ErrorConstructor & { captureStackTrace?: (o: object, f?: Function) => void; stackTraceLimit?: number };
  const desc = Object.getOwnPropertyDescriptor(ErrorCtor.prototype, 'stack');
  if (!desc || typeof desc.get !== 'function' || typeof desc.set !== 'function') return;
  const nativeGet = desc.get, nativeSet = desc.set;
  const shapedStacks = new WeakMap<object, unknown>();
  Object.defineProperty(ErrorCtor.prototype, 'stack', {
    configurable: true,
    enumerable: false,
    get(this: Error) {
      if (shapedStacks.has(this)) return shapedStacks.get(this);
      const raw: unknown = nativeGet.call(this);
      if (typeof raw !== 'string' || typeof this !== 'object' || this === null) return raw;
      const value = nodeShapedStack(this, raw);
      shapedStacks.set(this, value);
      return value;
    },
    set(this: Error, v: unknown) {
      shapedStacks.delete(this);
      nativeSet.call(this, v);
    },
  });

  const nativeCapture = ErrorCtor.captureStackTrace;
  if (typeof nativeCapture !== 'function') return;
  const wrappers = {
    [CAPTURE_WRAPPER](obj: object, constructorOpt?: Function): void {
      // Our own frame is on the stack below the caller's: give the limit one more frame.
      const limit = ErrorCtor.stackTraceLimit;
      const bump = typeof limit === 'number' && constructorOpt === undefined && limit < Infinity;
      if (bump) ErrorCtor.stackTraceLimit = limit + 1;
      try {
        nativeCapture.call(ErrorCtor, obj, constructorOpt);
      } finally {
        if (bump) ErrorCtor.stackTraceLimit = limit;
      }
      // A user's Error.prepareStackTrace decided the value: leave it as it is.
      if (typeof (ErrorCtor as { prepareStackTrace?: unknown }).prepareStackTrace !== 'function') makeStackLazy(obj);
    },
  };
  Object.defineProperty(ErrorCtor, 'captureStackTrace', {
    value: wrappers[CAPTURE_WRAPPER], writable: true, configurable: true, enumerable: false,
  });
  Object.defineProperty(wrappers[CAPTURE_WRAPPER], 'name', { value: 'captureStackTrace' });
}

/**
 * Fix every error reachable from `value` that inspect would print: own properties,
 * array items, Map/Set entries, `cause` and AggregateError's `errors`, to `depth` levels.
 */
export function fixErrorsDeep(value: unknown, depth = 4): void {
  const seen = new Set<object>();
  let budget = 2000; // bound the walk on huge structures; inspect truncates them anyway
  const walk = (v: unknown, d: number): void => {
    if (typeof v !== 'object' || v === null || seen.has(v) || --budget < 0) return;
    seen.add(v);
    if (v instanceof Error) {
      fixErrorStack(v);
      const cause = Object.getOwnPropertyDescriptor(v, 'cause');
      if (cause && 'value' in cause) walk(cause.value, d);
    }
    if (d <= 0 || ArrayBuffer.isView(v)) return;
    try {
      if (v instanceof Map) { for (const [k, x] of v) { walk(k, d - 1); walk(x, d - 1); } return; }
      if (v instanceof Set) { for (const x of v) walk(x, d - 1); return; }
      for (const k of Object.keys(v)) {
        const desc = Object.getOwnPropertyDescriptor(v, k);
        if (desc && 'value' in desc) walk(desc.value, d - 1);
      }
    } catch {
      // proxies and exotic objects: stop here
    }
  };
  walk(value, depth);
}
