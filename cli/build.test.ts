import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildImage, BuildError, programInputs } from './build.ts';
import { CORE_ELF, ROOT } from './paths.ts';

const skip = existsSync(CORE_ELF) ? false : 'the core is not built (run make)';

test('a build warns once per module whose functions throw in the image, naming the importer; a non-built-in node: name fails', { skip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-build-test-'));
  try {
    writeFileSync(path.join(dir, 'helper.ts'), "import { spawn } from 'node:child_process';\nimport { readFileSync } from 'node:fs';\nexport const f = [spawn, readFileSync];\n");
    writeFileSync(path.join(dir, 'main.ts'), "import { f } from './helper.ts';\nimport 'child_process';\nconsole.log(f.length);\n");
    const r = await buildImage({ entry: path.join(dir, 'main.ts'), output: path.join(dir, 'x.img') });
    assert.deepEqual(r.warnings, [`${path.relative(process.cwd(), path.join(dir, 'helper.ts'))}, ${path.relative(process.cwd(), path.join(dir, 'main.ts'))} import node:child_process: its functions throw in the image`]);
    writeFileSync(path.join(dir, 'bad.ts'), "import 'node:nonexistent';\n");
    await assert.rejects(buildImage({ entry: path.join(dir, 'bad.ts'), output: path.join(dir, 'y.img') }), (e: unknown) => {
      assert.ok(e instanceof BuildError);
      assert.match(e.message, /bad\.ts imports 'node:nonexistent', which is not a Node built-in module/);
      return true;
    });
    assert.ok(!existsSync(path.join(dir, 'y.img')), 'no image written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing entry file is a clear build error', { skip }, async () => {
  await assert.rejects(buildImage({ entry: '/nonexistent/app.ts' }), /Cannot build \/nonexistent\/app\.ts: no such file/);
});

test('drivers and the network stack are linked only into programs that use the network', { skip }, async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'nimbus-build-test-'));
  try {
    const hello = await buildImage({ entry: path.join(ROOT, 'examples/hello/main.ts'), output: path.join(out, 'hello.img') });
    const web = await buildImage({ entry: path.join(ROOT, 'examples/http-hello/main.ts'), output: path.join(out, 'web.img') });
    // Issue 12: hello stays under 1 MiB (the packed core: test/boot/packed-core.test.ts).
    assert.ok(hello.sizes.total < 1024 * 1024, `hello image is ${hello.sizes.total} bytes`);
    assert.ok(hello.sizes.coreCode && hello.sizes.coreCode.packed < hello.sizes.coreCode.unpacked, 'the build reports the packed core');
    assert.ok(web.sizes.os > hello.sizes.os + 100 * 1024, `network code adds to the OS part (${hello.sizes.os} → ${web.sizes.os})`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('--include puts files into the image and counts them; a missing or outside path is refused with a clear message', { skip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-build-test-'));
  try {
    writeFileSync(path.join(dir, 'main.ts'), "import fs from 'node:fs';\nconsole.log(fs.readFileSync('data.txt', 'utf8'));\n");
    writeFileSync(path.join(dir, 'data.txt'), 'x'.repeat(3000));
    const r = await buildImage({ entry: path.join(dir, 'main.ts'), output: path.join(dir, 'x.img'), include: ['data.txt'] });
    assert.equal(r.sizes.included, 3000);
    await assert.rejects(buildImage({ entry: path.join(dir, 'main.ts'), output: path.join(dir, 'y.img'), include: ['public'] }),
      (e: unknown) => e instanceof BuildError && /--include public: no such file or folder/.test(e.message));
    await assert.rejects(buildImage({ entry: path.join(dir, 'main.ts'), output: path.join(dir, 'y.img'), include: ['../'] }),
      (e: unknown) => e instanceof BuildError && /is outside the entry's folder/.test(e.message));
    assert.ok(!existsSync(path.join(dir, 'y.img')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TLS and the root store are linked only into programs that use https', { skip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-build-test-'));
  try {
    writeFileSync(path.join(dir, 'plain.ts'), "const r = await fetch('http://example.test/'); console.log(r.status);\n");
    writeFileSync(path.join(dir, 'secure.ts'), "const r = await fetch('https://example.test/'); console.log(r.status);\n");
    writeFileSync(path.join(dir, 'tls.ts'), "import tls from 'node:tls'; console.log(tls.rootCertificates.length);\n");
    const { readFileSync } = await import('node:fs');
    const roots = (name: string) => (readFileSync(path.join(dir, `${name}.img`), 'latin1').match(/BEGIN CERTIFICATE/g) ?? []).length;
    for (const n of ['plain', 'secure', 'tls']) await buildImage({ entry: path.join(dir, `${n}.ts`), output: path.join(dir, `${n}.img`) });
    const tlsMod = await import('node:tls');
    assert.equal(roots('plain'), 0);
    assert.equal(roots('secure'), tlsMod.rootCertificates.length);
    assert.equal(roots('tls'), tlsMod.rootCertificates.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('URLPattern (urlpattern-polyfill) is linked only into programs that name it', { skip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-build-test-'));
  try {
    writeFileSync(path.join(dir, 'plain.ts'), "console.log(new URL('https://example.test/a').pathname);\n");
    writeFileSync(path.join(dir, 'pattern.ts'), "console.log(new URLPattern({ pathname: '/a/:id' }).exec('https://example.test/a/7')?.pathname.groups.id);\n");
    // The polyfill's class has a hasRegExpGroups getter, a name kept in the bytecode.
    const linked = async (name: string) => {
      const r = await buildImage({ entry: path.join(dir, `${name}.ts`), output: path.join(dir, `${name}.img`) });
      return readFileSync(r.image).includes('hasRegExpGroups');
    };
    assert.equal(await linked('plain'), false);
    assert.equal(await linked('pattern'), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('await is lowered in the program\'s own files only when it imports node:async_hooks; a top-level await keeps its file native with a warning', { skip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-build-test-'));
  try {
    const body = 'export async function f() { await null; return 1; }\nvoid f().then(console.log);\n';
    writeFileSync(path.join(dir, 'plain.ts'), body);
    writeFileSync(path.join(dir, 'als.ts'), `import { AsyncLocalStorage } from 'node:async_hooks';\nnew AsyncLocalStorage();\n${body}`);
    writeFileSync(path.join(dir, 'tla.ts'), `import { AsyncLocalStorage } from 'node:async_hooks';\nnew AsyncLocalStorage();\n${body}await f();\n`);
    // esbuild's generator driver for lowered async functions is named __async in the bytecode.
    const lowered = async (name: string) => {
      const r = await buildImage({ entry: path.join(dir, `${name}.ts`), output: path.join(dir, `${name}.img`) });
      return { lowered: readFileSync(r.image).includes('__async'), warnings: r.warnings };
    };
    assert.deepEqual(await lowered('plain'), { lowered: false, warnings: [] });
    assert.deepEqual(await lowered('als'), { lowered: true, warnings: [] });
    const tla = await lowered('tla');
    assert.equal(tla.lowered, false);
    assert.equal(tla.warnings.length, 1);
    assert.match(tla.warnings[0]!, /tla\.ts:\d+ uses top-level await: AsyncLocalStorage does not follow native await in this image/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what the program uses is read from the files it reaches without passing through the OS', () => {
  // Paths as esbuild's metafile gives them: relative to the entry's folder.
  const entry = path.join(ROOT, 'app', 'main.ts');
  const rel = (p: string) => path.relative(path.dirname(entry), path.join(ROOT, p));
  const inputs = {
    [rel('app/main.ts')]: { imports: [{ path: rel('os/node/http.ts') }, { path: rel('app/util.ts') }, { path: rel('node_modules/hono/index.js') }] },
    [rel('app/util.ts')]: { imports: [{ path: rel('node_modules/shared/index.js') }] },
    [rel('os/node/http.ts')]: { imports: [{ path: rel('node_modules/readable-stream/lib/ours/index.js') }, { path: rel('node_modules/shared/index.js') }] },
    [rel('node_modules/readable-stream/lib/ours/index.js')]: { imports: [] },
    [rel('node_modules/hono/index.js')]: { imports: [] },
    [rel('node_modules/shared/index.js')]: { imports: [] },
  };
  const got = programInputs({ inputs }, entry).map((f) => path.relative(ROOT, f)).sort();
  assert.deepEqual(got, ['app/main.ts', 'app/util.ts', 'node_modules/hono/index.js', 'node_modules/shared/index.js']);
});
