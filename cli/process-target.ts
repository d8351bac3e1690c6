/**
 * How `nimbus run --target process` starts an instance: the command line of the runner
 * (build/nimbus-process, core/platform/process/main.c) and, with a network, of what stands in
 * front of it. The runner's interface (also for fleets; docs/architecture.md):
 *
 *     nimbus-process IMAGE MEM_MIB CMDLINE [NET_FD [MAC]]
 *
 * console on stdout (docs/console-protocol.md); NET_FD an open Ethernet link it reads and writes
 * frames on (it opens nothing itself: seccomp forbids it). The CLI's links:
 * - `--net tap:IFNAME`: build/nimbus-netfd opens the tap (/dev/net/tun, IFF_TAP | IFF_NO_PI)
 *   at fd 3 and execs the runner. Attaching to an existing tap needs access to /dev/net/tun and
 *   the tap's owner (or CAP_NET_ADMIN); creating one needs CAP_NET_ADMIN (root).
 * - user mode (`-p` without --net, or --net user), no root: cli/usernet.ts runs in a new user +
 *   network namespace (unshare), links the instance to a veth pair there and relays the
 *   published ports, whose listening sockets the CLI opened on the host, to the instance.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { NETFD, PROCESS_RUNNER, ROOT } from './paths.ts';
import { kernelCommandLine, RunError, type RunOptions } from './run.ts';

/** The user-mode network inside the namespace: QEMU's user-mode addresses, so programs see the same. */
export const USERNET = { guest: '10.0.2.15', prefix: 24, host: '10.0.2.2' } as const;

export interface ProcessPlan {
  argv: string[];
  /** Descriptors the child gets from fd 3 on (user mode: the published ports' listeners). */
  fds: number[];
  /** Called once the child is spawned (it holds its own copies of `fds` by then). */
  spawned(): void;
}

/** A random locally administered unicast MAC: instances on one bridge must differ. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function netKind(o: RunOptions): 'none' | 'user' | 'tap' {
  if (o.net.kind === 'auto') return o.ports.length ? 'user' : 'none';
  return o.net.kind;
}

export async function processPlan(o: RunOptions): Promise<ProcessPlan> {
  if (!existsSync(PROCESS_RUNNER)) throw new RunError(`Cannot run on the process target: ${PROCESS_RUNNER} is missing. Run \`make\` in ${ROOT}.`);
  const kind = netKind(o);
  const mem = String(o.memMiB);
  if (kind === 'none') return { argv: [PROCESS_RUNNER, o.image, mem, kernelCommandLine(o)], fds: [], spawned() {} };
  if (!existsSync(NETFD)) throw new RunError(`Cannot give the process target a network: ${NETFD} is missing. Run \`make\` in ${ROOT}.`);
  if (o.net.kind === 'tap') {
    if (o.ports.length) throw new RunError('-p publishes ports in user mode only; with --net tap the instance is reached at its own address on the tap');
    return { argv: [NETFD, `tap:${o.net.ifname}`, '3', PROCESS_RUNNER, o.image, mem, kernelCommandLine(o), '3', o.mac ?? randomMac()], fds: [], spawned() {} };
  }
  // User mode: listen on the host now (so the port is ours, and busy ports fail here), hand
  // the listeners to the namespace's relay.
  if (o.ports.some((p) => p.proto !== 'tcp')) throw new RunError('the process target publishes TCP ports only');
  // The namespace's link is 10.0.2.0/24 with the relay at 10.0.2.2: a static address must be on it.
  if (o.ip && (!/^10\.0\.2\.(\d+)\/24$/.test(o.ip) || ['0', '2', '255'].includes(o.ip.split('/')[0]!.split('.')[3]!))) {
    throw new RunError(`in user mode the process target's address is on 10.0.2.0/24 (default 10.0.2.15/24, the relay is 10.0.2.2); --ip ${o.ip} is not`);
  }
  const servers: net.Server[] = [];
  try {
    for (const p of o.ports) {
      const s = net.createServer({ pauseOnConnect: true });
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: p.hostAddress, port: p.hostPort, exclusive: true }, () => resolve());
      });
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw new RunError(`Cannot publish a port: ${(e as Error).message}`);
  }
  // The listening descriptor itself goes to the child (Node has no public accessor for it).
  const fds = servers.map((s) => (s as unknown as { _handle: { fd: number } })._handle.fd);
  const cmdline = kernelCommandLine({ ...o, ip: o.ip ?? `${USERNET.guest}/${USERNET.prefix}`, gateway: o.gateway ?? USERNET.host });
  const spec = {
    runner: [PROCESS_RUNNER, o.image, mem, cmdline],
    mac: randomMac(),
    guest: o.ip ? o.ip.split('/')[0] : USERNET.guest,
    ports: o.ports.map((p, i) => ({ fd: 3 + i, guestPort: p.guestPort })),
  };
  return {
    argv: ['unshare', '--user', '--map-root-user', '--net', '--', process.execPath, path.join(ROOT, 'cli', 'nimbus.mjs'), '__usernet', JSON.stringify(spec)],
    fds,
    // The child has its copies; ours must not accept anything (same tick as the spawn).
    spawned: () => { for (const s of servers) s.close(); },
  };
}
