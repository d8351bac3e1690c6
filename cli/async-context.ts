/**
 * Async context across `await` (node:async_hooks' AsyncLocalStorage) for programs that use it.
 *
 * quickjs-ng 0.16.2's JS_SetPromiseHook cannot carry a context across a native `await`: it
 * reports INIT (a promise is made), RESOLVE, and BEFORE/AFTER only around the job that
 * resolves a promise with a thenable; the reaction job that resumes an async function after
 * `await` (promise_reaction_job -> js_async_function_resume) runs with no hook at all, and an
 * `await` of a native promise makes no new promise. So when the bundle imports node:async_hooks
 * the builder lowers `async`/`await`, async generators and `for await` in the program's own files
 * to generators driven through `Promise.prototype.then`; os/node/async_hooks.ts binds every
 * `then` reaction to the context current where it was registered, which for lowered code is the
 * `await` itself. npm packages and the OS keep native await: libraries read the prototypes of
 * async functions at load time (node-inspect-extracted does), which lowering changes, so an
 * `await` inside a package resumes in the context its promise settled in. A file with a
 * top-level await cannot be lowered (esbuild), keeps native await and gets a build warning.
 * Programs that do not import async_hooks keep native await everywhere and pay nothing.
 * Cost measured in bench/als.ts (bench/RESULTS.md).
 */
import type { Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OS_DIR } from './paths.ts';

/** esbuild's `supported` table that lowers every native await but the top level's (an ES module keeps it). */
export const LOWER_AWAIT = { 'async-await': false, 'async-generator': false, 'for-await': false, 'top-level-await': true } as const;

const ASYNC_HOOKS = path.join(OS_DIR, 'node', 'async_hooks.ts');

/** Whether a bundle whose metafile inputs are `inputs` (relative to `baseDir`) imports node:async_hooks. */
export function usesAsyncContext(inputs: Iterable<string>, baseDir: string): boolean {
  for (const f of inputs) if (path.resolve(baseDir, f) === ASYNC_HOOKS) return true;
  return false;
}

/** esbuild refuses to lower `await` in a module that also awaits at its top level. */
export const isTopLevelAwaitError = (message: string): boolean => /Top-level await is not available/.test(message);

/** The build warning for a program built with native await after all (the first place named). */
export function topLevelAwaitWarning(message: string): string {
  const where = /^([^\n:]+:\d+):/.exec(message)?.[1] ?? 'the program';
  return `${where} uses top-level await: AsyncLocalStorage does not follow native await in this image (move the top-level awaits into an async function)`;
}

const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' } as const;

/**
 * The esbuild plugin that lowers await in the program's own files (not node_modules, not os/);
 * `onWarning` gets one message per file left native because of a top-level await.
 */
export function lowerAwaitPlugin(onWarning: (message: string) => void): Plugin {
  return {
    name: 'nimbus-lower-await',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        const file = args.path;
        if (file.startsWith(OS_DIR + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const loader = LOADERS[path.extname(file) as keyof typeof LOADERS];
        if (!loader) return undefined;
        const source = readFileSync(file, 'utf8');
        if (!/\b(async|await)\b/.test(source)) return undefined;
        const { transform } = await import('esbuild');
        try {
          const r = await transform(source, { loader, sourcefile: file, sourcemap: 'inline', keepNames: true, target: 'es2023', supported: LOWER_AWAIT });
          return { contents: r.code, loader: 'js', resolveDir: path.dirname(file) };
        } catch (e) {
          const text = (e as { errors?: { text: string; location?: { line: number } }[] }).errors?.[0];
          if (!text || !isTopLevelAwaitError(text.text)) throw e;
          onWarning(topLevelAwaitWarning(`${path.relative(process.cwd(), file)}:${text.location?.line ?? 0}: ${text.text}`));
          return undefined;
        }
      });
    },
  };
}
