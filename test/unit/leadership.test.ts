// MasterLeadership with the real Master, SoloElector and MemoryStore: what a master does on gaining and losing
// leadership (the ZooKeeper elector drives the same code in test/e2e/ha-failover.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/common/clock.ts';
import { createLogger } from '../../src/common/logger.ts';
import { DrfAllocator } from '../../src/master/allocator/drf.ts';
import { MasterLeadership } from '../../src/master/leadership.ts';
import { Master } from '../../src/master/master.ts';
import { MasterMetrics } from '../../src/master/metrics.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { SoloElector } from '../../src/state/solo-elector.ts';
import { eventually } from '../helpers/processes.ts';

const logger = createLogger('test', 'error');

async function setup(agentReregisterTimeoutMs: number) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  await store.put('/master/registry/agents/a1', { hostname: 'h1' });
  await store.put('/master/registry/agents/a2', { hostname: 'h2' });
  await store.put('/master/registry/weights', { web: 3 });
  const master = new Master({
    hostname: 'm1', ip: '127.0.0.1', port: 5050, store, allocator: new DrfAllocator({ clock }), clock, logger, metrics: new MasterMetrics(),
    allocationIntervalMs: 1000, agentPingTimeoutMs: 15_000, maxAgentPingTimeouts: 5, heartbeatIntervalSeconds: 15,
    maxCompletedFrameworks: 50, maxCompletedTasksPerFramework: 1000, flags: {},
  });
  const elector = new SoloElector();
  const allocators: DrfAllocator[] = [];
  const leadership = new MasterLeadership(master, elector, {
    agentReregisterTimeoutMs, clock, logger, makeAllocator: () => { const a = new DrfAllocator({ clock }); allocators.push(a); return a; },
  });
  return { clock, store, master, elector, leadership, allocators };
}

describe('MasterLeadership', () => {
  it('on election recovers the registry, leads, and redirects to itself', async () => {
    const { master, leadership, clock } = await setup(60_000);
    assert.equal(master.leader, true, 'constructed masters lead by default; start() must not rely on that');
    await leadership.start();
    assert.equal(master.leader, true);
    assert.equal(master.electedTime, clock.now());
    assert.deepEqual([...master.recoveredAgents.keys()].sort(), ['a1', 'a2'], 'registry agents wait for re-registration');
    assert.deepEqual(master.weights, { web: 3 });
    assert.equal(leadership.leaderAddress(), 'm1:5050');
    await leadership.stop();
  });

  it('marks registry agents that do not re-register in time unreachable, in memory and in the registry', async () => {
    const { master, leadership, store, clock } = await setup(30);
    await leadership.start();
    await eventually(() => master.unreachableAgents.size === 2, 5000, 10);
    assert.equal(master.recoveredAgents.size, 0);
    assert.deepEqual(master.unreachableAgents.get('a1'), { time: clock.now(), hostname: 'h1' });
    assert.deepEqual((await store.get('/master/registry/agents/a2'))?.value, { hostname: 'h2', unreachable_time: clock.now() });
    await leadership.stop();
  });

  it('on losing leadership stops at once and forgets the term; a new term starts clean with a fresh allocator', async () => {
    const { master, elector, leadership, allocators } = await setup(60_000);
    await leadership.start();
    master.completedFrameworks.push({} as never);
    await elector.stop(); // SoloElector notifies synchronously: leadership is gone
    assert.equal(master.leader, false);
    assert.equal(master.electedTime, undefined);
    assert.equal(master.recoveredAgents.size, 0);
    assert.equal(master.completedFrameworks.length, 0);
    assert.deepEqual(master.weights, {});
    assert.equal(leadership.leaderAddress(), undefined, 'nobody to redirect to');
    await elector.start({ id: master.id, data: master.info });
    await eventually(() => master.leader, 5000, 10);
    assert.equal(master.recoveredAgents.size, 2, 'the new term recovered the registry again');
    assert.equal(master.opts.allocator, allocators.at(-1));
    assert.ok(allocators.length >= 2, 'each term gets its own allocator');
    await leadership.stop();
  });
});
