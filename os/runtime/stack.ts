/**
 * Error stacks in Node's shape, with frames mapped to the program's TypeScript sources.
 *
 * QuickJS writes `err.stack` eagerly at construction as frames only ("    at f (app.js:3:9)\n",
 * no "Name: message" header, trailing newline). Before an error is printed (console,
 * util.inspect, uncaught), `fixErrorStack` rewrites such a stack once to
 * "Name: message\n    at f (src/app.ts:2:5)" — Node's shape, as under --enable-source-maps.
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
  const raw = isRawQuickJsStack(desc.value);
  if (!raw && !getMap()) return;
  const lines = desc.value.split('\n');
  if (raw) lines.unshift(header(err));
  const value = lines.filter((l, i) => l !== '' || i === 0).map(mapFrame).join('\n');
  try {
    Object.defineProperty(err, 'stack', { value, writable: true, configurable: true, enumerable: desc.enumerable });
  } catch {
    // a frozen error keeps its stack
  }
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
