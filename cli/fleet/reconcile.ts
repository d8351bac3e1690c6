/**
 * What a starting supervisor makes of the records it finds (its predecessor may have been
 * killed): an instance whose process still runs (same pid, same start time) is adopted; one
 * whose process is gone has ended, with an unknown code, and its restart policy decides; taps
 * and bridges of the fleet's prefix that no live record owns, and instance directories with no
 * record, are stale and go.
 */
import { readdirSync, rmSync } from 'node:fs';
import { removeLinks, removeTaps } from './hostnet.ts';
import { isOurs } from './host.ts';
import type { NetPlan } from './allocator.ts';
import { files, type FleetState, type InstanceRecord } from './store.ts';

const LIVE = new Set(['created', 'starting', 'running', 'restarting']);

export interface Reconciled {
  /** Records of instances that ended while no supervisor watched them. */
  died: InstanceRecord[];
  notes: string[];
}

export function reconcile(dir: string, state: FleetState, plan: NetPlan): Reconciled {
  const died: InstanceRecord[] = [], notes: string[] = [];
  for (const r of state.instances) {
    if (r.state !== 'starting' && r.state !== 'running') continue;
    if (isOurs(r.pid, r.pidStart)) notes.push(`${r.name}: adopted (pid ${r.pid})`);
    else {
      died.push(r);
      notes.push(`${r.name}: its process ${r.pid ?? '?'} is gone`);
    }
  }
  // Stale links: the fleet's names, not owned by a record that may run again.
  const live = state.instances.filter((r) => LIVE.has(r.state) && r.net);
  const taps = new Set(live.map((r) => r.net!.tap));
  const bridges = new Set(live.map((r) => r.net!.bridge));
  let links: string[] = [];
  try {
    links = readdirSync('/sys/class/net');
  } catch { /* no sysfs */ }
  const tapRe = new RegExp(`^${plan.ifPrefix}(\\d+)$`), brRe = new RegExp(`^${plan.ifPrefix}br(\\d+)$`);
  const stale = links.filter((l) => (tapRe.test(l) && !taps.has(l)) || (brRe.test(l) && !bridges.has(l)));
  if (stale.length) notes.push(`removing stale links: ${stale.slice(0, 10).join(' ')}${stale.length > 10 ? ` and ${stale.length - 10} more` : ''}`);
  // Taps (and bridges) first, then the neighbour entries of stopped instances on live bridges.
  removeLinks(stale.sort((a, b) => Number(brRe.test(a)) - Number(brRe.test(b))));
  removeTaps(state.instances.filter((r) => !LIVE.has(r.state) && r.net).map((r) => r.net!), bridges);
  // Directories of instances that have no record (an rm cut short).
  const known = new Set(state.instances.map((r) => r.name));
  try {
    for (const d of readdirSync(files(dir).instance(''))) {
      if (!known.has(d)) {
        rmSync(files(dir).instance(d), { recursive: true, force: true });
        notes.push(`removed the stale directory of '${d}'`);
      }
    }
  } catch { /* no instances yet */ }
  return { died, notes };
}
