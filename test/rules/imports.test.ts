/**
 * Import rules of the library OS: layers look down (test/rules/layers.ts), image code stays
 * inside os/, and a Node built-in is imported for its value only by the Node surface (the image
 * resolves `node:x` and bare built-in names to os/node/x.ts, so anywhere else such an import
 * reaches up to the node layer). Type-only imports of Node's modules are allowed: they describe
 * Node's API, which os/node implements, and vanish from the image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { LAYERS, layerOf } from './layers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const OS = path.join(ROOT, 'os');

/** Node-only files (tests and their helpers): never bundled into an image, not layered. */
function isImageFile(rel: string): boolean {
  return rel.endsWith('.ts') && !rel.endsWith('.d.ts') && !/\.test(-helper)?\.ts$/.test(rel) &&
    !/(^|\/)(testing|testdata|sim)\//.test(rel) && !/(^|\/)(test-util|testing)\.ts$/.test(rel);
}

function imageFiles(dir = OS, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) imageFiles(p, out);
    else if (isImageFile(path.relative(OS, p))) out.push(p);
  }
  return out;
}

interface Import { spec: string; typeOnly: boolean; line: number }

/** Every module specifier `source` names, and whether it is used for types only. */
export function importsOf(file: string, source: string): Import[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const out: Import[] = [];
  const add = (lit: ts.Expression | undefined, typeOnly: boolean): void => {
    if (lit && ts.isStringLiteralLike(lit)) out.push({ spec: lit.text, typeOnly, line: sf.getLineAndCharacterOfPosition(lit.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const namedTypeOnly = c?.namedBindings && ts.isNamedImports(c.namedBindings) && !c.name &&
        c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, Boolean(c?.isTypeOnly || namedTypeOnly));
    } else if (ts.isExportDeclaration(node)) {
      const typeOnly = node.isTypeOnly || Boolean(node.exportClause && ts.isNamedExports(node.exportClause) &&
        node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const builtins = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));
/** `node:x`, or a bare name the build resolves as a built-in (`events`, `stream/promises`). */
const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtins.has(spec);

/** The rule violations of one image file (path absolute, under os/). */
export function violations(file: string, source: string): string[] {
  const rel = path.relative(OS, file);
  const own = rel.split(path.sep)[0]!;
  const ownLayer = layerOf(own);
  if (ownLayer === undefined || !rel.includes(path.sep)) return [`${rel}: os/${own} is in no layer of test/rules/layers.ts`];
  const out: string[] = [];
  for (const imp of importsOf(file, source)) {
    const where = `${rel}:${imp.line}: '${imp.spec}'`;
    let target: string;
    if (imp.spec.startsWith('.')) {
      const abs = path.resolve(path.dirname(file), imp.spec);
      const r = path.relative(OS, abs);
      if (r.startsWith('..')) { out.push(`${where} leaves os/`); continue; }
      target = r.split(path.sep)[0]!;
    } else if (isBuiltin(imp.spec)) {
      if (imp.typeOnly) continue;
      target = 'node';
    } else {
      continue; // an npm package (or the build's virtual module), bundled into the image
    }
    if (target === own) continue;
    const t = layerOf(target);
    if (t === undefined) out.push(`${where}: os/${target} is in no layer`);
    else if (t >= ownLayer) out.push(`${where}: ${own} (layer ${ownLayer}) must not import ${target} (layer ${t})`);
  }
  return out;
}

test('every os/ module is in a layer, and every import of image code looks down', () => {
  const dirs = readdirSync(OS).filter((d) => statSync(path.join(OS, d)).isDirectory());
  assert.deepEqual(dirs.filter((d) => layerOf(d) === undefined), [], 'directories missing from LAYERS');
  assert.deepEqual(LAYERS.flat().filter((d) => !dirs.includes(d)), [], 'LAYERS names a directory that does not exist');
  const files = imageFiles();
  assert.ok(files.length > 100, `${files.length} image files found`);
  const bad = files.flatMap((f) => violations(f, readFileSync(f, 'utf8')));
  assert.deepEqual(bad, []);
});

test('the rules catch an upward import, a sideways one, a value import of a built-in and a path out of os/', () => {
  const at = (rel: string, src: string) => violations(path.join(OS, rel), src);
  assert.match(at('net/x.ts', "import { Socket } from '../node/net.ts';").join(), /net \(layer 3\) must not import node \(layer 7\)/);
  assert.match(at('runtime/x.ts', "import { x } from '../crypto/hash.ts';").join(), /runtime \(layer 1\) must not import crypto \(layer 1\)/);
  assert.match(at('http/x.ts', "import { EventEmitter } from 'events';").join(), /http \(layer 6\) must not import node/);
  assert.match(at('drivers/x.ts', "const fs = await import('node:fs');").join(), /must not import node/);
  assert.match(at('hw/x.ts', "export * from '../../cli/run.ts';").join(), /leaves os\//);
  assert.deepEqual(at('http/x.ts', "import type { Readable } from 'node:stream'; type S = typeof import('node:stream');"), []);
  assert.deepEqual(at('netservice/x.ts', "import { Tcp } from '../net/tcp/index.ts'; import type { Hw } from '../hw/hw.ts';"), []);
  assert.deepEqual(at('node/x.ts', "import { EventEmitter } from 'events'; import '../netservice/index.ts';"), []);
});
