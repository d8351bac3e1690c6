/**
 * `nimbus build`: bundle the program with the library OS (esbuild), compile the bundle to
 * QuickJS bytecode on the host, and write it into the prebuilt core (cli/image.ts).
 */
import type { Plugin, Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CORE_ELF, CORE_PACK, CORE_SIZES, OS_DIR, QJSC, ROOT } from './paths.ts';
import { writeImage } from './image.ts';
import { pruneSourceMap } from './sourcemap.ts';
import { nodeDefines, nodeModulesPlugin, unsupportedWarning } from './modules.ts';
import { lowerAwaitPlugin, usesAsyncContext } from './async-context.ts';
import { intlPlan, LocaleError, parseLocales, type IntlPlan } from './intl.ts';

export class BuildError extends Error {}

export interface BuildOptions {
  entry: string;
  output?: string;
  quiet?: boolean;
  /** Files or folders (relative to the entry's folder) put into the image, read-only (DESIGN decision 12). */
  include?: string[];
  /**
   * Locales whose CLDR data goes into the image besides `en` (`--locale de,fr`), for programs
   * that use Intl. A locale FormatJS has no data for is a build error.
   */
  locales?: string[];
  /** Keep line numbers in the bytecode (default true: stack traces need them). */
  debugInfo?: boolean;
}

export interface BuildResult {
  image: string;
  /** The Intl parts linked (cli/intl.ts), empty when the program uses none. */
  intl: string[];
  /** core and engine are file bytes: their code is LZ4-packed (coreCode: in memory and in the file). */
  sizes: {
    total: number; core: number; engine: number; os: number; program: number; sourceMap: number; included: number;
    coreCode?: { unpacked: number; packed: number };
  };
  /** One line per linked module whose functions throw in the image (cli/modules.ts). */
  warnings: string[];
}

/** The core's code in memory and packed (build/core-pack.json), when the core is packed. */
function corePacking(): { unpacked: number; packed: number } | undefined {
  try {
    const p = JSON.parse(readFileSync(CORE_PACK, 'utf8')) as { unpacked: number; packed: number };
    return { unpacked: p.unpacked, packed: p.packed };
  } catch {
    return undefined;
  }
}

function coreSplit(coreBytes: number): { core: number; engine: number } {
  try {
    const s = JSON.parse(readFileSync(CORE_SIZES, 'utf8')) as { core: number; engine: number };
    const total = s.core + s.engine;
    const engine = Math.round((coreBytes * s.engine) / total);
    return { core: coreBytes - engine, engine };
  } catch {
    return { core: coreBytes, engine: 0 };
  }
}

interface IncludedFile { imagePath: string; data: Buffer; mtimeMs: number }

/**
 * The files `--include` names, each a file or folder relative to the entry's folder, which is
 * the program's working directory (`/`) in the image. A missing path is a build error.
 */
export function collectIncludes(baseDir: string, include: string[]): IncludedFile[] {
  const out: IncludedFile[] = [];
  const walk = (abs: string) => {
    const st = statSync(abs);
    if (st.isDirectory()) for (const name of readdirSync(abs).sort()) walk(path.join(abs, name));
    else if (st.isFile()) out.push({ imagePath: '/' + path.relative(baseDir, abs).split(path.sep).join('/'), data: readFileSync(abs), mtimeMs: st.mtimeMs });
  };
  for (const p of include) {
    const abs = path.resolve(baseDir, p);
    if (!existsSync(abs)) throw new BuildError(`Cannot build: --include ${p}: no such file or folder (looked for ${abs})`);
    if (path.relative(baseDir, abs).startsWith('..')) throw new BuildError(`Cannot build: --include ${p} is outside the entry's folder ${baseDir}`);
    walk(abs);
  }
  return out;
}

