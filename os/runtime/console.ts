/**
 * The console global, formatted as Node formats it (util.format/inspect from inspect.ts).
 * log/info/debug/dir/table → stdout; warn/error/trace/assert → stderr.
 * `console.table` prints like console.log (documented difference).
 */
import { format, inspect, type InspectOptions } from './inspect.ts';
import { fixErrorStack } from './stack.ts';

export interface WritableLike {
  write(chunk: string): unknown;
}

/** Node's console.time formatting: ms under a second, s under a minute, then m:ss.mmm. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000) {
    const hours = Math.floor(ms / 3_600_000);
    const minutes = Math.floor((ms % 3_600_000) / 60_000);
    const [s, frac] = ((ms % 60_000) / 1000).toFixed(3).split('.');
    const pad = (n: number | string): string => String(n).padStart(2, '0');
    return hours !== 0 ? `${hours}:${pad(minutes)}:${pad(s)}.${frac} (h:mm:ss.mmm)` : `${minutes}:${pad(s)}.${frac} (m:ss.mmm)`;
  }
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

export class Console {
  readonly #out: WritableLike;
  readonly #err: WritableLike;
  readonly #now: () => number;
  #indent = '';
  readonly #counts = new Map<string, number>();
  readonly #timers = new Map<string, number>();

  constructor(stdout: WritableLike | { stdout: WritableLike; stderr?: WritableLike }, stderr?: WritableLike, now: () => number = () => Date.now()) {
    if ('stdout' in stdout) {
      this.#out = stdout.stdout;
      this.#err = stdout.stderr ?? stdout.stdout;
    } else {
      this.#out = stdout;
      this.#err = stderr ?? stdout;
    }
    this.#now = now;
    // Node's console methods are bound: `const { log } = console` works.
    const proto = Console.prototype as unknown as Record<string, unknown>;
    for (const k of Object.getOwnPropertyNames(Console.prototype)) {
      if (k !== 'constructor' && typeof proto[k] === 'function') {
        Object.defineProperty(this, k, { value: (proto[k] as Function).bind(this), writable: true, configurable: true, enumerable: true });
      }
    }
  }

  #write(stream: WritableLike, text: string): void {
    if (this.#indent !== '') text = this.#indent + text.replace(/\n/g, `\n${this.#indent}`);
    stream.write(`${text}\n`);
  }

  log(...args: unknown[]): void { this.#write(this.#out, format(...args)); }
  info(...args: unknown[]): void { this.#write(this.#out, format(...args)); }
  debug(...args: unknown[]): void { this.#write(this.#out, format(...args)); }
  warn(...args: unknown[]): void { this.#write(this.#err, format(...args)); }
  error(...args: unknown[]): void { this.#write(this.#err, format(...args)); }
  dir(obj: unknown, options?: InspectOptions): void {
    this.#write(this.#out, inspect(obj, { customInspect: false, ...options }));
  }
  dirxml(...args: unknown[]): void { this.log(...args); }
  table(...args: unknown[]): void { this.log(...args); }

  trace(...args: unknown[]): void {
    const err = new Error(format(...args));
    err.name = 'Trace';
    fixErrorStack(err);
    // Drop our own frame so the first frame is the caller, as in Node.
    const lines = String(err.stack).split('\n');
    const frames = lines.filter((l) => /^\s+at /.test(l));
    const head = lines.filter((l) => !/^\s+at /.test(l)).join('\n');
    this.#write(this.#err, [head, ...frames.slice(1)].join('\n'));
  }

  assert(value: unknown, ...args: unknown[]): void {
    if (value) return;
    if (args.length === 0) this.warn('Assertion failed');
    else this.warn(`Assertion failed: ${args[0] as string}`, ...args.slice(1));
  }

  count(label: unknown = 'default'): void {
    const l = String(label);
    const n = (this.#counts.get(l) ?? 0) + 1;
    this.#counts.set(l, n);
    this.log(`${l}: ${n}`);
  }
  countReset(label: unknown = 'default'): void {
    const l = String(label);
    if (!this.#counts.has(l)) this.#warnLabel(l, 'countReset');
    else this.#counts.set(l, 0);
  }

  time(label: unknown = 'default'): void {
    const l = String(label);
    if (this.#timers.has(l)) {
      this.warn(`(node:1) Warning: Label '${l}' already exists for console.time()`);
      return;
    }
    this.#timers.set(l, this.#now());
  }
  timeEnd(label: unknown = 'default'): void {
    const l = String(label);
    if (this.#timeLog(l, 'timeEnd', [])) this.#timers.delete(l);
  }
  timeLog(label: unknown = 'default', ...data: unknown[]): void {
    this.#timeLog(String(label), 'timeLog', data);
  }
  #timeLog(l: string, fn: string, data: unknown[]): boolean {
    const start = this.#timers.get(l);
    if (start === undefined) {
      this.#warnLabel(l, fn);
      return false;
    }
    this.log(`${l}: ${formatDuration(this.#now() - start)}`, ...data);
    return true;
  }
  #warnLabel(l: string, fn: string): void {
    this.warn(`(node:1) Warning: No such label '${l}' for console.${fn}()`);
  }

  group(...label: unknown[]): void {
    if (label.length > 0) this.log(...label);
    this.#indent += '  ';
  }
  groupCollapsed(...label: unknown[]): void { this.group(...label); }
  groupEnd(): void { this.#indent = this.#indent.slice(0, -2); }
}
