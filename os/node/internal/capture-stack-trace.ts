/**
 * V8's stack trace API (`Error.captureStackTrace`, `Error.prepareStackTrace` with call-site
 * objects, `Error.stackTraceLimit`) for engines that lack it. npm packages call it at load
 * time (depd, used by express and body-parser, reads its caller's file through call sites).
 * Installed only where the engine has no `Error.captureStackTrace` of its own (quickjs-ng
 * has one). Call sites come from parsing the engine's `stack` text, so they name what it names.
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
if (typeof E.captureStackTrace !== 'function') {
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