/** The module that puts the included files into the image's volume (os/node/fs/volume.ts) at boot. */
function includedFilesSource(files: IncludedFile[]): string {
  const volume = JSON.stringify(path.join(OS_DIR, 'node', 'fs', 'volume.ts'));
  return [
    `import { currentVolume, bytesOfLatin1 } from ${volume};`,
    'const v = currentVolume();',
    // One byte per character: QuickJS keeps such strings at one byte each in the bytecode.
    ...files.map((f) => `v.addIncluded(${JSON.stringify(f.imagePath)}, bytesOfLatin1(${JSON.stringify(f.data.toString('latin1'))}), ${f.mtimeMs});`),
    '',
  ].join('\n');
}

export async function buildImage(opts: BuildOptions): Promise<BuildResult> {
  const entry = path.resolve(opts.entry);
  if (!existsSync(entry)) throw new BuildError(`Cannot build ${opts.entry}: no such file`);
  if (!existsSync(CORE_ELF) || !existsSync(QJSC)) {
    throw new BuildError(`Cannot build: the core is not built (${path.relative(process.cwd(), CORE_ELF)} is missing). Run \`make\` in ${ROOT}.`);
  }
  const included = collectIncludes(path.dirname(entry), opts.include ?? []);
  const output = path.resolve(opts.output ?? entry.replace(/\.[cm]?[jt]sx?$/, '') + '.img');
  const work = mkdtempSync(path.join(os.tmpdir(), 'nimbus-build-'));
  try {
    const warnings = new Map<string, string>();
    const plugin = nodeModulesPlugin({ onUnsupported: (name, importers) => warnings.set(name, unsupportedWarning(name, importers)) });
    const bundlePath = path.join(work, 'app.js');
    // Loaded on demand: `nimbus run image.img` should not pay for the bundler.
    const { build: esbuild } = await import('esbuild');
    const common = {
      bundle: true,
      format: 'esm' as const,
      platform: 'neutral' as const,
      target: 'es2023',
      mainFields: ['module', 'main'],
      conditions: ['nimbus', 'worker'],
      keepNames: true, // class and function names show in console output and stack traces
      logLevel: 'silent' as const,
      define: nodeDefines(),
      plugins: [plugin],
      absWorkingDir: path.dirname(entry),
      nodePaths: [path.join(ROOT, 'node_modules')],
    };
    const run = async <T>(f: () => Promise<T>): Promise<T> => {
      try {
        return await f();
      } catch (e) {
        const errors = (e as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors;
        if (errors?.length) {
          throw new BuildError(errors.map((er) => (er.location ? `${er.location.file}:${er.location.line}: ` : '') + er.text).join('\n'));
        }
        throw e;
      }
    };
    // Pass 1 (the program alone, not written): does it use the network, or export a default
    // that may be a fetch handler? Only then does the image carry drivers and the stack.
    const probe = await run(() => esbuild({ ...common, entryPoints: [entry], write: false, metafile: true, outfile: path.join(work, 'probe.js') }));
    const probeOut = Object.entries(probe.metafile.outputs).find(([name]) => name.endsWith('.js'))?.[1];
    const usesNetworkModules = Object.keys(probe.metafile.inputs).some((f) => /os[/\\](netservice|http|node[/\\](net|dgram|dns|http|tls))/.test(path.resolve(path.dirname(entry), f)));
    const hasDefault = probeOut?.exports.includes('default') ?? false;
    // Globals the web platform defines: included when the program's bundle names them.
    // (A word match errs on the side of including them; it never misses a direct use.)
    // Only the program's own sources and its npm dependencies count, not the OS's modules nor
    // the packages only they import (readable-stream names ReadableStream and AbortController:
    // counting it linked the web globals and fflate into every node:http image).
    const text = programInputs(probe.metafile, entry)
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const usesFetch = /\bfetch\b/.test(text);
    // fetch over TLS links node:tls and the root store: only when the program's own files say https/wss
    // (npm packages mention https in every licence URL).
    const usesHttps = usesFetch && Object.keys(probe.metafile.inputs).map((f) => path.resolve(path.dirname(entry), f))
      .filter((f) => !f.startsWith(OS_DIR + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`) && existsSync(f))
      .some((f) => /\b(https|wss)\b/.test(readFileSync(f, 'utf8')));
    const usesWeb = hasDefault || usesFetch || /\b(Request|Response|Headers|AbortController|AbortSignal|ReadableStream|WritableStream|TransformStream|Event|EventTarget|CustomEvent|Blob|File|MessageChannel|MessagePort|MessageEvent|BroadcastChannel|CompressionStream|DecompressionStream|TextEncoderStream|TextDecoderStream|FormData)\b/.test(text);
    const withNetwork = usesNetworkModules || hasDefault || usesFetch;
    // V8's stack API (npm packages such as depd call it at load time), for engines without it.
    const usesStackApi = /\b(captureStackTrace|prepareStackTrace)\b/.test(text);
    // AsyncLocalStorage across await: native await is lowered (cli/async-context.ts).
    const lowerAwait = usesAsyncContext(Object.keys(probe.metafile.inputs), path.dirname(entry));

    // ECMA-402: only the parts the program names, with data for en and --locale (cli/intl.ts).
    let intl: IntlPlan;
    try { intl = intlPlan(text, parseLocales(opts.locales ?? [])); } catch (e) {
      if (e instanceof LocaleError) throw new BuildError(`Cannot build: ${e.message}`);
      throw e;
    }
    if (opts.locales?.length && !intl.source) warnings.set('locale', `--locale ${opts.locales.join(',')}: the program uses no Intl, so no locale data was linked`);
    const intlModule = path.join(work, 'nimbus-intl.js');
    if (intl.source) writeFileSync(intlModule, intl.source);

    const stub = path.join(work, 'nimbus-entry.js');
    const filesModule = path.join(work, 'nimbus-files.js');
    if (included.length) writeFileSync(filesModule, includedFilesSource(included));
    const osModule = (...p: string[]) => JSON.stringify(path.join(OS_DIR, ...p));
    // ES module evaluation order: the runtime's prelude, the devices, web globals, then the program.
    writeFileSync(stub, [
      `import ${osModule('runtime', 'prelude.ts')};`,
      usesStackApi ? `import ${osModule('node', 'internal', 'capture-stack-trace.ts')};` : '',
      included.length ? `import ${JSON.stringify(filesModule)};` : '',
      withNetwork ? `import ${osModule('boot', 'start-devices.ts')};` : '',
      usesWeb ? `import ${osModule('boot', 'web-globals.ts')};` : '',
      usesFetch ? `import ${osModule('boot', 'fetch-global.ts')};` : '',
      usesHttps ? `import ${osModule('boot', 'fetch-tls.ts')};` : '',
      /\bsubtle\b/.test(text) ? `import ${osModule('boot', 'subtle-global.ts')};` : '', // WebCrypto (jose, hono/jwt)
      intl.source ? `import ${JSON.stringify(intlModule)};` : '',
      /\bURLPattern\b/.test(text) ? `import ${osModule('boot', 'urlpattern-global.ts')};` : '', // urlpattern-polyfill
      `import * as program from ${JSON.stringify(entry)};`,
      `globalThis.__nimbus_program = program;`,
      hasDefault ? `import { serveDefaultExport } from ${osModule('boot', 'serve-default.ts')};\nserveDefaultExport(program);` : '',
      '',
    ].join('\n'));
    const lowering = lowerAwait ? [lowerAwaitPlugin((m) => warnings.set(`await:${m}`, m))] : [];
    const r = await run(() => esbuild({ ...common, plugins: [...lowering, plugin], entryPoints: [stub], outfile: bundlePath, sourcemap: 'external', sourcesContent: false, metafile: true }));
    const metafile: Metafile = r.metafile;
    const bytecodePath = path.join(work, 'app.bc');
    try {
      execFileSync(QJSC, [bundlePath, bytecodePath, 'app.js'], { stdio: ['ignore', 'inherit', 'pipe'] });
    } catch (e) {
      throw new BuildError(`Cannot compile to bytecode: ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? e}`);
    }
    const bytecode = readFileSync(bytecodePath);
    // The source map keeps mappings into the program's own files only (not the OS, not
    // node_modules), and names them relative to where `nimbus build` ran (the bundle's own
    // directory is a temporary one).
    const sourcePath = (source: string) => path.resolve(path.dirname(bundlePath), source);
    const isProgramFile = (source: string) => {
      const abs = sourcePath(source);
      return !abs.startsWith(OS_DIR + path.sep) && !abs.includes(`${path.sep}node_modules${path.sep}`) && abs !== stub;
    };
    const sourceMap = Buffer.from(pruneSourceMap(readFileSync(bundlePath + '.map', 'utf8'), isProgramFile,
      (source) => path.relative(process.cwd(), sourcePath(source)) || source));
    const core = readFileSync(CORE_ELF);
    const layout = writeImage(core, { bytecode, sourceMap });
    mkdirSync(path.dirname(output), { recursive: true });
    writeFileSync(output, layout.image);

    // Apportion the bytecode between the library OS and the program by their bundled bytes.
    let osBytes = 0, programBytes = 0;
    const out = Object.entries(metafile.outputs).find(([name]) => name.endsWith('.js'))?.[1];
    for (const [file, info] of Object.entries(out?.inputs ?? {})) {
      const abs = path.resolve(path.dirname(entry), file);
      const isOs = abs.startsWith(OS_DIR + path.sep) || /node_modules[/\\](buffer|events|base64-js|ieee754|node-inspect-extracted|@noble|@jridgewell|@formatjs|readable-stream|path-browserify|fflate|assert|urlpattern-polyfill)[/\\]/.test(abs) && abs.startsWith(ROOT);
      if (abs === filesModule) continue;
      if (abs === intlModule) { osBytes += info.bytesInOutput; continue; }
      if (isOs) osBytes += info.bytesInOutput; else programBytes += info.bytesInOutput;
    }
    const bc = bytecode.length;
    const includedBytes = included.reduce((n, f) => n + f.data.length, 0);
    const codeBc = Math.max(0, bc - includedBytes);
    const osShare = osBytes + programBytes > 0 ? Math.round((codeBc * osBytes) / (osBytes + programBytes)) : 0;
    const { core: coreOnly, engine } = coreSplit(layout.coreBytes);
    const sizes = {
      total: statSync(output).size, core: coreOnly, engine, os: osShare, program: codeBc - osShare, sourceMap: sourceMap.length,
      included: includedBytes, coreCode: corePacking(),
    };
    return { image: output, sizes, intl: intl.parts, warnings: [...warnings.values()] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The files the program reaches without passing through the library OS (absolute paths): its
 * own sources and the npm packages it imports, from the probe bundle's import graph.
 */
export function programInputs(metafile: { inputs: Record<string, { imports: { path: string }[] }> }, entry: string): string[] {
  const dir = path.dirname(entry);
  const abs = (f: string) => path.resolve(dir, f);
  const byPath = new Map(Object.entries(metafile.inputs).map(([f, info]) => [abs(f), info]));
  const seen = new Set<string>();
  const queue = [path.resolve(entry)];
  while (queue.length) {
    const f = queue.pop()!;
    if (seen.has(f) || f.startsWith(OS_DIR + path.sep)) continue;
    seen.add(f);
    for (const i of byPath.get(f)?.imports ?? []) queue.push(abs(i.path));
  }
  return [...seen].filter((f) => byPath.has(f));
}

export function formatSizes(r: BuildResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(0).padStart(6)} KiB`;
  const s = r.sizes;
  return [
    `${r.image}  ${(s.total / 1024 / 1024).toFixed(2)} MiB`,
    `  core (C)        ${kb(s.core)}`,
    `  engine          ${kb(s.engine)}`,
    `  OS library      ${kb(s.os)}   (bytecode)`,
    `  program         ${kb(s.program)}   (bytecode)`,
    `  source map      ${kb(s.sourceMap)}`,
    ...(s.included ? [`  included files  ${kb(s.included)}`] : []),
    ...(s.coreCode ? [`  (the core's and engine's code is LZ4-packed: ${kb(s.coreCode.unpacked).trim()} in memory, ${kb(s.coreCode.packed).trim()} in the image)`] : []),
    ...(r.intl.length ? [`  Intl: ${r.intl.join(', ')} (in the OS library)`] : []),
  ].join('\n');
}
