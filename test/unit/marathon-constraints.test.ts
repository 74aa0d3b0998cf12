import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateConstraints, validateConstraints, normalizeConstraints, formatScalar, type Constraint } from '../../src/marathon/constraints.ts';
import { parseAttributes } from '../../src/common/resources.ts';
import type { Offer } from '../../src/proto/mesos.ts';

type Agent = Pick<Offer, 'hostname' | 'attributes'>;
const agent = (hostname: string, attributes = ''): Agent => ({ hostname, attributes: attributes ? parseAttributes(attributes) : [] });
const ok = (c: Constraint[], offer: Agent, placed: Agent[] = []) => evaluateConstraints(c, offer, placed).ok;

test('validation: Marathon messages at /constraints(i), operators case-insensitive', () => {
  assert.deepEqual(validateConstraints([['hostname', 'UNIQUE'], ['rack', 'group_by', '3'], ['hostname', 'LIKE', 'h[0-9]+']]), []);
  const details = validateConstraints([
    ['hostname', 'UNIQUE', 'x'], ['rack', 'GROUP_BY', 'abc'], ['rack', 'MAX_PER'], ['rack', 'MAX_PER', '1.5'],
    ['h', 'LIKE'], ['h', 'UNLIKE', ''], ['h', 'LIKE', '(['], ['h', 'IS', '{a,b}'], ['h', 'NEAR', 'x'], ['h'], ['', 'UNIQUE'], ['h', 'CLUSTER', 'a', 'b'], 'x', [1, 'UNIQUE'],
  ]);
  const byPath = Object.fromEntries(details.map((d) => [d.path, d.errors[0]]));
  assert.equal(byPath['/constraints(0)'], 'UNIQUE does not accept a value');
  assert.equal(byPath['/constraints(1)'], 'GROUP BY must define an integer value or else no value at all');
  assert.equal(byPath['/constraints(2)'], 'MAX_PER requires an integer value');
  assert.equal(byPath['/constraints(3)'], 'MAX_PER requires an integer value');
  assert.equal(byPath['/constraints(4)'], 'LIKE and UNLIKE require a non-empty, regular expression value');
  assert.equal(byPath['/constraints(5)'], 'LIKE and UNLIKE require a non-empty, regular expression value');
  assert.equal(byPath['/constraints(6)'], 'is not a valid regular expression');
  assert.match(byPath['/constraints(7)']!, /^IS only supports Mesos text and float values/);
  assert.equal(byPath['/constraints(8)'], 'operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS');
  assert.equal(byPath['/constraints(9)'], 'Each constraint must have either 2 or 3 fields');
  assert.equal(byPath['/constraints(10)'], 'illegal constraint specification');
  assert.equal(byPath['/constraints(11)'], 'Each constraint must have either 2 or 3 fields');
  assert.ok(byPath['/constraints(12)']);
  assert.ok(byPath['/constraints(13)']);
  assert.equal(details.length, 14);
  assert.deepEqual(validateConstraints({}, '/app/constraints'), [{ path: '/app/constraints', errors: ['expected an array of constraints, each an array of 2 or 3 strings'] }]);
  assert.deepEqual(normalizeConstraints([['rack', 'group_by']]), [['rack', 'GROUP_BY']]);
});

test('validation never throws, whatever the input', () => {
  fc.assert(fc.property(fc.anything(), (raw) => { assert.ok(Array.isArray(validateConstraints(raw))); }));
  fc.assert(fc.property(fc.array(fc.array(fc.string(), { maxLength: 4 })), (raw) => {
    for (const d of validateConstraints(raw)) assert.ok(d.errors.length > 0 && /^\/constraints\(\d+\)$/.test(d.path));
  }));
});

