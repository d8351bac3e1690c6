/**
 * The fleet's host network plan and its address allocator (pure: no I/O).
 *
 * Instances sit on Linux bridges; a bridge holds at most 1,024 ports (BR_MAX_PORTS in the
 * kernel), so the fleet uses several, each with its own routed /22 subnet: bridge b owns
 * BASE + b*4.0/22, the host is .1 on it (the instances' gateway; the host routes between the
 * bridges), and up to PORTS_PER_BRIDGE instances get the addresses after it. A slot number
 * names one (bridge, address) pair; a slot is used by at most one instance record, so two
 * instances never share an address, and a freed slot is reused lowest first.
 */

/** Ports (taps) per bridge: under the kernel's 1,024, and inside one /22 (1,022 hosts, less the host's .1). */
export const PORTS_PER_BRIDGE = 1000;
const SUBNET_PREFIX = 22;
const BRIDGE_SPAN = 1 << (32 - SUBNET_PREFIX); // addresses per bridge subnet

export interface NetPlan {
  /** First address of the fleet's range, e.g. 10.200.0.0 (a /16: 64 bridges of /22). */
  base: number;
  bridges: number;
  portsPerBridge: number;
  /** Interface name prefix: bridges `${prefix}br${b}`, taps `${prefix}${slot}` (IFNAMSIZ 16). */
  ifPrefix: string;
}

export interface SlotAddress {
  slot: number;
  bridge: string;
  tap: string;
  /** The instance's address and prefix, as `--ip` takes it. */
  ip: string;
  prefix: number;
  gateway: string;
  /** The host's address on the bridge, with its prefix (ip addr add). */
  hostCidr: string;
}

export function parseIpv4(text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new RangeError(`Invalid IPv4 address '${text}'`);
  return m.slice(1).reduce((a, x) => a * 256 + Number(x), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The plan from NIMBUS_FLEET_SUBNET (a /16, default 10.200.0.0/16) and NIMBUS_FLEET_IFPREFIX (default nf). */
export function netPlan(env: Record<string, string | undefined> = process.env): NetPlan {
  const subnet = env.NIMBUS_FLEET_SUBNET ?? '10.200.0.0/16';
  const m = /^([\d.]+)\/(\d+)$/.exec(subnet);
  if (!m) throw new RangeError(`NIMBUS_FLEET_SUBNET must be ADDR/PREFIX, got '${subnet}'`);
  const prefix = Number(m[2]);
  if (prefix > SUBNET_PREFIX || prefix < 8) throw new RangeError(`NIMBUS_FLEET_SUBNET must be a /8 to a /${SUBNET_PREFIX}, got /${prefix}`);
  const size = 2 ** (32 - prefix);
  const base = parseIpv4(m[1]!);
  if (base % size !== 0) throw new RangeError(`NIMBUS_FLEET_SUBNET ${subnet} has host bits set`);
  const ifPrefix = env.NIMBUS_FLEET_IFPREFIX ?? 'nf';
  if (!/^[a-z][a-z0-9]{0,4}$/.test(ifPrefix)) throw new RangeError(`NIMBUS_FLEET_IFPREFIX must be 1-5 lower-case letters or digits, got '${ifPrefix}'`);
  return { base, bridges: Math.min(size / BRIDGE_SPAN, 64), portsPerBridge: PORTS_PER_BRIDGE, ifPrefix };
}

export function capacity(plan: NetPlan): number {
  return plan.bridges * plan.portsPerBridge;
}

export function bridgeName(plan: NetPlan, b: number): string {
  return `${plan.ifPrefix}br${b}`;
}

export function slotAddress(plan: NetPlan, slot: number): SlotAddress {
  if (!Number.isInteger(slot) || slot < 0 || slot >= capacity(plan)) throw new RangeError(`slot ${slot} is outside the fleet's network (capacity ${capacity(plan)})`);
  const b = Math.floor(slot / plan.portsPerBridge);
  const net = plan.base + b * BRIDGE_SPAN;
  return {
    slot,
    bridge: bridgeName(plan, b),
    tap: `${plan.ifPrefix}${slot}`,
    ip: formatIpv4(net + 2 + (slot % plan.portsPerBridge)),
    prefix: SUBNET_PREFIX,
    gateway: formatIpv4(net + 1),
    hostCidr: `${formatIpv4(net + 1)}/${SUBNET_PREFIX}`,
  };
}

/** `count` free slots, lowest first, none of them in `used`; throws when the network is full. */
export function allocateSlots(plan: NetPlan, used: Iterable<number>, count: number): number[] {
  const taken = new Set(used);
  const out: number[] = [];
  for (let s = 0; out.length < count && s < capacity(plan); s++) if (!taken.has(s)) out.push(s);
  if (out.length < count) {
    throw new RangeError(`the fleet's network has room for ${capacity(plan) - taken.size} more instances, not ${count} (NIMBUS_FLEET_SUBNET: ${plan.bridges} bridges of ${plan.portsPerBridge})`);
  }
  return out;
}
