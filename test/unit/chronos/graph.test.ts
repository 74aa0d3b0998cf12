import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyError, parentCompleted, rewireOnDelete, toCsv, toDot, type GraphJob } from '../../../src/chronos/graph.ts';
import { formatTaskId, parseTaskId } from '../../../src/chronos/task-id.ts';
import { offerSatisfies } from '../../../src/chronos/constraints.ts';

const graph = (...jobs: GraphJob[]) => new Map(jobs.map((j) => [j.name, j]));

test('unknown parents, self-parents and cycles are refused', () => {
  const g = graph({ name: 'a', schedule: 'R//PT1M' }, { name: 'b', parents: ['a'] }, { name: 'c', parents: ['b'] });
  assert.match(dependencyError(g, { name: 'd', parents: ['zzz'] })!, /zzz.*not found/);
  assert.match(dependencyError(g, { name: 'd', parents: ['d'] })!, /own parent/);
  assert.match(dependencyError(g, { name: 'b', parents: ['c'] })!, /cycle/);
  assert.equal(dependencyError(g, { name: 'd', parents: ['a', 'c'] }), undefined);
});

test('a child is due only after every parent succeeded since its own last run', () => {
  let r = parentCompleted(['a', 'b'], [], 'a');
  assert.deepEqual(r, { ready: false, done: ['a'] });
  r = parentCompleted(['a', 'b'], r.done, 'a');
  assert.equal(r.ready, false);
  r = parentCompleted(['a', 'b'], r.done, 'b');
  assert.deepEqual(r, { ready: true, done: [] });
  assert.equal(parentCompleted(['a'], [], 'a').ready, true);
});

test('deleting a parent rewires its children as Chronos does', () => {
  const g = graph({ name: 's', schedule: 'R/2026-01-01T00:00:00.000Z/PT1H', scheduleTimeZone: 'UTC' }, { name: 'd', parents: ['s'] }, { name: 'e', parents: ['d', 'x'] }, { name: 'x', schedule: 'R//PT1M' });
  assert.deepEqual(rewireOnDelete(g, 'd'), [{ name: 'e', kind: 'parents', parents: ['x', 's'] }]);
  assert.deepEqual(rewireOnDelete(g, 's'), [{ name: 'd', kind: 'schedule', schedule: 'R/2026-01-01T00:00:00.000Z/PT1H', scheduleTimeZone: 'UTC' }]);
});

test('DOT and CSV views list every job and edge', () => {
  const jobs = [{ name: 'a' }, { name: 'b', parents: ['a'] }];
  assert.equal(toDot(jobs), 'digraph G {\n  1 [ label = "a" ];\n  2 [ label = "b" ];\n  1 -> 2;\n}\n');
  assert.equal(toCsv(jobs, () => ({ lastState: 'fresh', status: 'idle' })), 'node,a,fresh,idle\nnode,b,fresh,idle\nlink,a,b\n');
});

test('task ids follow ct:<due>:<attempt>:<name>:<arguments>', () => {
  const id = formatTaskId({ due: 1428515194358, attempt: 0, jobName: 'NewJob', arguments: '' });
  assert.equal(id, 'ct:1428515194358:0:NewJob:');
  assert.deepEqual(parseTaskId(id), { due: 1428515194358, attempt: 0, jobName: 'NewJob', arguments: '' });
  assert.deepEqual(parseTaskId('ct:5:2:a.b-c:--x:z'), { due: 5, attempt: 2, jobName: 'a.b-c', arguments: '--x:z' });
  // Mesos refuses whitespace and '/' in task ids: arguments carrying them are percent-encoded, and read back.
  const withPath = formatTaskId({ due: 5, attempt: 0, jobName: 'j', arguments: '--out /tmp/a b%' });
  assert.equal(withPath, 'ct:5:0:j:--out%20%2Ftmp%2Fa%20b%25');
  assert.equal(parseTaskId(withPath)!.arguments, '--out /tmp/a b%');
  assert.equal(parseTaskId('web.abc123'), undefined);
});

test('EQUALS, LIKE and UNLIKE constraints against offer attributes', () => {
  const offer = { hostname: '10.0.0.5', attributes: [{ name: 'rack', type: 'TEXT' as const, text: { value: 'rack-1' } }] };
  assert.equal(offerSatisfies(offer, [['rack', 'EQUALS', 'rack-1']]), true);
  assert.equal(offerSatisfies(offer, [['rack', 'EQUALS', 'rack-2']]), false);
  assert.equal(offerSatisfies(offer, [['rack', 'LIKE', 'rack-[0-9]']]), true);
  assert.equal(offerSatisfies(offer, [['rack', 'LIKE', 'rack']]), false);
  assert.equal(offerSatisfies(offer, [['hostname', 'UNLIKE', '10\\.0\\.0\\.5']]), false);
  assert.equal(offerSatisfies(offer, [['zone', 'UNLIKE', 'a']]), true);
});

test('property: whatever edges are proposed, the accepted graph stays acyclic and every parent exists', async () => {
  const fc = (await import('fast-check')).default;
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  fc.assert(fc.property(fc.array(fc.record({ name: fc.constantFrom(...names), parents: fc.uniqueArray(fc.constantFrom(...names), { maxLength: 3 }) }), { maxLength: 30 }), (proposals) => {
    const g = new Map<string, GraphJob>();
    for (const p of proposals) {
      const candidate = p.parents.length ? { name: p.name, parents: p.parents } : { name: p.name, schedule: 'R//PT1M' };
      if (dependencyError(g, candidate) === undefined) g.set(p.name, candidate);
    }
    // Kahn's algorithm consumes every job iff there is no cycle.
    const indegree = new Map([...g.keys()].map((n) => [n, (g.get(n)!.parents ?? []).length]));
    const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
    let seen = 0;
    while (ready.length) {
      const n = ready.pop()!;
      seen++;
      for (const [c, j] of g) if (j.parents?.includes(n)) { indegree.set(c, indegree.get(c)! - 1); if (indegree.get(c) === 0) ready.push(c); }
    }
    assert.equal(seen, g.size);
    for (const j of g.values()) for (const p of j.parents ?? []) assert.ok(g.has(p));
  }), { numRuns: 300 });
});