test('UNIQUE on hostname and on an attribute; the reason names the constraint and the host', () => {
  const c: Constraint[] = [['hostname', 'UNIQUE']];
  assert.equal(ok(c, agent('h1')), true);
  assert.deepEqual(evaluateConstraints(c, agent('h1'), [agent('h1')]), { ok: false, reason: 'constraint [hostname, UNIQUE] not met on h1' });
  assert.equal(ok(c, agent('h2'), [agent('h1')]), true);
  const rack: Constraint[] = [['rack', 'UNIQUE']];
  assert.equal(ok(rack, agent('h2', 'rack:a'), [agent('h1', 'rack:a')]), false);
  assert.equal(ok(rack, agent('h2', 'rack:b'), [agent('h1', 'rack:a'), agent('h3')]), true);
  assert.equal(ok(rack, agent('h2')), false, 'an agent without the attribute cannot satisfy UNIQUE');
});

test('CLUSTER with a value pins to it; without a value follows the first placed instance', () => {
  assert.equal(ok([['rack', 'CLUSTER', 'a']], agent('h1', 'rack:a')), true);
  assert.equal(ok([['rack', 'CLUSTER', 'a']], agent('h1', 'rack:b')), false);
  assert.equal(ok([['hostname', 'CLUSTER', 'h1']], agent('h1')), true);
  assert.equal(ok([['hostname', 'CLUSTER', 'h1']], agent('h2')), false);
  assert.equal(ok([['rack', 'CLUSTER']], agent('h1', 'rack:b')), true);
  assert.equal(ok([['rack', 'CLUSTER']], agent('h2', 'rack:b'), [agent('h1', 'rack:b')]), true);
  assert.equal(ok([['rack', 'CLUSTER']], agent('h2', 'rack:c'), [agent('h1', 'rack:b')]), false);
  assert.equal(ok([['hostname', 'CLUSTER']], agent('h2'), [agent('h1')]), false);
});

test('GROUP_BY: new values always welcome, known ones only as the smallest group once enough values are in use', () => {
  const g: Constraint[] = [['rack', 'GROUP_BY']];
  const a = agent('x', 'rack:a'); const b = agent('y', 'rack:b');
  assert.equal(ok(g, a), true);
  assert.equal(ok(g, a, [a]), true, 'only one group known: it is the smallest');
  assert.equal(ok(g, a, [a, b]), true);
  assert.equal(ok(g, a, [a, a, b]), false, 'a is ahead of b');
  assert.equal(ok(g, b, [a, a, b]), true);
  const g3: Constraint[] = [['rack', 'GROUP_BY', '3']];
  assert.equal(ok(g3, a, [a]), false, 'with 3 expected values, rack a waits until two more are in use');
  assert.equal(ok(g3, b, [a]), true);
  assert.equal(ok(g3, a, [a, b, agent('z', 'rack:c')]), true);
  assert.equal(ok(g, agent('n')), false, 'an agent without the attribute is rejected');
});

test('LIKE / UNLIKE are full-match regexes; UNLIKE holds where the attribute is missing', () => {
  assert.equal(ok([['hostname', 'LIKE', 'h[0-9]']], agent('h1')), true);
  assert.equal(ok([['hostname', 'LIKE', 'h']], agent('h1')), false, 'partial matches do not count');
  assert.equal(ok([['hostname', 'UNLIKE', 'h1|h2']], agent('h2')), false);
  assert.equal(ok([['hostname', 'UNLIKE', 'h1|h2']], agent('h3')), true);
  assert.equal(ok([['rack', 'LIKE', 'r.*']], agent('h1', 'rack:r7')), true);
  assert.equal(ok([['rack', 'LIKE', 'r.*']], agent('h1')), false);
  assert.equal(ok([['rack', 'UNLIKE', 'r.*']], agent('h1')), true);
});

test('MAX_PER caps instances per value', () => {
  const c: Constraint[] = [['rack', 'MAX_PER', '2']];
  const a = agent('x', 'rack:a');
  assert.equal(ok(c, a, [a]), true);
  assert.equal(ok(c, a, [a, a]), false);
  assert.equal(ok(c, agent('y', 'rack:b'), [a, a]), true);
  assert.equal(ok([['hostname', 'MAX_PER', '1']], agent('h1'), [agent('h1')]), false);
});

