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
        failedFiles.push(file);
        process.stdout.write(out.split('\n').map((l) => `    | ${l}`).join('\n') + '\n');
      }
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: JOBS }, async () => {
  while (queue.length) await runFile(queue.shift());
}));
if (failedFiles.length) process.stdout.write(`\nFailed files:\n${failedFiles.map((f) => `  ${f}`).join('\n')}\n`);
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(totals.failed || files.length === 0 ? 1 : 0);
