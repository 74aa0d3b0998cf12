import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseResources, parseAttributes, Resources, mergeRanges, subtractRanges, rangesContain, roundScalar, type Range } from '../../src/common/resources.ts';

describe('resource parsing', () => {
  it('reads Mesos text with scalars, ranges, sets and roles', () => {
    const r = parseResources('cpus:2;mem:1024;disk:5000;ports:[31000-32000, 33000-33001];bugs(qa):{a,b}');
    assert.equal(r.scalar('cpus'), 2);
    assert.equal(r.scalar('mem'), 1024);
    assert.deepEqual(r.ranges('ports'), [[31000, 32000], [33000, 33001]]);
    assert.deepEqual(r.set('bugs'), ['a', 'b']);
    assert.deepEqual(r.toLegacy(), { cpus: 2, gpus: 0, mem: 1024, disk: 5000, ports: '[31000-32000, 33000-33001]', bugs: '{a, b}' });
    const json = r.toJSON();
    const bugs = json.find((x) => x.name === 'bugs')!;
    assert.equal(bugs.role, 'qa');
    assert.deepEqual(bugs.reservations, [{ type: 'STATIC', role: 'qa' }]);
  });

  it('rejects unparsable text naming the bad part', () => {
    assert.throws(() => parseResources('cpus:abc'), /bad scalar 'abc' for 'cpus'/);
    assert.throws(() => parseResources('cpus'), /expected name:value/);
    assert.throws(() => parseResources('ports:[5-1]'), /begin > end/);
    assert.throws(() => parseResources('mem:-5'), /negative/);
    assert.throws(() => parseResources('ports:[1-2'), /bad ranges/);
  });

  it('accepts a JSON array of Resource objects', () => {
    const r = parseResources('[{"name":"cpus","type":"SCALAR","scalar":{"value":1.5}}]');
    assert.equal(r.scalar('cpus'), 1.5);
  });

  it('reads attributes as SCALAR, RANGES or TEXT like Mesos', () => {
    assert.deepEqual(parseAttributes('rack:r1;n:8;slots:[1-4]'), [
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'n', type: 'SCALAR', scalar: { value: 8 } },
      { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 4 }] } },
    ]);
  });
});

describe('resource arithmetic', () => {
  it('keeps scalars in fixed point with three decimals', () => {
    const a = Resources.scalars({ cpus: 0.1 }).plus(Resources.scalars({ cpus: 0.2 }));
    assert.equal(a.scalar('cpus'), 0.3);
    assert.equal(roundScalar(1.00049), 1);
    assert.ok(Resources.scalars({ cpus: 0.3 }).contains(a));
  });

  it('subtracts and contains ranges and sets', () => {
    const agent = parseResources('ports:[31000-32000];bugs:{a,b,c}');
    const used = parseResources('ports:[31000-31000, 31500-31600];bugs:{b}');
    const left = agent.minus(used);
    assert.deepEqual(left.ranges('ports'), [[31001, 31499], [31601, 32000]]);
    assert.deepEqual(left.set('bugs'), ['a', 'c']);
    assert.ok(agent.contains(used));
    assert.ok(!left.contains(used));
  });

  it('keeps reserved resources apart from unreserved ones', () => {
    const r = parseResources('cpus:4;cpus(web):2');
    assert.equal(r.scalar('cpus'), 6);
    assert.equal(r.allocatableTo('web').scalar('cpus'), 6);
    assert.equal(r.allocatableTo('batch').scalar('cpus'), 4);
    assert.ok(!parseResources('cpus:4').contains(parseResources('cpus(web):1')));
  });

  const rangeArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 50 })).map(([b, len]) => [b, b + len] as Range), { maxLength: 6 });
  const resArb = fc.record({ cpus: fc.integer({ min: 0, max: 16000 }).map((n) => n / 1000), mem: fc.integer({ min: 0, max: 65536 }), ports: rangeArb })
    .map(({ cpus, mem, ports }) => Resources.fromJSON([
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
      { name: 'ports', type: 'RANGES', ranges: { range: ports.map(([begin, end]) => ({ begin, end })) } },
    ]));

  it('property: (a + b) - b == a and a + b contains both', () => {
    fc.assert(fc.property(resArb, resArb, (a, b) => {
      const sum = a.plus(b);
      assert.ok(sum.contains(a) && sum.contains(b));
      // Ranges may overlap, so only scalars are exactly invertible.
      const back = sum.minus(b);
      assert.equal(back.scalar('cpus'), a.scalar('cpus'));
      assert.equal(back.scalar('mem'), a.scalar('mem'));
    }));
  });

  it('property: a - b never contains what was removed from a, and stays within a', () => {
    fc.assert(fc.property(resArb, resArb, (a, b) => {
      const diff = a.minus(b);
      assert.ok(a.contains(diff));
      for (const [begin, end] of diff.ranges('ports')) for (const [rb, re] of b.ranges('ports')) assert.ok(end < rb || begin > re, 'removed ports are gone');
    }));
  });

  it('property: merged ranges are sorted, disjoint and cover the same numbers', () => {
    fc.assert(fc.property(rangeArb, rangeArb, (x, y) => {
      const merged = mergeRanges([...x, ...y]);
      for (let i = 1; i < merged.length; i++) assert.ok(merged[i]![0] > merged[i - 1]![1] + 1);
      assert.ok(rangesContain(merged, x) && rangesContain(merged, y));
      assert.deepEqual(subtractRanges(merged, merged), []);
    }));
  });

  it('property: the shortcuts for empty and identical bags (shared, not copied) agree with the general math', () => {
    fc.assert(fc.property(resArb, (a) => {
      const before = a.toString();
      const empty = Resources.empty();
      assert.equal(a.plus(empty).toString(), before);
      assert.equal(empty.plus(a).toString(), before);
      assert.equal(a.minus(empty).toString(), before);
      assert.ok(a.minus(a).isEmpty(), 'a - a is empty');
      assert.ok(a.contains(a) && a.contains(empty));
      // The general path over an equal copy gives the same answers.
      const copy = Resources.fromJSON(a.toJSON());
      assert.ok(a.minus(copy).isEmpty());
      assert.equal(empty.plus(copy).toString(), before);
      assert.equal(a.toString(), before, 'operands never change');
      assert.ok(Resources.empty().isEmpty(), 'the shared empty bag stays empty');
    }));
  });
});
