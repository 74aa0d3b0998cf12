import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dueAt, formatSchedule, instantAt, parseIsoDuration, parseSchedule, type Schedule } from '../../../src/chronos/schedule.ts';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const must = (text: string, now = NOW, tz = ''): Schedule => {
  const r = parseSchedule(text, now, tz);
  if (!r.ok) throw new Error(r.message);
  return r.schedule;
};

test('parses R, Rn and R0 and writes the canonical form back', () => {
  assert.equal(formatSchedule(must('R/2026-11-24T10:00:00Z/PT1M')), 'R/2026-11-24T10:00:00.000Z/PT1M');
  assert.equal(must('R5/2026-11-24T10:00:00Z/P1D').recurrences, 5);
  assert.equal(must('R0/2026-11-24T10:00:00Z/P1D').recurrences, 0);
  assert.equal(must('R/2026-11-24T10:00:00+02:00/PT2S').start.toMillis(), Date.parse('2026-11-24T08:00:00Z'));
});

test('an empty start means due now', () => {
  const s = must('R//PT2S');
  assert.ok(s.start.toMillis() <= NOW);
  const d = dueAt(s, NOW, 60_000);
  assert.equal(d?.runDue, NOW);
  assert.equal(d?.skipped, 0);
  // R2 with an empty start runs now and once more one period later (nothing is consumed twice).
  const r2 = dueAt(must('R2//PT1S'), NOW, 60_000)!;
  assert.equal(r2.next.recurrences, 1);
  assert.equal(r2.next.start.toMillis(), NOW + 1000);
});

test('bad schedules are refused with a message naming the problem', () => {
  for (const bad of ['', 'R/2026-11-24T10:00:00Z', 'X/2026/PT1M', 'R/notadate/PT1M', 'R/2026-11-24T10:00:00Z/PXYZ', 'R/2026-11-24T10:00:00Z/PT0S', 'R/1969-01-01T00:00:00Z/PT1M', 'Rx/2026-11-24T10:00:00Z/PT1M']) {
    const r = parseSchedule(bad, NOW);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.message, /schedule|period|start/i);
  }
  const tz = parseSchedule('R/2026-11-24T10:00:00/PT1M', NOW, 'Not/AZone');
  assert.equal(tz.ok, false);
});

test('scheduleTimeZone re-reads the wall clock of the start in that zone', () => {
  const s = must('R/2026-11-24T10:00:00Z/P1D', NOW, 'America/New_York');
  assert.equal(s.start.toMillis(), Date.parse('2026-11-24T15:00:00Z'));
  assert.equal(formatSchedule(s), 'R/2026-11-24T10:00:00.000-05:00/P1D');
});

test('P1D keeps the wall-clock time across a DST change; P1M steps by calendar months', () => {
  const s = must('R/2026-03-07T09:00:00/P1D', NOW, 'America/New_York'); // DST starts 2026-03-08
  assert.equal(new Date(instantAt(s, 1)).toISOString(), '2026-03-08T13:00:00.000Z');
  const m = must('R/2026-01-31T00:00:00Z/P1M');
  assert.equal(new Date(instantAt(m, 1)).toISOString(), '2026-02-28T00:00:00.000Z');
  assert.equal(new Date(instantAt(m, 2)).toISOString(), '2026-03-31T00:00:00.000Z');
});

test('a due run inside epsilon runs and the schedule moves to the next period', () => {
  const s = must('R3/2026-11-25T11:59:30Z/PT1M');
  const d = dueAt(s, NOW, 60_000)!;
  assert.equal(d.runDue, Date.parse('2026-11-25T11:59:30Z'));
  assert.equal(d.skipped, 0);
  assert.equal(formatSchedule(d.next), 'R2/2026-11-25T12:00:30.000Z/PT1M');
  assert.equal(dueAt(d.next, NOW, 60_000), undefined);
});

test('a run missed by more than epsilon is skipped and counted, not run late', () => {
  const s = must('R/2026-11-25T11:50:00Z/PT1H');
  const d = dueAt(s, NOW, 60_000)!;
  assert.equal(d.runDue, undefined);
  assert.equal(d.skipped, 1);
  assert.equal(formatSchedule(d.next), 'R/2026-11-25T12:50:00.000Z/PT1H');
});

test('missed instants collapse: only the latest one within epsilon runs', () => {
  const s = must('R/2026-11-25T11:00:00Z/PT2S');
  const d = dueAt(s, NOW + 500, 60_000)!;
  assert.equal(d.runDue, NOW);
  assert.equal(d.skipped, 1800);
  assert.equal(d.next.start.toMillis(), NOW + 2000);
});

test('Rn consumes one repetition per instant and stops at R0', () => {
  let s = must('R3/2026-11-25T12:00:00Z/PT1S');
  let runs = 0;
  for (let t = NOW; t < NOW + 10_000; t += 250) {
    const d = dueAt(s, t, 60_000);
    if (!d) continue;
    if (d.runDue !== undefined) runs++;
    s = d.next;
  }
  assert.equal(runs, 3);
  assert.equal(s.recurrences, 0);
  // A finite schedule whose instants all passed long ago consumes only its own n instants.
  const old = dueAt(must('R2/2020-01-01T00:00:00Z/PT1M'), NOW, 60_000)!;
  assert.equal(old.skipped, 2);
  assert.equal(old.next.recurrences, 0);
});

test('property: after consuming, the next start is after now and on the grid start + k·period', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 1, max: 86_400 }), fc.integer({ min: 0, max: 10 ** 8 }), fc.integer({ min: 0, max: 120_000 }),
    (startOffsetMs, periodS, lateMs, eps) => {
      const start = NOW - startOffsetMs;
      const s = must(`R/${new Date(start).toISOString()}/PT${periodS}S`);
      const now = NOW + lateMs;
      const d = dueAt(s, now, eps)!;
      const next = d.next.start.toMillis();
      assert.ok(next > now);
      assert.equal((next - start) % (periodS * 1000), 0);
      assert.ok(next - periodS * 1000 <= now);
      if (d.runDue !== undefined) assert.ok(now - d.runDue <= eps && d.runDue <= now);
    }), { numRuns: 300 });
});

test('ISO8601 durations for epsilon', () => {
  assert.equal(parseIsoDuration('PT60S'), 60_000);
  assert.equal(parseIsoDuration('PT1M30S'), 90_000);
  assert.equal(parseIsoDuration('sixty'), undefined);
});

test('property: Rn never yields more than n runs plus skips, whatever the clock does', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 6 }), fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 3000 }), (n, steps, eps) => {
    let s = must(`R${n}/2026-11-25T12:00:00Z/PT1S`);
    let now = NOW;
    let consumed = 0;
    for (const step of steps) {
      now += step;
      const d = dueAt(s, now, eps);
      if (!d) continue;
      consumed += d.skipped + (d.runDue === undefined ? 0 : 1);
      assert.ok(d.next.recurrences >= 0);
      s = d.next;
    }
    assert.ok(consumed <= n);
    assert.equal(consumed + s.recurrences, n);
  }), { numRuns: 300 });
});
