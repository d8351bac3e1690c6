/**
 * The bulk server (bench/baseline/bulk-server.mjs) with in-guest counters: time spent (hw
 * clock deltas) in the driver, the stack's receive and poll paths and halted in hw.yield,
 * plus the driver's, interface's and TCP's counters. Prints one `PROFILE {...}` line every
 * 2 s while traffic flows. Run it with `node --import tsx bench/profile/run.ts`.
 */
import '../baseline/bulk-server.mjs';
import { VirtioNet } from '../../os/drivers/virtio/net.ts';
import { Interface } from '../../os/net/iface.ts';
import { IsnGenerator } from '../../os/net/tcp/isn.ts';
import { Tcp } from '../../os/net/tcp/tcp.ts';
import { getNetwork, NetworkService } from '../../os/netservice/index.ts';
import { Socket } from '../../os/node/net.ts';
import { EventLoop } from '../../os/runtime/loop.ts';

const hw = (globalThis as any).__nimbus_hw;
const spent: Record<string, number> = {};
const calls: Record<string, number> = {};
function wrap(proto: any, name: string, key: string): void {
  const orig = proto[name];
  spent[key] = 0; calls[key] = 0;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    const t0 = hw.now();
    try { return orig.apply(this, args); } finally { spent[key]! += hw.now() - t0; calls[key]!++; }
  };
}
wrap(VirtioNet.prototype, 'service', 'driver.service');
let driver: VirtioNet | undefined;
{
  // The driver was set up at boot, before this program: find it when it is next serviced.
  const orig = VirtioNet.prototype.service;
  VirtioNet.prototype.service = function (this: VirtioNet, now, ready) { driver = this; return orig.call(this, now, ready); };
}
wrap(VirtioNet.prototype, 'transmit', 'driver.transmit');
wrap(NetworkService.prototype, 'receive', 'stack.receive');
wrap(Tcp.prototype, 'input', 'tcp.input');
wrap(Tcp.prototype, 'poll', 'tcp.poll');
wrap(Interface.prototype, 'poll', 'iface.poll');
wrap(Interface.prototype, 'send', 'iface.send');
wrap(IsnGenerator.prototype, 'isn', 'tcp.isn');
wrap(Socket, '_accepted', 'net.accepted');
// Macrotasks: the outermost invoke (a source's run, a timer, an immediate) and the nested ones
// (socket-layer events and the program's callbacks, deferred by netservice).
{
  const orig = EventLoop.prototype.invoke;
  let depth = 0;
  for (const k of ['loop.task', 'loop.nested']) { spent[k] = 0; calls[k] = 0; }
  EventLoop.prototype.invoke = function (this: EventLoop, fn, thisArg, args) {
    const key = depth === 0 ? 'loop.task' : 'loop.nested';
    const t0 = hw.now();
    depth++;
    try { return orig.call(this, fn, thisArg, args); } finally {
      depth--;
      const dt = hw.now() - t0;
      spent[key]! += dt; calls[key]!++;
      if (depth === 0 && dt > longest.ms) { longest.ms = Math.round(dt); longest.what = `${fn.name || '?'} this=${(thisArg as any)?.constructor?.name} args=${args.length} ${String((thisArg as any)?._onTimeout ?? (thisArg as any)?._onImmediate).slice(0, 200)}`; }
    }
  };
}
const longest = { ms: 0, what: '' };
let idle = 0;
const origYield = hw.yield.bind(hw);
try {
  hw.yield = (deadline: number) => { const t0 = hw.now(); try { return origYield(deadline); } finally { idle += hw.now() - t0; } };
} catch { /* hw frozen: no idle figure */ }

let last = hw.now();
let lastSeg = 0;
const timer = setInterval(() => {
  const net = getNetwork();
  const { tcp, iface } = net.stats();
  const seg = tcp.segmentsIn + tcp.segmentsOut;
  if (seg === lastSeg) return;
  lastSeg = seg;
  const now = hw.now();
  const r: Record<string, unknown> = { windowMs: Math.round(now - last), idleMs: Math.round(idle) };
  for (const k of Object.keys(spent)) { r[k] = `${Math.round(spent[k]!)}ms/${calls[k]}`; spent[k] = 0; calls[k] = 0; }
  idle = 0; last = now;
  r.tcp = tcp;
  r.iface = iface;
  r.txRefused = net.txRefused;
  if (driver) r.driver = { features: `0x${driver.features.toString(16)}`, offered: `0x${driver.transport.deviceFeatures().toString(16)}`, ...driver.stats };
  r.longestTask = { ...longest }; longest.ms = 0;
  console.log(`PROFILE ${JSON.stringify(r)}`);
}, 2000);
timer.unref?.();
