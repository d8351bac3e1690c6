/** Machine information recorded next to every benchmark result. */
import os from 'node:os';
import { execFileSync } from 'node:child_process';

export function machineInfo(): Record<string, string> {
  const qemu = (() => {
    try {
      return execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
    } catch {
      return 'not installed';
    }
  })();
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: String(os.cpus().length),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    qemu,
    accel: process.env.NIMBUS_ACCEL === 'kvm' ? 'kvm' : 'tcg (software emulation)',
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
