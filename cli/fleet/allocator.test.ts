import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateSlots, capacity, netPlan, slotAddress } from './allocator.ts';

const plan = netPlan({});

test('slotAddress() puts 1,000 instances on each bridge, each bridge its own /22 with the host at .1', () => {
  assert.deepEqual(slotAddress(plan, 0), { slot: 0, bridge: 'nfbr0', tap: 'nf0', ip: '10.200.0.2', prefix: 22, gateway: '10.200.0.1', hostCidr: '10.200.0.1/22' });
  assert.equal(slotAddress(plan, 999).ip, '10.200.3.233');
  assert.equal(slotAddress(plan, 999).bridge, 'nfbr0');
  const b1 = slotAddress(plan, 1000);
  assert.deepEqual([b1.bridge, b1.ip, b1.gateway], ['nfbr1', '10.200.4.2', '10.200.4.1']);
  assert.equal(slotAddress(plan, 2999).bridge, 'nfbr2');
  assert.throws(() => slotAddress(plan, capacity(plan)), RangeError);
});

test('3,000 slots give 3,000 distinct addresses inside their bridge subnets, no bridge over 1,024 ports', () => {
  const slots = allocateSlots(plan, [], 3000);
  const addrs = slots.map((s) => slotAddress(plan, s));
  assert.equal(new Set(addrs.map((a) => a.ip)).size, 3000);
  assert.equal(new Set(addrs.map((a) => a.tap)).size, 3000);
  assert.ok(addrs.every((a) => a.ip !== a.gateway && a.tap.length < 16));
  const perBridge = new Map<string, number>();
  for (const a of addrs) perBridge.set(a.bridge, (perBridge.get(a.bridge) ?? 0) + 1);
  assert.ok([...perBridge.values()].every((n) => n <= 1024), JSON.stringify([...perBridge]));
  // Every address is in its gateway's /22.
  const n = (ip: string) => ip.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  assert.ok(addrs.every((a) => (n(a.ip) >>> 10) === (n(a.gateway) >>> 10)));
});

test('allocateSlots() skips used slots, reuses freed ones lowest first, and refuses past capacity', () => {
  assert.deepEqual(allocateSlots(plan, [0, 1, 3], 3), [2, 4, 5]);
  assert.throws(() => allocateSlots(plan, [], capacity(plan) + 1), /room for 64000 more instances, not 64001/);
});

test('netPlan() reads NIMBUS_FLEET_SUBNET and NIMBUS_FLEET_IFPREFIX, and rejects bad ones', () => {
  const p = netPlan({ NIMBUS_FLEET_SUBNET: '172.30.0.0/20', NIMBUS_FLEET_IFPREFIX: 'tq' });
  assert.equal(p.bridges, 4);
  assert.deepEqual([slotAddress(p, 0).ip, slotAddress(p, 0).tap], ['172.30.0.2', 'tq0']);
  assert.throws(() => netPlan({ NIMBUS_FLEET_SUBNET: '10.0.0.1/16' }), /host bits/);
  assert.throws(() => netPlan({ NIMBUS_FLEET_SUBNET: '10.0.0.0/24' }), RangeError);
  assert.throws(() => netPlan({ NIMBUS_FLEET_IFPREFIX: 'toolongname' }), RangeError);
});
