/**
 * A Nimbus VM on a tap device in a network namespace the test creates: its address comes
 * from dnsmasq's DHCP, names resolve through dnsmasq's DNS, and the image's fetch() reaches
 * a Linux HTTP server (python3 -m http.server) in the namespace; and the same image on the
 * process target, on the same kind of tap. Skipped when not root.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Netns, skipReason } from '../interop/netns.ts';
import type { RunOptions } from '../../cli/run.ts';
import { boot, buildTestImage, startServerVm } from './vm.ts';
import { patternBody } from './programs/pattern.ts';

const skip = skipReason('dnsmasq', 'qemu-system-x86_64');
let ns: Netns | undefined;
after(async () => { await ns?.destroy(); });

// The process target opens the same tap through nimbus-netfd (--net tap:) and runs the same test.
const TARGETS: [string, Partial<RunOptions>][] = [['microvm', { machine: 'microvm' }], ['q35', { machine: 'q35' }], ['process target', { target: 'process' }]];

for (const [name, opts] of TARGETS) {
  test(`DHCP and DNS from dnsmasq, and fetch() to a Linux server, over a tap device (${name})`, { skip, timeout: 240_000 }, async () => {
    ns = Netns.create({ linuxAddress: '10.79.1.1/24', tapName: 'nbvm0' });
    const file = randomBytes(300_000);
    writeFileSync(path.join(ns.dir, 'file.bin'), file);
    let expected = 0;
    for (const b of file) expected = (expected * 31 + b) >>> 0;
    ns.spawn(['dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--user=root', '--no-resolv', '--no-hosts',
      '--interface=nbvm0', '--bind-interfaces', '--dhcp-range=10.79.1.100,10.79.1.150,255.255.255.0,1h',
      '--dhcp-authoritative', '--no-ping', '--address=/web.test/10.79.1.1',
      `--pid-file=${path.join(ns.dir, 'dnsmasq.pid')}`, `--dhcp-leasefile=${path.join(ns.dir, 'leases')}`]);
    const web = ns.spawn(['/usr/bin/python3', '-m', 'http.server', '8000', '--bind', '10.79.1.1', '--directory', ns.dir]);
    await web.waitFor(/Serving HTTP/, 10_000);
    const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'fetch-client.ts'));
    const r = await boot(image, {
      ...opts, memMiB: 64, net: { kind: 'tap', ifname: 'nbvm0' }, args: ['web.test', '8000'],
      launcher: ['ip', 'netns', 'exec', ns.name],
    });
    assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stdout, /resolved web\.test to 10\.79\.1\.1/);
    assert.match(r.stdout, new RegExp(`status 200 length 300000 checksum ${expected}`));
    const leases = await ns.exec(['cat', path.join(ns.dir, 'leases')]);
    assert.match(leases, /10\.79\.1\.1[0-4]\d /, 'dnsmasq handed out a lease');
    await ns.destroy();
    ns = undefined;
  });
}

test('the process target opens the tap with a virtio-net header and offloads; the core refuses every header hw.h forbids', { skip, timeout: 120_000 }, async () => {
  const local = Netns.create({ linuxAddress: '10.79.2.1/24', tapName: 'nbvm1' });
  try {
    const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'net-offloads.ts'));
    const r = await boot(image, { target: 'process', memMiB: 32, net: { kind: 'tap', ifname: 'nbvm1' }, ip: '10.79.2.2/24', launcher: ['ip', 'netns', 'exec', local.name] });
    assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stdout, /offloads=3 headerLength=10/);
    for (const ok of ['plain', 'needs-csum', 'tso']) assert.match(r.stdout, new RegExp(`^${ok}: taken$`, 'm'));
    for (const bad of ['data-valid-on-transmit', 'gso-udp', 'gso-without-csum', 'gso-size-0', 'csum-past-end', 'too-long-without-gso', 'too-long-with-gso', 'too-short']) {
      assert.match(r.stdout, new RegExp(`^${bad}: RangeError$`, 'm'));
    }
  } finally {
    await local.destroy();
  }
});

// virtio-net's offloads (issue 11): on a tap QEMU's device offers CSUM and HOST_TSO4, and the
// guest sends TCP super-segments that the host cuts; with GUEST_TSO4 and MRG_RXBUF the host hands
// the guest packets of up to 64 KiB over several buffers. The tap's counters in the namespace
// count the frames each way: far fewer than the 1448-byte segments of a body with the offloads,
// one per segment without (nimbus.offloads=off). Linux's TCP accepts the bytes only if every
// checksum the device finished is right; the SHA-256s say nothing was lost either way.
test('virtio-net moves TCP super-segments both ways on a tap, and the bytes arrive intact', { skip, timeout: 300_000 }, async () => {
  const local = Netns.create({ linuxAddress: '10.79.3.1/24', tapName: 'nbvm2' });
  try {
    const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'pattern-server.ts'));
    const want = createHash('sha256').update(patternBody(48)).digest('hex');
    const framesFromGuest = async () => Number(await local.exec(['cat', '/sys/class/net/nbvm2/statistics/rx_packets']));
    const framesToGuest = async () => Number(await local.exec(['cat', '/sys/class/net/nbvm2/statistics/tx_packets']));
    const curl = (url: string, out: string, ...more: string[]) => local.exec(['curl', '-sf', '-m', '120', '-o', out, ...more, url]);
    const upload = randomBytes(3 << 20);
    const uploadFile = path.join(local.dir, 'upload.bin');
    writeFileSync(uploadFile, upload);
    const counts: Record<string, number> = {}, countsIn: Record<string, number> = {};
    for (const offloads of [true, false]) {
      const vm = await startServerVm(image, 80, {
        machine: 'q35', memMiB: 64, net: { kind: 'tap', ifname: 'nbvm2' }, ports: [], ip: '10.79.3.2/24', gateway: '10.79.3.1', offloads,
        launcher: ['ip', 'netns', 'exec', local.name],
      });
      try {
        const out = path.join(local.dir, `data-${offloads}.bin`);
        for (let i = 0; ; i++) {
          try { await curl('http://10.79.3.2/', '/dev/null'); break; } catch (e) { if (i > 200) throw e; await new Promise((r) => setTimeout(r, 250)); }
        }
        const before = await framesFromGuest();
        await curl('http://10.79.3.2/data', out);
        counts[String(offloads)] = (await framesFromGuest()) - before;
        const got = createHash('sha256').update(readFileSync(out)).digest('hex');
        assert.equal(got, want, `the body arrived intact (offloads ${offloads})`);
        const beforeIn = await framesToGuest();
        const digest = path.join(local.dir, `digest-${offloads}.txt`);
        await curl('http://10.79.3.2/sha256', digest, '--data-binary', `@${uploadFile}`);
        countsIn[String(offloads)] = (await framesToGuest()) - beforeIn;
        assert.equal(readFileSync(digest, 'utf8'), createHash('sha256').update(upload).digest('hex'), `the upload arrived intact (offloads ${offloads})`);
      } finally {
        await vm.stop();
      }
    }
    const segments = Math.ceil((48 * 65536) / 1448);
    assert.ok(counts.false! >= segments, `without offloads one frame per segment: ${counts.false} frames for ${segments} segments`);
    assert.ok(counts.true! < segments / 4, `with TSO super-segments: ${counts.true} frames for ${segments} segments`);
    const segmentsIn = Math.ceil(upload.length / 1448);
    assert.ok(countsIn.false! >= segmentsIn, `without offloads one frame per segment in: ${countsIn.false} for ${segmentsIn}`);
    assert.ok(countsIn.true! < segmentsIn / 4, `with GUEST_TSO4 merged packets in: ${countsIn.true} frames for ${segmentsIn} segments`);
  } finally {
    await local.destroy();
  }
});
