/**
 * The process target's user mode, inside its own user + network namespace (started by
 * cli/process-target.ts through `unshare --user --map-root-user --net`, so no root is needed):
 *
 *     host 127.0.0.1:H ──(listener opened on the host, passed in as fd 3+)──▶ this relay
 *       ──TCP in the namespace──▶ nb-host 10.0.2.2 ═veth═ nb-guest ──packet socket──▶ instance 10.0.2.15:G
 *
 * The namespace's root may create a veth pair and open a packet socket on it (no /dev/net/tun
 * needed); build/nimbus-netfd hands that socket to the runner as its link. The relay accepts on
 * the host's listeners (a socket stays in the namespace it was made in) and connects to the
 * instance's port over the veth pair. Nothing else is reachable: the namespace has no uplink.
 * The runner's console goes straight to our stdout; we end with its status.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { NETFD } from './paths.ts';
import { USERNET } from './process-target.ts';

interface Spec {
  runner: string[];
  mac: string;
  guest: string;
  ports: { fd: number; guestPort: number }[];
}

function setUpLink(): void {
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'nb-host', 'type', 'veth', 'peer', 'name', 'nb-guest');
  // The guest end is only a wire for the instance: the namespace's kernel stays off it.
  writeFileSync('/proc/sys/net/ipv6/conf/nb-guest/disable_ipv6', '1');
  ip('addr', 'add', `${USERNET.host}/${USERNET.prefix}`, 'dev', 'nb-host');
  ip('link', 'set', 'nb-guest', 'up');
  ip('link', 'set', 'nb-host', 'up');
}

/** Pipes a published connection to the instance, half-closes passed on. */
function relay(client: net.Socket, guest: string, port: number): void {
  const upstream = net.connect({ host: guest, port, allowHalfOpen: true });
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  upstream.on('connect', () => {
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}

export async function usernetMain(specText: string): Promise<number> {
  const spec = JSON.parse(specText) as Spec;
  try {
    setUpLink();
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    process.stderr.write(`nimbus: cannot set up the user-mode network in a user namespace: ${err.stderr?.toString().trim() || err.message}\n`);
    return 125;
  }
  const servers = spec.ports.map(({ fd, guestPort }) => {
    const s = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (c) => relay(c, spec.guest, guestPort));
    s.listen({ fd });
    return s;
  });
  const child = spawn(NETFD, ['packet:nb-guest:nb-host', '3', ...spec.runner, '3', spec.mac], { stdio: ['ignore', 'inherit', 'inherit'] });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  // With NIMBUS_EXIT_WITH_PARENT=1 (`nimbus run`), a CLI that is gone (SIGKILL, no chance to stop
  // us) ends the relay; the runner, its child, then dies by its parent-death signal.
  if (process.env.NIMBUS_EXIT_WITH_PARENT === '1') {
    const parent = process.ppid;
    setInterval(() => { if (process.ppid !== parent) { child.kill('SIGKILL'); process.exit(125); } }, 250).unref();
  }
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  for (const s of servers) s.close();
  if (signal) {
    // End as the runner did, so the CLI outside sees the same signal (SIGSYS: the seccomp kill).
    process.off('SIGTERM', forward);
    process.off('SIGINT', forward);
    process.kill(process.pid, signal);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return status ?? 125;
}
