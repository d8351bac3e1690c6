/**
 * Node-only test helper (never bundled into an image): the real runtime loop on a fake hw,
 * two NetworkServices (A = 10.0.0.1, B = 10.0.0.2, /24, B is A's DNS server) joined by the
 * in-memory Link of os/net/testing (optional loss, latency, jitter). The link is one more
 * LoopSource, so `run()` drives everything through EventLoop.run(), simulated time jumping
 * to the earliest deadline through the fake hw's yield().
 *
 * `run()` alternates EventLoop.run() with a turn of Node's own event loop so that promise
 * continuations (Node's microtasks, which the fake hw cannot drain) get to run, until the
 * loop stays idle. During EventLoop.run() process.nextTick is the loop's (as in the image). Exceptions thrown by callbacks propagate out of run() (the test fails
 * with the real error instead of a simulated process exit).
 */
import { createFakeHw, type FakeHw } from '../hw/fake.ts';
import { formatIpv4 } from '../net/addr.ts';
import { Link, seededRandom, type LinkEndpoint, type LinkOptions } from '../net/testing/sim.ts';
import type { EventLoop } from '../runtime/loop.ts';
import { installRuntime } from '../runtime/runtime.ts';
import { createNetworkService, setNetwork, type NetworkService, type NetworkServiceOptions } from './index.ts';

export interface TestNetwork {
  hw: FakeHw;
  loop: EventLoop;
  a: NetworkService;
  b: NetworkService;
  link: Link;
  /** Drive the loop until it is idle (bounded); returns the simulated time spent. */
  run(maxRounds?: number): Promise<number>;
}

export const ADDR_A = '10.0.0.1';
export const ADDR_B = '10.0.0.2';

export function createTestNetwork(opts: { link?: LinkOptions; a?: Partial<NetworkServiceOptions>; b?: Partial<NetworkServiceOptions>; seed?: number } = {}): TestNetwork {
  const hw = createFakeHw({ seed: opts.seed ?? 7 });
  const rt = installRuntime(hw, {});
  const loop = rt.loop;
  loop.setUncaughtHandler((e) => { throw e; });
  const outA: Uint8Array[] = [];
  const outB: Uint8Array[] = [];
  const a = createNetworkService({
    loop, hw, random: seededRandom(opts.seed ?? 11), mac: new Uint8Array([2, 0, 0, 0, 0, 1]),
    transmit: (f) => { outA.push(f.slice()); return true; },
    static: { address: ADDR_A, prefixLength: 24, dns: [ADDR_B] }, ...opts.a,
  });
  const b = createNetworkService({
    loop, hw, random: seededRandom((opts.seed ?? 11) + 1), mac: new Uint8Array([2, 0, 0, 0, 0, 2]),
    transmit: (f) => { outB.push(f.slice()); return true; },
    static: { address: ADDR_B, prefixLength: 24, dns: [ADDR_A] }, ...opts.b,
  });
  // Link endpoints: frames the services transmitted go on the wire; frames off the wire
  // are handed to the services as a driver would.
  const endpoint = (svc: NetworkService, out: Uint8Array[]): LinkEndpoint => ({
    receive: (_now, frame) => svc.receive(frame),
    poll: (_now, transmit) => { for (const f of out.splice(0)) transmit(f); },
    pollAt: (now) => (out.length > 0 ? now : Infinity),
  });
  const link = new Link(endpoint(a, outA), endpoint(b, outB), opts.link ?? {}, hw.now());
  loop.addSource({
    irqMask: 0,
    nextDeadline: (now) => (outA.length > 0 || outB.length > 0 ? now : link.nextEventAt()),
    run: (now) => {
      link.now = Math.max(link.now, now);
      for (let i = 0; i < 10_000 && link.step(now); i++) { /* deliver everything due */ }
    },
    isRef: () => false,
  });
  setNetwork(a);
  // yield(Infinity) means "nothing left but ref'd idle handles": leave EventLoop.run() so
  // Node can run promise continuations, instead of the fake hw's "would hang" error.
  const IDLE = Symbol('idle');
  const realYield = hw.yield.bind(hw);
  hw.yield = (deadline: number): number => {
    if (deadline === Infinity) throw IDLE;
    return realYield(deadline);
  };
  const run = async (maxRounds = 1000): Promise<number> => {
    const start = hw.now();
    let idleRounds = 0;
    for (let i = 0; i < maxRounds; i++) {
      let idle = false;
      // While the loop runs, process.nextTick is the loop's, as in the image: readable-stream
      // (net.Socket, IncomingMessage) schedules through it, and Node's own queue would only
      // drain after run() returned, out of order with the loop's events.
      const nodeNextTick = process.nextTick;
      process.nextTick = ((cb: (...a: unknown[]) => void, ...args: unknown[]) => loop.nextTick(cb, ...args)) as typeof process.nextTick;
      try {
        loop.run();
      } catch (e) {
        if (e !== IDLE) throw e;
        idle = true;
      } finally {
        process.nextTick = nodeNextTick;
      }
      await new Promise((r) => setImmediate(r));
      if (!idle && !loop.isAlive()) return hw.now() - start;
      idleRounds = idle ? idleRounds + 1 : 0;
      if (idleRounds >= 3) return hw.now() - start;
    }
    throw new Error(`test network still busy after ${maxRounds} rounds`);
  };
  return { hw, loop, a, b, link, run };
}

export function addressOf(svc: NetworkService): string {
  return formatIpv4(svc.address!);
}
