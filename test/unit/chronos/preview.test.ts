// The schedule builder's preview: the next runs a schedule has left, as the console shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, upcomingRuns, type Schedule } from '../../../src/chronos/schedule.ts';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const must = (text: string, tz = ''): Schedule => {
  const r = parseSchedule(text, NOW, tz);
  if (!r.ok) throw new Error(r.message);
  return r.schedule;
};
const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());

test('a future start lists the start and the following periods', () => {
  assert.deepEqual(iso(upcomingRuns(must('R/2026-11-26T08:00:00Z/PT6H'), NOW, 3)),
    ['2026-11-26T08:00:00.000Z', '2026-11-26T14:00:00.000Z', '2026-11-26T20:00:00.000Z']);
});

test('Rn stops after n runs and R0 has none', () => {
  assert.equal(upcomingRuns(must('R2/2026-11-26T08:00:00Z/P1D'), NOW, 5).length, 2);
  assert.deepEqual(upcomingRuns(must('R0/2026-11-26T08:00:00Z/P1D'), NOW, 5), []);
});

test('a past start skips the instants already gone', () => {
  assert.deepEqual(iso(upcomingRuns(must('R/2026-11-25T10:30:00Z/PT1H'), NOW, 2)), ['2026-11-25T12:30:00.000Z', '2026-11-25T13:30:00.000Z']);
  // Only 3 instants exist (10:30, 11:30, 12:30): one is left.
  assert.deepEqual(iso(upcomingRuns(must('R3/2026-11-25T10:30:00Z/PT1H'), NOW, 5)), ['2026-11-25T12:30:00.000Z']);
});

test('calendar periods follow the time zone wall clock across a DST change', () => {
  // 09:00 in New York every day: 14:00Z before the change on 2027-03-14, 13:00Z after it.
  const runs = iso(upcomingRuns(must('R/2027-03-13T09:00:00/P1D', 'America/New_York'), NOW, 2));
  assert.deepEqual(runs, ['2027-03-13T14:00:00.000Z', '2027-03-14T13:00:00.000Z']);
});
