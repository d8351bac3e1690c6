import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cmdline, cmdlineArgs, cmdlineEnv, isWhiteSpace, parseCmdline } from './cmdline.ts';

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

test('parseCmdline splits key=value tokens, bare keys and quoted values', () => {
  assert.deepEqual(parseCmdline('  console=ttyS0 quiet a="b c"  x=1=2 '), [
    { key: 'console', value: 'ttyS0' }, { key: 'quiet', value: undefined },
    { key: 'a', value: 'b c' }, { key: 'x', value: '1=2' },
  ]);
});

test('repeated keys are all kept in order; get() returns the last', () => {
  const c = new Cmdline('virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6 nimbus.ip=10.0.0.2/24');
  assert.deepEqual(c.all('virtio_mmio.device'), ['4K@0xd0000000:5', '4K@0xd0001000:6']);
  assert.equal(c.get('nimbus.ip'), '10.0.0.2/24');
  assert.equal(c.get('missing'), undefined);
});

test('nimbus.argv and nimbus.env decode base64url JSON, including non-ASCII', () => {
  const c = new Cmdline(`foo nimbus.argv=${b64url(['--port', '8080', 'héllo'])} nimbus.env=${b64url({ A: '1', B: 'x y' })}`);
  assert.deepEqual(cmdlineArgs(c), ['--port', '8080', 'héllo']);
  assert.deepEqual(cmdlineEnv(c), { A: '1', B: 'x y' });
});

test('malformed nimbus tokens give empty args and env instead of failing', () => {
  const c = new Cmdline('nimbus.argv=%%% nimbus.env=' + b64url([1]));
  assert.deepEqual(cmdlineArgs(c), []);
  assert.deepEqual(cmdlineEnv(c), {});
});

test('isWhiteSpace is exactly /\\s/ over every UTF-16 code unit', () => {
  const differ: number[] = [];
  for (let c = 0; c <= 0xffff; c++) if (isWhiteSpace(c) !== /\s/.test(String.fromCharCode(c))) differ.push(c);
  assert.deepEqual(differ, []);
});
