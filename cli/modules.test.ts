import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { builtinNames, implementation, importingPackage, nodeModulesPlugin, unsupportedWarning } from './modules.ts';
import { runSource } from '../os/runtime/vm-harness.test-helper.ts';
import { ROOT } from './paths.ts';

async function bundle(source: string, dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-modules-'))) {
  const warned = new Map<string, string[]>();
  const file = path.join(dir, 'main.js');
  writeFileSync(file, source);
  try {
    await build({
      entryPoints: [file], bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'silent', mainFields: ['module', 'main'],
      plugins: [nodeModulesPlugin({ onUnsupported: (n, i) => warned.set(n, i) })], nodePaths: [path.join(ROOT, 'node_modules')],
    });
    return warned;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('every built-in name of the building Node resolves, bare and with node:, in import and require form', async () => {
  const names = [...builtinNames()];
  assert.ok(names.length > 60 && names.includes('fs/promises') && names.includes('http2') && names.includes('v8'));
  const src = names.map((n, i) => `import * as m${i} from 'node:${n}';\nimport * as b${i} from '${n}';\nconst r${i} = require('${n}');`).join('\n') +
    `\nexport default [${names.map((_, i) => `m${i}, b${i}, r${i}`).join(', ')}];\n`;
  const warned = await bundle(src);
  // Implemented modules are linked from os/node, the rest generated and warned about.
  for (const n of names) assert.equal(warned.has(n), implementation(n) === undefined, `node:${n}`);
  for (const n of ['child_process', 'cluster', 'worker_threads', 'http2', 'inspector', 'repl', 'vm']) assert.ok(warned.has(n), n);
  for (const n of ['fs', 'fs/promises', 'stream', 'stream/promises', 'path', 'zlib', 'assert/strict', 'util/types', 'async_hooks']) {
    assert.ok(!warned.has(n), `${n} is implemented`);
  }
  assert.equal(builtinModules.length > 0, true);
});

test('a node: name that is no built-in fails the build, naming the importer', async () => {
  await assert.rejects(bundle(`import 'node:no-such-module';\n`), (e: { errors: { text: string }[] }) => {
    assert.match(e.errors[0]!.text, /main\.js imports 'node:no-such-module', which is not a Node built-in module/);
    return true;
  });
});

test('the warning names the importing npm package, once per module', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-modules-'));
  for (const pkg of ['fakefastify', '@scope/other']) {
    mkdirSync(path.join(dir, 'node_modules', pkg), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), JSON.stringify({ name: pkg, main: 'index.js' }));
    writeFileSync(path.join(dir, 'node_modules', pkg, 'index.js'), "const h = require('http2'); const c = require('node:http2'); module.exports = h.constants;");
  }
  const warned = await bundle(`import a from 'fakefastify';\nimport b from '@scope/other';\nexport { a, b };\n`, dir);
  assert.deepEqual([...warned.keys()], ['http2']);
  assert.deepEqual(warned.get('http2'), ['@scope/other', 'fakefastify']);
  assert.equal(unsupportedWarning('http2', ['fastify']), 'fastify imports node:http2: its functions throw in the image');
  assert.equal(importingPackage('/x/node_modules/a/node_modules/@s/b/lib/c.js'), '@s/b');
});

test('an unsupported module loads with its constants and classes; calling what cannot work throws ERR_NIMBUS_UNSUPPORTED', () => {
  const r = runSource(`
    import cp, { spawn, ChildProcess } from 'node:child_process';
    import { isMainThread, Worker, threadId } from 'node:worker_threads';
    import cluster from 'node:cluster';
    import { constants } from 'node:http2';
    console.log(isMainThread, threadId, cluster.isPrimary, constants.HTTP2_HEADER_STATUS, typeof ChildProcess, typeof cp.execSync);
    class MyWorker extends Worker {}
    for (const f of [() => spawn('ls'), () => cp.execSync('ls'), () => new MyWorker('x.js')]) {
      try { f(); console.log('no throw'); } catch (e) { console.log(e.code, e instanceof Error, e.message); }
    }
  `);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    'true 0 true :status function function',
    'ERR_NIMBUS_UNSUPPORTED true child_process.spawn() is not supported in a Nimbus image: a Nimbus image runs one program and cannot start processes',
    'ERR_NIMBUS_UNSUPPORTED true child_process.execSync() is not supported in a Nimbus image: a Nimbus image runs one program and cannot start processes',
    'ERR_NIMBUS_UNSUPPORTED true new worker_threads.Worker() is not supported in a Nimbus image: a Nimbus image runs one thread',
    '',
  ].join('\n'));
});
