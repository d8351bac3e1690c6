/**
 * How `nimbus build` resolves Node's built-in module names (DESIGN decision 8: every built-in
 * name resolves). For a name `x` (`node:x`, bare `x`, subpaths such as `fs/promises`):
 *   1. os/node/<x with '/' as '-'>.ts, when the image implements the module;
 *   2. otherwise a generated module with the same exports as the building Node's module:
 *      constants copied, functions and classes present but throwing ERR_NIMBUS_UNSUPPORTED
 *      when called (os/node/unsupported.ts). The build warns once per such module, naming
 *      the packages that import it.
 * A `node:` name that is no built-in of the building Node is a build error.
 */
import type { Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import tls from 'node:tls';
import { OS_DIR } from './paths.ts';

/** Built-ins that exist only with the `node:` prefix (not listed in builtinModules). */
const PREFIX_ONLY = ['test', 'test/reporters', 'sea', 'sqlite'];

/** Bare built-in names of the building Node, e.g. `fs`, `fs/promises`, `_http_agent`. */
export function builtinNames(): Set<string> {
  return new Set(builtinModules.map((m) => m.replace(/^node:/, '')));
}

/**
 * npm packages that exist to stand in for a built-in on other platforms, written with a
 * trailing slash by Node's ports (readable-stream, assert): the image's own module is used,
 * so a program has one Buffer, one EventEmitter and one process.
 */
const SHIM_ALIASES: Record<string, string> = {
  'process/': 'process', 'string_decoder/': 'string_decoder', 'buffer/': 'buffer', 'events/': 'events', 'util/': 'util',
};

/** npm packages that stand in for a web API the image has: its own module is used. */
const SHIM_FILES: Record<string, string> = { 'abort-controller': path.join(OS_DIR, 'web', 'abort.ts') };

/** Why a module cannot work in the image, for its error messages. */
const WHY: Record<string, string> = {
  child_process: 'a Nimbus image runs one program and cannot start processes',
  cluster: 'a Nimbus image runs one process on one core',
  worker_threads: 'a Nimbus image runs one thread',
  http2: 'HTTP/2 is not implemented in Nimbus yet',
  inspector: 'a Nimbus image has no inspector',
  repl: 'a Nimbus image has no terminal to read from',
  vm: 'a Nimbus image has no separate contexts',
  wasi: 'a Nimbus image has no WASI host',
  trace_events: 'a Nimbus image has no trace event sink',
  readline: 'a Nimbus image has no terminal to read from',
  'readline/promises': 'a Nimbus image has no terminal to read from',
};
export const whyUnsupported = (name: string): string => WHY[name] ?? `node:${name} is not available in a Nimbus image`;

/** The image's implementation of built-in `name`, if it has one. */
export function implementation(name: string): string | undefined {
  const p = path.join(OS_DIR, 'node', `${name.replace(/\//g, '-')}.ts`);
  return existsSync(p) ? p : undefined;
}

/** The npm package (or, outside node_modules, the file) that `importer` belongs to. */
export function importingPackage(importer: string, cwd = process.cwd()): string {
  const parts = importer.split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  if (i >= 0 && parts[i + 1]) return parts[i + 1]!.startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1]!;
  return path.relative(cwd, importer) || importer;
}

export interface ExportShape { [key: string]: { kind: 'function' | 'class'; extendsEmitter?: boolean } | { kind: 'value'; json: string } | { kind: 'symbol'; description: string } | { kind: 'object'; members: ExportShape } }

