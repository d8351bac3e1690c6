/**
 * The fleet's host network: Linux bridges with routed subnets (cli/fleet/allocator.ts) and one
 * persistent tap per instance on them, made and removed with `ip -batch` (one `ip` process per
 * batch of instances, not one per command). Each instance's MAC is ours to choose, so the host
 * learns it up front (a permanent neighbour entry): the first packet to an instance does not
 * wait for ARP, and thousands of instances do not overflow the ARP cache (permanent entries
 * are not garbage-collected, so they do not count against gc_thresh3), and the bridge learns
 * its port up front (a static FDB entry). Needs CAP_NET_ADMIN.
 *
 * The taps are isolated bridge ports: a broadcast from one instance (its ARP for the gateway)
 * reaches the host, not the 999 other instances on its bridge, which would each wake to drop
 * it (a fleet of N starting would cost N^2 wake-ups); nor does multicast (mcast_flood off). The host answers ARP for every address
 * on the bridge (proxy_arp_pvlan: proxy ARP back out of the interface it came in on, for
 * private VLANs) and routes between instances, on one bridge as across bridges.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { InstanceNet } from './store.ts';

export class HostNetError extends Error {}

/** Taps and bridges need CAP_NET_ADMIN; say so before anything is half made. */
export function requireNetAdmin(): void {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch { /* not Linux: ip will say what is wrong */ }
  const eff = /^CapEff:\s+([0-9a-f]+)$/m.exec(status)?.[1];
  const CAP_NET_ADMIN = 12n;
  if (eff !== undefined && ((BigInt(`0x${eff}`) >> CAP_NET_ADMIN) & 1n) === 1n) return;
  throw new HostNetError('the fleet network (a bridge and a tap per instance) needs root (CAP_NET_ADMIN): run nimbus up as root, or use --net none for instances without a network');
}

const ipBatch = (lines: string[]) => batch('ip', lines);

function batch(tool: 'ip' | 'bridge', lines: string[]): string[] {
  if (lines.length === 0) return [];
  // The kernel takes tens of ms per link it deletes (more under load): allow for it.
  const r = spawnSync(tool, ['-force', '-batch', '-'], { input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 + 250 * lines.length });
  if (r.error) throw new HostNetError(`cannot run ${tool} (iproute2): ${r.error.message}`);
  return r.stderr.split('\n').filter((l) => l.trim() && !/^Command failed -:\d+$/.test(l.trim()));
}

const linkExists = (name: string) => existsSync(`/sys/class/net/${name}`);

/** Makes the bridges (if missing) and the taps of `nets`, each tap up on its bridge. */
export function addTaps(nets: InstanceNet[], hostCidrOf: (bridge: string) => string): void {
  const lines: string[] = [];
  const bridges = [...new Set(nets.map((n) => n.bridge))].filter((b) => !linkExists(b));
  for (const b of bridges) {
    lines.push(`link add ${b} type bridge`, `addr add ${hostCidrOf(b)} dev ${b}`, `link set ${b} up`);
  }
  for (const n of nets) {
    if (!linkExists(n.tap)) lines.push(`tuntap add dev ${n.tap} mode tap`);
    lines.push(`link set ${n.tap} master ${n.bridge} up`, `link set dev ${n.tap} type bridge_slave isolated on flood off mcast_flood off`, `neigh replace ${n.ip} lladdr ${n.mac} dev ${n.bridge} nud permanent`);
  }
  const errors = ipBatch(lines).filter((l) => !/File exists/.test(l));
  // The bridge knows each instance's port before it sends anything: a frame for an instance
  // that has not spoken yet (the first health check) goes to its port alone, not to every port
  // (flood off above: no port gets unicast meant for another).
  errors.push(...batch('bridge', nets.map((n) => `fdb replace ${n.mac} dev ${n.tap} master static`)));
  // The host routes between instances (their subnets are its own): forwarding on these bridges
  // only, proxy ARP for isolated ports, and no redirects (the route in is the route out).
  // No IPv6 on the bridge: its multicast (MLD, router solicitations) would only wake instances.
  for (const b of bridges) {
    for (const [key, value] of [['ipv4/conf/B/forwarding', '1'], ['ipv4/conf/B/proxy_arp_pvlan', '1'], ['ipv4/conf/B/send_redirects', '0'], ['ipv6/conf/B/disable_ipv6', '1']]) {
      try {
        writeFileSync(`/proc/sys/net/${key.replace('B', b)}`, value);
      } catch { /* a read-only /proc/sys: instances still reach the host */ }
    }
  }
  const missing = nets.filter((n) => !linkExists(n.tap));
  if (missing.length) throw new HostNetError(`cannot make taps ${missing.slice(0, 3).map((n) => n.tap).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}: ${errors.slice(0, 3).join('; ') || 'ip failed'}`);
}

/** Removes the taps of `nets` and their neighbour entries; bridges left with no port go too. */
export function removeTaps(nets: InstanceNet[], bridgesInUse: Set<string>): void {
  const lines: string[] = [];
  const dropBridges = new Set([...new Set(nets.map((n) => n.bridge))].filter((b) => !bridgesInUse.has(b) && linkExists(b)));
  for (const n of nets) if (linkExists(n.tap)) lines.push(`link del ${n.tap}`);
  // flush, not del: in a batch, a failing `neigh del` ends the batch even with -force.
  for (const n of nets) if (!dropBridges.has(n.bridge) && linkExists(n.bridge)) lines.push(`neigh flush to ${n.ip} dev ${n.bridge} nud permanent`);
  for (const b of dropBridges) lines.push(`link del ${b}`);
  ipBatch(lines);
}

/** Removes links by name (stale taps and bridges a dead fleet left). */
export function removeLinks(names: string[]): void {
  ipBatch(names.filter((n) => n && linkExists(n)).map((n) => `link del ${n}`));
}