test('IS compares text exactly and scalars as Marathon prints them', () => {
  assert.equal(ok([['rack', 'IS', 'a']], agent('h', 'rack:a')), true);
  assert.equal(ok([['rack', 'IS', 'A']], agent('h', 'rack:a')), false);
  assert.equal(ok([['gen', 'IS', '1.0']], agent('h', 'gen:1')), true);
  assert.equal(ok([['gen', 'IS', '1']], agent('h', 'gen:1.0')), true);
  assert.equal(ok([['gen', 'IS', '1.5']], agent('h', 'gen:1.50')), true);
  assert.equal(ok([['gen', 'IS', '2']], agent('h', 'gen:1')), false);
  assert.equal(ok([['hostname', 'IS', 'h1']], agent('h1')), true);
  assert.equal(ok([['gen', 'IS', '1']], agent('h')), false);
  assert.equal(formatScalar(1.0005), '1');
  assert.equal(formatScalar(1.1235), '1.124');
  assert.equal(formatScalar(2.5), '2.5');
});

test('all constraints must hold', () => {
  const c: Constraint[] = [['hostname', 'UNIQUE'], ['rack', 'IS', 'a']];
  assert.equal(ok(c, agent('h1', 'rack:a')), true);
  assert.deepEqual(evaluateConstraints(c, agent('h2', 'rack:b'), []), { ok: false, reason: 'constraint [rack, IS, a] not met on h2' });
});

/** Places `n` instances greedily: each round, the first agent that passes the constraints takes one. */
function placeGreedily(constraints: Constraint[], agents: Agent[], n: number, order: number[]): Agent[] {
  const placed: Agent[] = [];
  for (let i = 0; i < n; i++) {
    const candidate = order.map((k) => agents[k % agents.length]!).find((a) => evaluateConstraints(constraints, a, placed).ok);
    if (!candidate) break;
    placed.push(candidate);
  }
  return placed;
}

const agentsArb = fc.array(fc.record({ host: fc.integer({ min: 0, max: 5 }), rack: fc.constantFrom('a', 'b', 'c') }), { minLength: 1, maxLength: 8 })
  .map((xs) => xs.map((x) => agent(`h${x.host}`, `rack:${x.rack}`)));

test('property: greedy placement under UNIQUE never puts two instances on one host', () => {
  fc.assert(fc.property(agentsArb, fc.integer({ min: 0, max: 12 }), fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), (agents, n, order) => {
    const placed = placeGreedily([['hostname', 'UNIQUE']], agents, n, order);
    const hosts = placed.map((p) => p.hostname);
    assert.equal(new Set(hosts).size, hosts.length);
    const reachable = new Set(order.map((k) => agents[k % agents.length]!.hostname)).size;
    assert.equal(placed.length, Math.min(n, reachable), 'every distinct host gets one until n is reached');
  }));
});

test('property: MAX_PER n is never exceeded, GROUP_BY keeps groups within one of each other', () => {
  fc.assert(fc.property(agentsArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 15 }), fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), (agents, max, n, order) => {
    const placed = placeGreedily([['rack', 'MAX_PER', String(max)]], agents, n, order);
    const counts = new Map<string, number>();
    for (const p of placed) { const r = String(p.attributes[0]!.text?.value); counts.set(r, (counts.get(r) ?? 0) + 1); }
    for (const c of counts.values()) assert.ok(c <= max);
    const grouped = placeGreedily([['rack', 'GROUP_BY']], agents, n, order);
    const g = new Map<string, number>();
    for (const p of grouped) { const r = String(p.attributes[0]!.text?.value); g.set(r, (g.get(r) ?? 0) + 1); }
    if (g.size > 0) assert.ok(Math.max(...g.values()) - Math.min(...g.values()) <= 1);
  }));
});