/** Reads the export shape of the building Node's module `name` in a child process (no side effects here). */
export function hostExportShape(name: string): ExportShape {
  const script = `
    const EE = require('node:events');
    const plain = (v) => v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v));
    const isClass = (k, f) => /^class\\b/.test(Function.prototype.toString.call(f)) || (/^[A-Z]/.test(k) && f.prototype && Object.getOwnPropertyNames(f.prototype).length > 1);
    function shape(obj, depth) {
      const out = {};
      for (const k of Object.keys(obj)) {
        let v; try { v = obj[k]; } catch { continue; }
        if (typeof v === 'function') out[k] = isClass(k, v) ? { kind: 'class', extendsEmitter: v.prototype instanceof EE } : { kind: 'function' };
        else if (typeof v === 'symbol') out[k] = { kind: 'symbol', description: v.description ?? '' };
        else if (plain(v) || Array.isArray(v)) {
          let json; try { json = JSON.stringify(v); } catch {}
          if (json !== undefined && !Object.values(v).some((x) => typeof x === 'function')) out[k] = { kind: 'value', json };
          else if (depth > 0 && plain(v)) out[k] = { kind: 'object', members: shape(v, depth - 1) };
        } else if (v === undefined || typeof v !== 'object') out[k] = { kind: 'value', json: v === undefined ? 'undefined' : JSON.stringify(v) ?? 'undefined' };
      }
      return out;
    }
    process.stdout.write(JSON.stringify(shape(require('node:' + process.argv[1]), 2)));`;
  const out = execFileSync(process.execPath, ['--no-warnings', '-e', script, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as ExportShape;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** ES module text with `shape`'s exports, each function and class throwing ERR_NIMBUS_UNSUPPORTED. */
export function unsupportedModuleSource(name: string, shape: ExportShape): string {
  const lines = [
    `import { unsupportedFunction, unsupportedClass } from ${JSON.stringify(path.join(OS_DIR, 'node', 'unsupported.ts'))};`,
    `const why = ${JSON.stringify(whyUnsupported(name))};`,
  ];
  const expr = (qualified: string, s: ExportShape[string]): string => {
    switch (s.kind) {
      case 'function': return `unsupportedFunction(${JSON.stringify(qualified)}, why)`;
      case 'class': return `unsupportedClass(${JSON.stringify(qualified)}, why, ${s.extendsEmitter ? 'true' : 'false'})`;
      case 'symbol': return `Symbol(${JSON.stringify(s.description)})`;
      case 'value': return s.json;
      case 'object': return `{ ${Object.entries(s.members).map(([k, v]) => `${JSON.stringify(k)}: ${expr(`${qualified}.${k}`, v)}`).join(', ')} }`;
    }
  };
  const base = name.replace(/\//g, '.');
  const keys: string[] = [];
  for (const [k, s] of Object.entries(shape)) {
    if (k === 'default') continue;
    lines.push(`const _${keys.length} = ${expr(`${base}.${k}`, s)};`);
    keys.push(k);
  }
  lines.push(`export default { ${keys.map((k, i) => `${JSON.stringify(k)}: _${i}`).join(', ')} };`);
  const named = keys.map((k, i) => [k, i] as const).filter(([k]) => IDENT.test(k));
  if (named.length) lines.push(`export { ${named.map(([k, i]) => `_${i} as ${k}`).join(', ')} };`);
  return lines.join('\n') + '\n';
}

export interface NodeModulesPluginOptions {
  /** Called once per unsupported module the build links, with the packages importing it. */
  onUnsupported?: (name: string, importers: string[]) => void;
}

/** The esbuild plugin that applies the rules above. */
export function nodeModulesPlugin(opts: NodeModulesPluginOptions = {}): Plugin {
  const builtins = builtinNames();
  const importers = new Map<string, Set<string>>();
  const shapes = new Map<string, ExportShape>();
  return {
    name: 'nimbus-node-modules',
    setup(b) {
      b.onStart(() => importers.clear());
      b.onResolve({ filter: /^(node:)?[a-z_][a-z0-9_/-]*$/ }, (args) => {
        const fromOs = args.importer.startsWith(OS_DIR + path.sep);
        if (SHIM_FILES[args.path]) return { path: SHIM_FILES[args.path] };
        const prefixed = args.path.startsWith('node:');
        let bare = args.path.replace(/^node:/, '');
        if (!prefixed && SHIM_ALIASES[bare] && !fromOs) bare = SHIM_ALIASES[bare]!;
        else if (!prefixed && !builtins.has(bare)) return undefined;
        // The library OS's own node:* modules wrap npm packages of the same name (events, buffer).
        else if (!prefixed && fromOs) return undefined;
        if (prefixed && !builtins.has(bare) && !PREFIX_ONLY.includes(bare)) {
          return { errors: [{ text: `Cannot build: ${importingPackage(args.importer)} imports '${args.path}', which is not a Node built-in module` }] };
        }
        const impl = implementation(bare);
        // CommonJS `require('events')` must get the module's value (EventEmitter itself), not
        // an ES namespace object: such requires go through a one-line CommonJS wrapper. npm
        // packages get the wrapper for `import` too, so a named import the image lacks is
        // undefined at run time (as a missing property is in Node) instead of a build error.
        const fromPackage = /[/\\]node_modules[/\\]/.test(args.importer);
        if (impl) return args.kind === 'require-call' || fromPackage ? { path: impl, namespace: 'nimbus-cjs' } : { path: impl };
        if (!fromOs) {
          const set = importers.get(bare) ?? new Set<string>();
          set.add(importingPackage(args.importer));
          importers.set(bare, set);
        }
        return { path: bare, namespace: 'nimbus-unsupported' };
      });
      b.onLoad({ filter: /.*/, namespace: 'nimbus-cjs' }, (args) => ({
        contents: `const ns = require(${JSON.stringify(args.path)});\nconst d = ns.default;\n` +
          `if (d === null || (typeof d !== 'object' && typeof d !== 'function')) module.exports = ns;\n` +
          `else { for (const k of Object.keys(ns)) if (k !== 'default' && !(k in d)) d[k] = ns[k]; module.exports = d; }\n`,
        loader: 'js', resolveDir: OS_DIR,
      }));
      // The building Node's root store for node:tls (os/node/internal/tls-context.ts is its only importer,
      // so only TLS images carry it).
      b.onResolve({ filter: /^nimbus:root-certificates$/ }, () => ({ path: 'root-certificates', namespace: 'nimbus-roots' }));
      b.onLoad({ filter: /.*/, namespace: 'nimbus-roots' }, () => ({ contents: `export default ${JSON.stringify(tls.rootCertificates)};`, loader: 'js' }));
      b.onLoad({ filter: /.*/, namespace: 'nimbus-unsupported' }, (args) => {
        let shape = shapes.get(args.path);
        if (!shape) { shape = hostExportShape(args.path); shapes.set(args.path, shape); }
        return { contents: unsupportedModuleSource(args.path, shape), loader: 'js', resolveDir: OS_DIR };
      });
      b.onEnd(() => {
        for (const [name, set] of [...importers].sort(([a], [b]) => a.localeCompare(b))) opts.onUnsupported?.(name, [...set].sort());
      });
    },
  };
}

/** The build's warning line for an unsupported module. */
export function unsupportedWarning(name: string, importers: string[]): string {
  const who = importers.length > 3 ? `${importers.slice(0, 3).join(', ')} and ${importers.length - 3} more` : importers.join(', ');
  return `${who} ${importers.length > 1 ? 'import' : 'imports'} node:${name}: its functions throw in the image`;
}

/**
 * Compile-time constants of every build: NODE_ENV, the built-in list node:module reports, and
 * where bundled CommonJS modules think they are (`__dirname` is the working directory, `/`,
 * where included files are; DESIGN decision 12).
 */
export function nodeDefines(): Record<string, string> {
  return {
    'process.env.NODE_ENV': '"production"',
    __nimbus_builtin_modules: JSON.stringify(builtinModules.filter((m) => !m.startsWith('_'))),
    __dirname: '"/"',
    __filename: '"/app.js"',
    'import.meta.url': '"file:///app.js"',
    'import.meta.dirname': '"/"',
    'import.meta.filename': '"/app.js"',
  };
}
