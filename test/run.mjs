#!/usr/bin/env node
// The test runner behind `make test`: every *.test.ts file runs in its own `node --test`
// process, two at a time, each with a wall-clock limit, so one hung file fails alone instead
// of stalling the whole run. Prints a line per file, the output of failing files, and a
// closing "N passed, N failed, N skipped" line.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 600_000);
const JOBS = Number(process.env.TEST_JOBS ?? 2);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(path.relative(ROOT, p));
  }
  return out;
}

const filter = process.argv.slice(2);
let files = ['os', 'cli', 'test'].flatMap((d) => find(path.join(ROOT, d))).sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
// Slow files (VM boots, Linux interop) first, so the two lanes finish close together.
const slow = (f) => (f.startsWith('test/boot/') || f.startsWith('test/interop/') ? 0 : 1);
files.sort((a, b) => slow(a) - slow(b));

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedFiles = [];

function runFile(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
      let passed = count('pass'), failed = count('fail');
      const skipped = count('skipped') + count('todo');
      if (timedOut) failed += 1;
      else if (code !== 0 && failed === 0) failed = 1; // crashed outside any test
      totals.passed += passed;
      totals.failed += failed;
      totals.skipped += skipped;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const status = failed ? 'FAIL' : 'ok  ';
      const why = timedOut ? `, timed out after ${FILE_TIMEOUT_MS / 1000} s` : '';
      process.stdout.write(`${status} ${file} (${passed} passed, ${failed} failed, ${skipped} skipped, ${secs} s${why})\n`);
      if (failed) {
        failedFiles.push({ file, why: failureSummary(out) });
        process.stdout.write(out.split('\n').map((l) => `    | ${l}`).join('\n') + '\n');
      }
      resolve();
    });
  });
}

/**
 * The failing subtests of one file's TAP output, each with the first lines of its YAML block
 * (error, expected, actual, location), so the end of a long CI log says what failed even when
 * only its tail is kept.
 */
function failureSummary(tap) {
  const lines = tap.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*not ok \d+/.test(lines[i]) || /# SKIP/.test(lines[i])) continue;
    out.push(`    ${lines[i].trim()}`);
    let inBlock = false;
    for (let j = i + 1, kept = 0; j < lines.length && kept < 12; j++) {
      const l = lines[j].trim();
      if (l === '...') break;
      const key = /^(\w+):/.exec(l)?.[1];
      if (key) inBlock = ['error', 'expected', 'actual', 'location', 'code'].includes(key);
      if (inBlock && l) {
        out.push(`      ${l.slice(0, 300)}`);
        kept++;
      }
    }
  }
  return out.length ? out.join('\n') : '    (no failing subtest: the file crashed or timed out)';
}

const queue = [...files];
await Promise.all(Array.from({ length: JOBS }, async () => {
  while (queue.length) await runFile(queue.shift());
}));
if (failedFiles.length) {
  process.stdout.write(`\nFailed files:\n${failedFiles.map((f) => `  ${f.file}\n${f.why}`).join('\n')}\n`);
}
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(totals.failed || files.length === 0 ? 1 : 0);
