/**
 * util.inspect / util.format: Node's own implementation (npm `node-inspect-extracted`),
 * with QuickJS error stacks rewritten into Node's shape first (stack.ts).
 *
 * Known differences from Node 20 (engine limits, see README.md): a Promise prints as
 * `Promise { <pending> }` whatever its state; symbol keys print without brackets;
 * generator methods print as `[Function: h] GeneratorFunction`; ArrayBuffer/DataView
 * print their byte fields in brackets.
 */
import type * as NI from 'node-inspect-extracted';
import { lazyInspect } from './lazy.ts';
import { fixErrorsDeep } from './stack.ts';

export type InspectOptions = NI.InspectOptions;

export function inspect(value: unknown, opts?: InspectOptions | boolean, ...rest: unknown[]): string {
  fixErrorsDeep(value);
  return (lazyInspect().inspect as (v: unknown, ...a: unknown[]) => string)(value, opts, ...rest);
}
// Node's well-known symbol (the same one node-inspect-extracted uses).
inspect.custom = Symbol.for('nodejs.util.inspect.custom') as typeof NI.inspect.custom;
for (const key of ['defaultOptions', 'colors', 'styles'] as const) {
  Object.defineProperty(inspect, key, {
    enumerable: true,
    get: () => lazyInspect().inspect[key],
    set: (v: unknown) => { (lazyInspect().inspect as unknown as Record<string, unknown>)[key] = v; },
  });
}
export declare namespace inspect {
  let defaultOptions: NI.InspectOptions;
  let colors: typeof NI.inspect.colors;
  let styles: typeof NI.inspect.styles;
}

/** util.format. Only strings and no format directives: joined as Node does, without inspect. */
export function format(...args: unknown[]): string {
  if (args.every((a) => typeof a === 'string') && !(args[0] as string | undefined)?.includes('%')) return args.join(' ');
  for (const a of args) fixErrorsDeep(a);
  return lazyInspect().format(...args);
}

export function formatWithOptions(opts: InspectOptions, ...args: unknown[]): string {
  for (const a of args) fixErrorsDeep(a);
  return lazyInspect().formatWithOptions(opts, ...args);
}

export const stripVTControlCharacters = (s: string): string => lazyInspect().stripVTControlCharacters(s);
