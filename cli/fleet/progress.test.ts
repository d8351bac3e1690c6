import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine, summaryLine } from './progress.ts';
import { psTable, stateText } from './commands.ts';
import type { InstanceRecord } from './store.ts';

const p = { total: 3000, started: 1200, answering: 1100, failed: 2, hostMemMiB: 3500, elapsedMs: 30_000 };

test('progress and summary lines say started, answering, failed and memory', () => {
  assert.equal(progressLine('web', p), 'web: 1200/3000 started, 1100 answering, 2 failed, host memory +3.42 GiB, 30.0 s');
  assert.equal(summaryLine('web', { ...p, pssMiB: 3000, pssCount: 1200 }),
    'web: 3000 instances in 30.0 s: 1100 answering, 2 failed, 1200 started, 40.0 started/s; host memory +3.42 GiB, PSS 2.93 GiB (2.5 MiB each)');
});

test('ps shows exit codes of ended instances and the back-off of restarting ones', () => {
  const base: InstanceRecord = { name: 'web-1', group: 'web', image: '/x/app.img', target: 'process', memMiB: 64, args: [], env: {}, restart: 'no',
    net: { slot: 0, bridge: 'nfbr0', tap: 'nf0', ip: '10.200.0.2', prefix: 22, gateway: '10.200.0.1', mac: '02:00:00:00:00:01' },
    state: 'running', createdAt: 0, startedAt: 1000, restarts: 2, streak: 0 };
  assert.equal(stateText({ ...base, state: 'exited', exitCode: 3 }), 'exited (3)');
  assert.equal(stateText({ ...base, state: 'exited', exitCode: null }), 'exited (?)');
  assert.equal(stateText({ ...base, state: 'restarting', nextStartAt: 5000 }, 3000), 'restarting (in 2s)');
  const table = psTable([{ ...base, pssKiB: 2700 }], 66_000).split('\n');
  assert.match(table[0]!, /^NAME\s+IMAGE\s+TARGET\s+STATE\s+ADDRESS\s+UPTIME\s+RESTARTS\s+MEMORY$/);
  assert.match(table[1]!, /^web-1\s+app\.img\s+process\s+running\s+10\.200\.0\.2\s+1m5s\s+2\s+2\.6 MiB$/);
});
