/**
 * util.inspect / util.format: Node's own implementation (npm `node-inspect-extracted`),
 * with QuickJS error stacks rewritten into Node's shape first (stack.ts).
 *
 * Known differences from Node 20 (engine limits, see README.md): a Promise prints as
 * `Promise { <pending> }` whatever its state; symbol keys print without brackets;
 * generator methods print as `[Function: h] GeneratorFunction`; ArrayBuffer/DataView
 * print their byte fields in brackets.
 */
import * as ni from 'node-inspect-extracted';
import { fixErrorsDeep } from './stack.ts';

export type InspectOptions = ni.InspectOptions;

export function inspect(value: unknown, opts?: InspectOptions | boolean, ...rest: unknown[]): string {
  fixErrorsDeep(value);
  return (ni.inspect as (v: unknown, ...a: unknown[]) => string)(value, opts, ...rest);
}
inspect.custom = ni.inspect.custom;
inspect.defaultOptions = ni.inspect.defaultOptions;
inspect.colors = ni.inspect.colors;
inspect.styles = ni.inspect.styles;

export function format(...args: unknown[]): string {
  for (const a of args) fixErrorsDeep(a);
  return ni.format(...args);
}

export function formatWithOptions(opts: InspectOptions, ...args: unknown[]): string {
  for (const a of args) fixErrorsDeep(a);
  return ni.formatWithOptions(opts, ...args);
}

export const stripVTControlCharacters: (s: string) => string = ni.stripVTControlCharacters;
