/**
 * The command line of one fleet instance: the same runner `nimbus run` uses (cli/run.ts,
 * cli/process-target.ts), on the instance's own tap with its own address and MAC.
 */
import { qemuArgs, findQemu, type RunOptions } from '../run.ts';
import { processPlan } from '../process-target.ts';
import type { InstanceRecord } from './store.ts';

export function runOptions(r: InstanceRecord): RunOptions {
  return {
    image: r.image, memMiB: r.memMiB, machine: 'microvm', args: r.args, env: r.env, ports: [],
    net: r.net ? { kind: 'tap', ifname: r.net.tap } : { kind: 'none' },
    ip: r.net ? `${r.net.ip}/${r.net.prefix}` : undefined,
    gateway: r.net?.gateway,
    mac: r.net?.mac,
    target: r.target,
  };
}

/** argv of the instance's process (its pid is the instance's: nimbus-netfd execs the runner). */
export async function instanceArgv(r: InstanceRecord): Promise<string[]> {
  const o = runOptions(r);
  if (r.target === 'qemu') return [findQemu(), ...qemuArgs(o)];
  return (await processPlan(o)).argv;
}
