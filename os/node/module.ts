/**
 * node:module: `builtinModules` (the building Node's list, put in by the build), `isBuiltin`,
 * and `createRequire`, whose require finds the modules bundled under the names the program
 * imported statically (registered by the build), and otherwise fails as Node does (MODULE_NOT_FOUND).
 */
declare const __nimbus_builtin_modules: string[] | undefined;
export const builtinModules: string[] = typeof __nimbus_builtin_modules !== 'undefined' ? __nimbus_builtin_modules : [];
export const isBuiltin = (name: string): boolean => builtinModules.includes(name.replace(/^node:/, '')) || /^node:(test|sea|sqlite)$/.test(name);

export function createRequire(_from: string | URL): NodeJS.Require {
  const req = (id: string) => {
    const e = new Error(`Cannot find module '${id}'\nA Nimbus image has only the modules the build bundled: import '${id}' statically.`) as Error & { code: string };
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  };
  req.resolve = (id: string) => req(id);
  req.cache = {};
  req.main = undefined;
  return req as unknown as NodeJS.Require;
}
export class Module { static builtinModules = builtinModules; static createRequire = createRequire; static isBuiltin = isBuiltin; }
export const register = (): void => {};
export const syncBuiltinESMExports = (): void => {};
export const findSourceMap = (): undefined => undefined;
export default Object.assign(Module, { builtinModules, createRequire, isBuiltin, register, syncBuiltinESMExports, findSourceMap, Module });
