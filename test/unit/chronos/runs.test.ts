import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendBounded, histogram, lastState, outcomeOf, quantile, retryAfterFailure, statDuration, statistic, statTime, type RunRecord } from '../../../src/chronos/runs.ts';

test('Mesos states map to Chronos outcomes', () => {
  assert.equal(outcomeOf('TASK_FINISHED'), 'success');
  assert.equal(outcomeOf('TASK_FAILED'), 'failure');
  assert.equal(outcomeOf('TASK_LOST'), 'failure');
  assert.equal(outcomeOf('TASK_KILLED'), 'killed');
  assert.equal(outcomeOf('TASK_RUNNING'), undefined);
});

test('retries count attempts from 0 up to `retries`', () => {
  assert.deepEqual(retryAfterFailure(0, 2, 1000, 60_000), { due: 61_000, attempt: 1 });
  assert.deepEqual(retryAfterFailure(1, 2, 1000, 60_000), { due: 61_000, attempt: 2 });
  assert.equal(retryAfterFailure(2, 2, 1000, 60_000), undefined);
  assert.equal(retryAfterFailure(0, 0, 1000, 60_000), undefined);
});

test('last state compares lastSuccess and lastError', () => {
  assert.equal(lastState({ lastSuccess: '', lastError: '' }), 'fresh');
  assert.equal(lastState({ lastSuccess: '2026-01-02T00:00:00Z', lastError: '2026-01-01T00:00:00Z' }), 'success');
  assert.equal(lastState({ lastSuccess: '2026-01-01T00:00:00Z', lastError: '2026-01-02T00:00:00Z' }), 'failure');
});

test('percentiles and Chronos time formats', () => {
  const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  assert.equal(quantile(v, 0.5), 55);
  assert.equal(quantile([7], 0.99), 7);
  assert.equal(statistic(v, 'mean'), 55);
  assert.equal(statistic([], 'median'), undefined);
  assert.deepEqual(histogram([]).count, 0);
  assert.equal(statTime(Date.parse('2026-03-08T16:57:17.507Z')), '03/08/26 16:57:17');
  assert.equal(statTime(undefined), 'N/A');
  assert.equal(statDuration(65_000), '0d0h1m5s');
  assert.equal(statDuration(90_061_000), '1d1h1m1s');
});

test('history keeps the newest `limit` runs', () => {
  let h: RunRecord[] = [];
  for (let i = 0; i < 5; i++) h = appendBounded(h, { taskId: `t${i}`, jobName: 'j', attempt: 0, due: i, start: i }, 3);
  assert.deepEqual(h.map((r) => r.taskId), ['t2', 't3', 't4']);
});
