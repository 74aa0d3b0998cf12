import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldCollect } from '../../src/common/gc-tuning.ts';

const MB = 2 ** 20;

test('a quiet process collects a burst\'s garbage once the heap grew by half and 64 MB', () => {
  assert.equal(shouldCollect(500 * MB, 210 * MB), true, 'after a burst: collect');
  assert.equal(shouldCollect(300 * MB, 210 * MB), false, 'grown by less than half: V8 handles it');
  assert.equal(shouldCollect(90 * MB, 20 * MB), false, 'a small heap is never collected by hand (64 MB floor)');
  assert.equal(shouldCollect(200 * MB, 20 * MB), true);
});

test('quiet intervals: work runs only while the event loop is mostly idle', async () => {
  const { onQuietIntervals } = await import('../../src/common/quiet-intervals.ts');
  let calls = 0;
  const stop = onQuietIntervals(50, 0.5, () => { calls++; });
  const busyUntil = Date.now() + 300;
  while (Date.now() < busyUntil) { /* a burst: the loop is fully busy */ }
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(calls, 0, 'nothing ran during the burst');
  await new Promise((r) => setTimeout(r, 300));
  stop();
  assert.ok(calls >= 2, `ran in the quiet intervals after it (${calls})`);
});
