/**
 * TCP over the deterministic simulated link: CPU throughput (MB of payload per CPU-second, one
 * core: the simulator is single-threaded) and CPU cost per segment, at 0% and 1% loss.
 * Run: node --import tsx bench/tcp-sim.ts [megabytes]. Prints JSON.
 */
import { runTransfer } from '../os/net/tcp/sim/transfer.ts';

const megabytes = Number(process.argv[2] ?? 10);
const bytes = megabytes * 1_000_000;

function measure(loss: number) {
  runTransfer({ seed: 1, bytes: 200_000, loss }); // warm-up (JIT)
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runTransfer({ seed: 1, bytes, loss, bidirectional: false });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (!r.done || !r.intact) throw new Error(`transfer at ${loss * 100}% loss failed`);
  const segments = r.net.link.sent;
  const stats = r.net.hosts[0]!.tcp.stats;
  return {
    loss,
    megabytes,
    segments,
    retransmits: stats.retransmits,
    simulatedSeconds: +(r.simTime / 1000).toFixed(3),
    wallMs: +wallMs.toFixed(1),
    cpuMs: +cpuMs.toFixed(1),
    mbPerCpuSecond: +(megabytes / (cpuMs / 1000)).toFixed(2),
    usPerSegment: +((cpuMs * 1000) / segments).toFixed(2),
  };
}

console.log(JSON.stringify({ bench: 'tcp-sim', node: process.version, results: [measure(0), measure(0.01)] }, null, 2));
