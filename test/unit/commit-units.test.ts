// Packing store writes into transactions a bounded backend (ZooKeeper) accepts: units stay whole and in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitUnits, opBytes, packUnits, recordTooLarge } from '../../src/state/commit-units.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import type { StoreOp } from '../../src/state/store.ts';

const put = (key: string, size = 10): StoreOp => ({ op: 'put', key, value: 'x'.repeat(size) });

test('packUnits fills transactions up to the limits, never splitting a unit, in order', () => {
  const units = [[put('/a1'), put('/a2')], [put('/b1')], [put('/c1'), put('/c2'), put('/c3')], [], [put('/d1')]];
  const txs = packUnits(units, { maxOps: 4, maxBytes: 1_000_000, maxValueBytes: 1_000_000 });
  assert.deepEqual(txs.map((t) => t.map((o) => o.key)), [['/a1', '/a2', '/b1'], ['/c1', '/c2', '/c3', '/d1']]);
  const bySize = packUnits([[put('/a', 400)], [put('/b', 400)], [put('/c', 400)]], { maxOps: 100, maxBytes: 1000, maxValueBytes: 1000 });
  assert.deepEqual(bySize.map((t) => t.map((o) => o.key)), [['/a', '/b'], ['/c']]);
});

test('packUnits sends a unit bigger than the limits alone (the store then names the key it refuses)', () => {
  const txs = packUnits([[put('/small')], [put('/huge', 5000)], [put('/after')]], { maxOps: 10, maxBytes: 1000, maxValueBytes: 1000 });
  assert.deepEqual(txs.map((t) => t.map((o) => o.key)), [['/small'], ['/huge'], ['/after']]);
});

test('opBytes counts the key, the JSON text of the value and some framing', () => {
  assert.equal(opBytes({ op: 'put', key: '/k', value: { a: 1 } }), 2 + 7 + 32);
  assert.equal(opBytes({ op: 'delete', key: '/k' }), 2 + 32);
});

test('commitUnits commits everything: one transaction without limits, several within them', async () => {
  const units = Array.from({ length: 50 }, (_, i) => [put(`/u/${i}/a`, 100), put(`/u/${i}/b`, 100)]);
  const unbounded = new MemoryStore();
  const seen: number[] = [];
  const transaction = unbounded.transaction.bind(unbounded);
  unbounded.transaction = async (ops) => { seen.push(ops.length); return transaction(ops); };
  await commitUnits(unbounded, units);
  assert.deepEqual(seen, [100]);
  assert.equal((await unbounded.list('/u/')).length, 100);

  const bounded = Object.assign(new MemoryStore(), { transactionLimits: { maxOps: 1000, maxBytes: 3000, maxValueBytes: 3000 } });
  const sizes: number[] = [];
  const boundedTx = bounded.transaction.bind(bounded);
  bounded.transaction = async (ops) => { sizes.push(ops.length); return boundedTx(ops); };
  await commitUnits(bounded, units);
  assert.ok(sizes.length > 1 && sizes.every((n) => n % 2 === 0), `units stay whole: ${sizes.join(', ')}`);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 100);
  assert.equal((await bounded.list('/u/')).length, 100);
});

test('recordTooLarge names the record, its size and the store limit; stores without limits take any size', () => {
  const bounded = Object.assign(new MemoryStore(), { transactionLimits: { maxOps: 10, maxBytes: 100, maxValueBytes: 20 } });
  assert.equal(recordTooLarge(bounded, 'x'.repeat(18), 'the job'), undefined, '20 bytes of JSON fit');
  assert.equal(recordTooLarge(bounded, 'x'.repeat(19), 'the job'), 'the job is 21 bytes; the state store holds at most 20 bytes per record');
  assert.equal(recordTooLarge(new MemoryStore(), 'x'.repeat(10_000), 'the job'), undefined);
});
