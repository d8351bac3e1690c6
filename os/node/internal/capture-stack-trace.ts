/**
 * V8's stack trace API (`Error.captureStackTrace`, `Error.prepareStackTrace` with call-site
 * objects, `Error.stackTraceLimit`) for engines that lack it. npm packages call it at load
 * time (depd, used by express and body-parser, reads its caller's file through call sites).
 * Where the engine has its own (quickjs-ng), only the call-site methods it lacks are added
 * (depd calls `isEval`); otherwise `captureStackTrace` is defined here, with call sites parsed
 * from the engine's `stack` text, so they name what it names.
 */
interface CallSite {
  getFileName(): string | undefined; getLineNumber(): number | null; getColumnNumber(): number | null; getFunctionName(): string | null;
  getTypeName(): string | null; getMethodName(): string | null; getThis(): undefined; getFunction(): undefined; getEvalOrigin(): undefined;
  isEval(): boolean; isNative(): boolean; isToplevel(): boolean; isConstructor(): boolean; isAsync(): boolean; isPromiseAll(): boolean;
  getPromiseIndex(): null; getScriptNameOrSourceURL(): string | undefined; toString(): string;
}

function callSite(line: string): CallSite | undefined {
  const m = /^\s*at (?:(.*?) \((.*?)(?::(\d+))?(?::(\d+))?\)|(.*?)(?::(\d+))?(?::(\d+))?)$/.exec(line);
  if (!m) return undefined;
  const fn = m[1] && m[1] !== '<anonymous>' ? m[1] : null;
  const file = m[2] ?? m[5];
  const ln = m[3] ?? m[6], col = m[4] ?? m[7];
  return {
    getFileName: () => file, getLineNumber: () => (ln ? Number(ln) : null), getColumnNumber: () => (col ? Number(col) : null),
    getFunctionName: () => fn, getTypeName: () => null, getMethodName: () => null, getThis: () => undefined, getFunction: () => undefined,
    getEvalOrigin: () => undefined, isEval: () => false, isNative: () => file === 'native', isToplevel: () => fn === null,
    isConstructor: () => false, isAsync: () => false, isPromiseAll: () => false, getPromiseIndex: () => null,
    getScriptNameOrSourceURL: () => file, toString: () => line.trim().slice(3),
  };
}

type ErrorCtor = ErrorConstructor & {
  captureStackTrace?: (target: object, ctor?: Function) => void;
  prepareStackTrace?: (err: unknown, sites: CallSite[]) => unknown;
  stackTraceLimit?: number;
};
const E = Error as ErrorCtor;
/** V8's CallSite methods with the answers a bundled, eval-free program gets. */
const CALLSITE_DEFAULTS: Record<string, (this: { getFileName?(): unknown; getFunctionName?(): unknown }) => unknown> = {
  getFileName() { return undefined; }, getLineNumber() { return null; }, getColumnNumber() { return null; },
  getFunctionName() { return null; }, getTypeName() { return null; }, getMethodName() { return null; }, getThis() { return undefined; },
  getFunction() { return undefined; }, getEvalOrigin() { return undefined; }, isEval() { return false; }, isNative() { return false; },
  isToplevel() { return false; }, isConstructor() { return false; }, isAsync() { return false; }, isPromiseAll() { return false; },
  getPromiseIndex() { return null; }, getScriptNameOrSourceURL() { return this.getFileName?.(); },
};

if (typeof E.captureStackTrace === 'function') {
  const saved = E.prepareStackTrace;
  let sites: unknown[] = [];
  try {
    E.prepareStackTrace = (_e, s) => { sites = s; return ''; };
    void new Error().stack;
  } finally { E.prepareStackTrace = saved; }
  const proto = sites[0] !== null && typeof sites[0] === 'object' ? Object.getPrototypeOf(sites[0]) as Record<string, unknown> : undefined;
  if (proto && proto !== Object.prototype) {
    for (const [k, f] of Object.entries(CALLSITE_DEFAULTS)) {
      if (typeof proto[k] !== 'function') Object.defineProperty(proto, k, { value: f, writable: true, configurable: true });
    }
  }
} else {
  if (E.stackTraceLimit === undefined) E.stackTraceLimit = 10;
  E.captureStackTrace = function captureStackTrace(target: object, _ctor?: Function): void {
    const raw = String(new Error().stack ?? '');
    const lines = raw.split('\n').filter((l) => /^\s*at /.test(l)).slice(1, 1 + (E.stackTraceLimit ?? 10));
    const prepare = E.prepareStackTrace;
    let value: unknown;
    if (typeof prepare === 'function') value = prepare(target, lines.map(callSite).filter((s): s is CallSite => !!s));
    else {
      const head = target instanceof Error ? `${target.name}: ${target.message}` : String(target);
      value = [head, ...lines].join('\n');
    }
    Object.defineProperty(target, 'stack', { value, writable: true, configurable: true, enumerable: false });
  };
}
export {};
