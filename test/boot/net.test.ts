/**
 * The network stack inside the VM: virtio-net (mmio on microvm, pci on q35) + our TCP/IP,
 * reached from the host through QEMU's user-mode network and a port forward; and the same
 * stack on the process target (os/drivers/tap), reached through its user mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import type { RunOptions } from '../../cli/run.ts';
import { buildTestImage, startServerVm } from './vm.ts';

const programs = path.join(import.meta.dirname, 'programs');

function exchange(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(payload));
    s.setTimeout(20_000, () => s.destroy(new Error('timed out')));
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

// The process target (user mode: a port published through a namespace) runs the same suite.
const TARGETS: [string, Partial<RunOptions>][] = [['microvm', { machine: 'microvm' }], ['q35', { machine: 'q35' }], ['process target', { target: 'process' }]];

for (const [name, opts] of TARGETS) {
  test(`a TCP server in the VM answers connections from the host (${name})`, async () => {
    const image = await buildTestImage(path.join(programs, 'tcp-echo.ts'));
    const vm = await startServerVm(image, 7000, opts);
    try {
      await vm.waitFor('listening on');
      assert.equal((await exchange(vm.hostPort, Buffer.from('hello vm\n'))).toString(), 'HELLO VM\n');
      // 1 MB through the stack in each direction, several connections in parallel.
      const big = Buffer.alloc(1 << 20, 'abcdefghij');
      const results = await Promise.all([1, 2, 3].map(() => exchange(vm.hostPort, big)));
      for (const r of results) assert.ok(r.equals(Buffer.from(big.toString().toUpperCase())), `got ${r.length} bytes`);
    } finally {
      const r = await vm.stop();
      assert.equal(r.stderr, '', 'no errors from the VM');
    }
  });
}

test('a static address (--ip/--gateway/--dns) instead of DHCP', async () => {
  const image = await buildTestImage(path.join(programs, 'tcp-echo.ts'));
  const vm = await startServerVm(image, 7000, { ip: '10.0.2.15/24', gateway: '10.0.2.2', dns: '10.0.2.3' });
  try {
    await vm.waitFor('listening on');
    assert.equal((await exchange(vm.hostPort, Buffer.from('static\n'))).toString(), 'STATIC\n');
  } finally {
    await vm.stop();
  }
});
