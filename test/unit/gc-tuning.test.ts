import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldCollect } from '../../src/common/gc-tuning.ts';

const MB = 2 ** 20;

test('a burst\'s garbage is collected once the event loop is quiet and the heap grew by half and 64 MB', () => {
  assert.equal(shouldCollect(0.05, 500 * MB, 210 * MB), true, 'quiet after a burst: collect');
  assert.equal(shouldCollect(0.9, 500 * MB, 210 * MB), false, 'still busy (placements, status burst): wait');
  assert.equal(shouldCollect(0.05, 300 * MB, 210 * MB), false, 'grown by less than half: V8 handles it');
  assert.equal(shouldCollect(0.05, 90 * MB, 20 * MB), false, 'a small heap is never collected by hand (64 MB floor)');
  assert.equal(shouldCollect(0.05, 200 * MB, 20 * MB), true);
});
