import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runProgram } from '../runtime/vm-harness.test-helper.ts';

test('a bundled program uses node:net, node:dgram and node:dns/promises on the real runtime', () => {
  const r = runProgram(path.join(import.meta.dirname, 'testdata/echo-program.ts'));
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    "lookup { address: '10.0.0.2', family: 4 }",
    "listening { address: '::', family: 'IPv6', port: 7 }",
    'echo hello over TCP',
    'server closed',
    'udp hello over UDP 10.0.0.1',
    'exit 0',
    '',
  ].join('\n'));
  assert.equal(r.code, 0);
});
