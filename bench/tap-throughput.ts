/**
 * TCP throughput through a real tap with Linux's TCP/IP as the peer (topology: test/interop/
 * netns.ts): the stack runs in this Node process (test/interop/node-stack.ts, default TCP
 * options) and Linux in a private network namespace.
 *
 * - download: the stack GETs a 50 MiB random file from `python3 -m http.server` (HTTP/1.0,
 *   Linux closes after the body); timed from connect() to the stack's onClosed.
 * - upload: the stack sends 50 MiB to a Python sink (test/interop/linux-peer.py), then closes;
 *   timed from connect() to onClosed (TIME-WAIT: the sink has read everything and closed).
 * Both check the SHA-256 of what arrived. MB = 10^6 bytes. cpuSecondsPerMB is this process's
 * CPU (user + system: the stack, the driver loop, hashing on the stack side), not the bridge's
 * or Linux's, per MB moved, over both transfers.
 *
 * Needs root and /dev/net/tun. Run: node --import tsx bench/tap-throughput.ts [MiB]
 * Prints progress lines, then one JSON object on the last line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpv4 } from '../os/net/addr.ts';
import { Netns, skipReason } from '../test/interop/netns.ts';
import { NodeStack } from '../test/interop/node-stack.ts';
import { httpGet, upload } from '../test/interop/stack-apps.ts';

const mib = Number(process.argv[2] ?? 50);
const LINUX = '10.76.0.1', STACK = '10.76.0.2';

async function main(): Promise<void> {
  const skip = skipReason();
  if (skip) throw new Error(`Cannot run: ${skip}`);
  const ns = Netns.create({ linuxAddress: `${LINUX}/24` });
  let node: NodeStack | undefined;
  try {
    const tap = await ns.openTap();
    node = new NodeStack({ tap, ipv4: { address: parseIpv4(STACK)!, prefixLength: 24 } });
    node.start();
    const linux = parseIpv4(LINUX)!;
    const data = randomBytes(mib * 1024 * 1024);
    const sha = createHash('sha256').update(data).digest('hex');
    const mb = data.length / 1e6;
    writeFileSync(join(ns.dir, 'big.bin'), data);

    const server = ns.spawn(['python3', '-u', '-m', 'http.server', '8000', '--bind', LINUX, '--directory', ns.dir]);
    await server.waitFor(/Serving HTTP/, 10_000);
    await httpGet(node, linux, 8000, '/big.bin'); // warm-up of the JIT and ARP; result unused below
    const cpu0 = process.cpuUsage();
    const d = await httpGet(node, linux, 8000, '/big.bin');
    const cpuDown = process.cpuUsage(cpu0);
    if (d.sha256 !== sha || d.error) throw new Error(`download failed: ${JSON.stringify(d)}`);
    console.log(`download: ${mb.toFixed(1)} MB in ${d.elapsedMs.toFixed(0)} ms`);

    const sink = ns.spawn(['python3', join(import.meta.dirname, '../test/interop/linux-peer.py'), 'sink', LINUX, '9000']);
    await sink.waitFor(/listening/);
    const cpu1 = process.cpuUsage();
    const u = await upload(node, linux, 9000, data);
    const cpuUp = process.cpuUsage(cpu1);
    await sink.wait(30_000);
    const got = JSON.parse(sink.stdout) as { bytes: number; sha256: string };
    if (got.sha256 !== sha || u.error) throw new Error(`upload failed: ${JSON.stringify({ u, got })}`);
    console.log(`upload: ${mb.toFixed(1)} MB in ${u.elapsedMs.toFixed(0)} ms`);

    const cpuSeconds = (cpuDown.user + cpuDown.system + cpuUp.user + cpuUp.system) / 1e6;
    const stats = node.tcp.stats;
    console.log(JSON.stringify({
      bench: 'tap-throughput',
      node: process.version,
      megabytes: +mb.toFixed(2),
      downloadMBps: +(mb / (d.elapsedMs / 1000)).toFixed(1),
      uploadMBps: +(mb / (u.elapsedMs / 1000)).toFixed(1),
      cpuSecondsPerMB: +(cpuSeconds / (2 * mb)).toFixed(4),
      retransmits: stats.retransmits,
      fastRetransmits: stats.fastRetransmits,
    }));
  } finally {
    node?.stop();
    await ns.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
