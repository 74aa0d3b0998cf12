import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../src/common/clock.ts';
import { parseResources, Resources } from '../../src/common/resources.ts';
import { DrfAllocator } from '../../src/master/allocator/drf.ts';
import type { Allocation } from '../../src/master/allocator/allocator.ts';

const AGENT = 'cpus:4;mem:4096;disk:1000;ports:[31000-31010]';

function setup(agents = 1, text = AGENT) {
  const clock = new ManualClock();
  let seed = 1;
  const alloc = new DrfAllocator({ clock, random: () => ((seed = (seed * 16807) % 2147483647) / 2147483647) });
  for (let i = 0; i < agents; i++) alloc.addAgent(`a${i}`, parseResources(text));
  return { clock, alloc };
}

describe('DRF allocator', () => {
  it('offers a whole agent to one framework and never the same resources twice', () => {
    const { alloc } = setup(1);
    alloc.addFramework('f1', ['*']);
    alloc.addFramework('f2', ['*']);
    const first = alloc.allocate();
    assert.equal(first.length, 1);
    assert.equal(first[0]!.resources.scalar('cpus'), 4);
    assert.deepEqual(alloc.allocate(), [], 'nothing left to offer');
    assert.ok(alloc.available('a0').isEmpty());
  });

  it('gives the next agent to the framework with the lower dominant share', () => {
    const { alloc } = setup(0);
    alloc.addAgent('a0', parseResources('cpus:10;mem:100'));
    alloc.addFramework('cpu-heavy', ['*']);
    alloc.addFramework('mem-heavy', ['*']);
    const [offer] = alloc.allocate();
    // Holder keeps 6 cpus (share 0.6) and returns the rest.
    alloc.recoverResources(offer!.frameworkId, '*', 'a0', parseResources('cpus:4;mem:100'));
    const [next] = alloc.allocate();
    assert.notEqual(next!.frameworkId, offer!.frameworkId, 'the other framework (share 0) goes first');
    assert.equal(alloc.frameworkShare(offer!.frameworkId), 0.6);
  });

  it('orders roles by weighted share: a role with weight 3 gets three agents for every one of a weight-1 role', () => {
    const { alloc } = setup(8, 'cpus:1;mem:1024');
    alloc.updateWeights({ heavy: 3 });
    alloc.addFramework('h', ['heavy']);
    alloc.addFramework('l', ['light']);
    const out = alloc.allocate();
    const count = (fw: string) => out.filter((a) => a.frameworkId === fw).length;
    assert.equal(count('h'), 6);
    assert.equal(count('l'), 2);
    assert.equal(alloc.roleShare('heavy'), 6 / 8 / 3);
  });

  it('filters an agent for refuse_seconds, by the injected clock', () => {
    const { clock, alloc } = setup(1);
    alloc.addFramework('f', ['*']);
    const [o] = alloc.allocate();
    alloc.recoverResources('f', '*', 'a0', o!.resources, 5);
    assert.deepEqual(alloc.allocate(), []);
    clock.advance(4999);
    assert.deepEqual(alloc.allocate(), []);
    clock.advance(2);
    assert.equal(alloc.allocate().length, 1);
  });

  it('suppress stops offers and revive resumes them, clearing filters', () => {
    const { alloc } = setup(1);
    alloc.addFramework('f', ['*']);
    alloc.suppress('f');
    assert.deepEqual(alloc.allocate(), []);
    alloc.revive('f');
    const [o] = alloc.allocate();
    alloc.recoverResources('f', '*', 'a0', o!.resources, 3600);
    alloc.revive('f');
    assert.equal(alloc.allocate().length, 1, 'revive clears the filter');
  });

  it('inactive agents and frameworks get nothing', () => {
    const { alloc } = setup(1);
    alloc.addFramework('f', ['*']);
    alloc.deactivateAgent('a0');
    assert.deepEqual(alloc.allocate(), []);
    alloc.activateAgent('a0');
    alloc.deactivateFramework('f');
    assert.deepEqual(alloc.allocate(), []);
    alloc.activateFramework('f');
    assert.equal(alloc.allocate().length, 1);
  });

  it('offers reserved resources only to their role', () => {
    const { alloc } = setup(0);
    alloc.addAgent('a0', parseResources('cpus:2;mem:512;cpus(web):1;mem(web):256'));
    alloc.addFramework('batch', ['batch']);
    const [b] = alloc.allocate();
    assert.equal(b!.resources.scalar('cpus'), 2);
    alloc.addFramework('web', ['web']);
    const [w] = alloc.allocate();
    assert.equal(w!.frameworkId, 'web');
    assert.equal(w!.resources.scalar('cpus'), 1);
    assert.equal(w!.resources.allocatableTo('web').scalar('mem'), 256);
  });

  it('does not offer chunks below the minimum allocatable resources', () => {
    const { alloc } = setup(0);
    alloc.addAgent('a0', parseResources('cpus:0.005;mem:16;disk:100'));
    alloc.addFramework('f', ['*']);
    assert.deepEqual(alloc.allocate(), []);
  });

  it('accounts running tasks of a re-registered agent', () => {
    const { alloc } = setup(0);
    alloc.addFramework('f', ['*']);
    alloc.addAgent('a0', parseResources('cpus:4;mem:4096'), [{ frameworkId: 'f', role: '*', resources: Resources.scalars({ cpus: 3, mem: 1024 }) }]);
    const [o] = alloc.allocate();
    assert.equal(o!.resources.scalar('cpus'), 1);
    assert.equal(o!.resources.scalar('mem'), 3072);
  });

  it('property: random operations never over-allocate an agent nor offer a resource twice', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('allocate' as const) }),
      fc.record({ t: fc.constant('recover' as const), i: fc.nat(), frac: fc.integer({ min: 0, max: 4 }), filter: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ t: fc.constant('addFw' as const), role: fc.constantFrom('*', 'a', 'b') }),
      fc.record({ t: fc.constant('removeAgent' as const), i: fc.nat() }),
      fc.record({ t: fc.constant('addAgent' as const) }),
      fc.record({ t: fc.constant('suppress' as const), i: fc.nat(), revive: fc.boolean() }),
      fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 4000 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const { clock, alloc } = setup(3, 'cpus:4;mem:4096;ports:[1-20]');
      const agents = new Map<string, Resources>([0, 1, 2].map((i) => [`a${i}`, parseResources('cpus:4;mem:4096;ports:[1-20]')]));
      let outstanding: Allocation[] = [];
      let fwSeq = 0; let agentSeq = 3;
      const fws: string[] = [];
      for (const o of ops) {
        if (o.t === 'allocate') outstanding.push(...alloc.allocate());
        else if (o.t === 'recover' && outstanding.length) {
          const idx = o.i % outstanding.length;
          const a = outstanding[idx]!;
          // Give back all of it, or a part (as when tasks use some of an offer).
          const part = o.frac === 0 ? a.resources : Resources.scalars({ cpus: Math.min(a.resources.scalar('cpus'), o.frac / 2) });
          const give = a.resources.contains(part) ? part : a.resources;
          alloc.recoverResources(a.frameworkId, a.role, a.agentId, give, o.filter);
          const rest = a.resources.minus(give);
          outstanding.splice(idx, 1);
          if (!rest.isEmpty()) outstanding.push({ ...a, resources: rest });
        } else if (o.t === 'addFw') { const id = `f${fwSeq++}`; fws.push(id); alloc.addFramework(id, [o.role]); }
        else if (o.t === 'removeAgent' && agents.size) {
          const id = [...agents.keys()][o.i % agents.size]!;
          agents.delete(id); alloc.removeAgent(id);
          outstanding = outstanding.filter((a) => a.agentId !== id);
        } else if (o.t === 'addAgent') { const id = `a${agentSeq++}`; const r = parseResources('cpus:2;mem:1024;ports:[5-9]'); agents.set(id, r); alloc.addAgent(id, r); }
        else if (o.t === 'suppress' && fws.length) { const f = fws[o.i % fws.length]!; if (o.revive) alloc.revive(f); else alloc.suppress(f); }
        else if (o.t === 'tick') clock.advance(o.ms);
        // Invariants: per agent, outstanding allocations + available == total, with no overlap.
        for (const [id, total] of agents) {
          let sum = alloc.available(id);
          for (const a of outstanding.filter((x) => x.agentId === id)) {
            for (const [b, e] of a.resources.ranges('ports')) for (const [sb, se] of sum.ranges('ports')) assert.ok(e < sb || b > se, 'a port range was handed out twice');
            sum = sum.plus(a.resources);
          }
          assert.ok(total.contains(sum), `agent ${id} over-allocated: ${sum.toString()} > ${total.toString()}`);
          assert.ok(sum.contains(total), `agent ${id} lost resources: ${sum.toString()} < ${total.toString()}`);
        }
      }
    }), { numRuns: 200 });
  });

  it('property: one cycle spreads equal agents over a role\'s frameworks by share, skipping suppressed and inactive ones', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.constantFrom('ok', 'suppressed', 'inactive'), { minLength: 8, maxLength: 8 }), (agents, fws, kinds) => {
      const { alloc } = setup(agents, 'cpus:2;mem:1024');
      const eligible: string[] = [];
      for (let f = 0; f < fws; f++) {
        alloc.addFramework(`f${f}`, ['r']);
        if (kinds[f] === 'suppressed') alloc.suppress(`f${f}`);
        else if (kinds[f] === 'inactive') alloc.deactivateFramework(`f${f}`);
        else eligible.push(`f${f}`);
      }
      const out = alloc.allocate();
      if (eligible.length === 0) { assert.deepEqual(out, []); return; }
      assert.equal(out.length, agents, 'every agent is offered once');
      const counts = new Map(eligible.map((f) => [f, 0]));
      for (const a of out) { assert.ok(counts.has(a.frameworkId), `${a.frameworkId} may not be offered`); counts.set(a.frameworkId, counts.get(a.frameworkId)! + 1); }
      // Equal agents: DRF gives the next one to the lowest share, so counts differ by at most one.
      assert.ok(Math.max(...counts.values()) - Math.min(...counts.values()) <= 1, `unfair spread ${[...counts.values()]}`);
    }), { numRuns: 100 });
  });
});
