// Chronos schedules: ISO8601 repeating intervals `R[n]/<start>/<period>` and the pure decisions about them.
// Pure: every function takes `now` (epoch ms) as an argument; luxon does the calendar arithmetic (months, DST).
import { DateTime, Duration } from 'luxon';

export interface Schedule {
  /** Remaining repetitions; -1 = infinite (`R`), 0 = exhausted (`R0`). */
  recurrences: number;
  /** The next due instant, in the schedule's time zone (its wall clock drives calendar periods). */
  start: DateTime;
  period: Duration;
  /** The period exactly as written (`PT2S`, `P1M`), echoed back in the canonical form. */
  periodText: string;
}

export type ParseResult = { ok: true; schedule: Schedule } | { ok: false; message: string };

const FORM = /^(R\d*)\/(.*)\/(P.*)$/;
/** Chronos refuses starts before this (1970-01-01T00:00:01Z). */
const EARLIEST_START_MS = 1000;

/**
 * Parses a schedule. An empty start means now (Chronos writes now − 1 s; with collapsed catch-up runs that would
 * make `R2//PT1S` consume two instants at once, so we start exactly now). `timeZone` (the job's
 * scheduleTimeZone) re-reads the start's wall-clock fields in that zone, as Chronos' withZoneRetainFields does.
 */
export function parseSchedule(text: string, now: number, timeZone = ''): ParseResult {
  const m = FORM.exec(text.trim());
  if (!m) return { ok: false, message: `Cannot parse schedule '${text}': expected R[n]/<ISO8601 start>/<ISO8601 period>, e.g. R/2026-11-24T10:00:00Z/PT1M` };
  const [, rep, startText, periodText] = m as unknown as [string, string, string, string];
  const recurrences = rep === 'R' ? -1 : Number(rep.slice(1));
  if (!Number.isSafeInteger(recurrences)) return { ok: false, message: `Cannot parse schedule '${text}': bad repetition count '${rep}'` };
  let start = startText === ''
    ? DateTime.fromMillis(now, { zone: 'utc' })
    : DateTime.fromISO(startText, { zone: 'utc', setZone: true });
  if (!start.isValid) return { ok: false, message: `Cannot parse schedule '${text}': bad start '${startText}' (${start.invalidExplanation ?? start.invalidReason})` };
  if (timeZone !== '') {
    const zoned = start.setZone(timeZone, { keepLocalTime: startText !== '' });
    if (!zoned.isValid) return { ok: false, message: `Invalid scheduleTimeZone '${timeZone}': not a time zone of the tz database` };
    start = zoned;
  }
  if (start.toMillis() < EARLIEST_START_MS) return { ok: false, message: `Cannot parse schedule '${text}': the start must not be before 1970-01-01T00:00:01Z` };
  const period = Duration.fromISO(periodText);
  if (!period.isValid) return { ok: false, message: `Cannot parse schedule '${text}': bad period '${periodText}'` };
  // A zero or negative period would make "the next run" undefined: refuse it rather than spin.
  if (!(start.plus(period).toMillis() > start.toMillis())) return { ok: false, message: `Cannot parse schedule '${text}': the period '${periodText}' must be positive` };
  return { ok: true, schedule: { recurrences, start, period, periodText } };
}

/** The canonical text Chronos writes back: `R5/2026-11-24T10:00:00.000Z/PT1M`. */
export function formatSchedule(s: Schedule): string {
  const rep = s.recurrences < 0 ? 'R' : `R${s.recurrences}`;
  const start = s.start.zoneName === 'UTC' ? s.start.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'") : s.start.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
  return `${rep}/${start}/${s.periodText}`;
}

/** The k-th instant of the schedule (k = 0 is the start), as epoch ms; start + k·period without drift. */
export function instantAt(s: Schedule, k: number): number {
  if (k === 0) return s.start.toMillis();
  return s.start.plus(s.period.mapUnits((x) => x * k)).toMillis();
}

/** The largest k with instantAt(k) <= t (t >= start), found from an estimate and corrected by calendar steps. */
export function lastIndexAtOrBefore(s: Schedule, t: number): number {
  const startMs = s.start.toMillis();
  if (t < startMs) return -1;
  const approx = Math.max(1, s.period.as('milliseconds'));
  let k = Math.floor((t - startMs) / approx);
  while (k > 0 && instantAt(s, k) > t) k--;
  while (instantAt(s, k + 1) <= t) k++;
  return k;
}

export interface DueDecision {
  /** Due instant (ms) to run now, if any: the latest passed instant, when it is missed by no more than epsilon. */
  runDue?: number;
  /** How many instants passed without running (missed by more than epsilon, or collapsed into the one run). */
  skipped: number;
  /** The schedule after consuming those instants: start moved past now, repetitions counted down. */
  next: Schedule;
}

/**
 * What to do with a schedule at `now`: every instant at or before now is consumed; the latest one runs if it is
 * no more than `epsilonMs` late, every other one is skipped (a run missed by more than epsilon is not run late,
 * and missed runs are never replayed in a burst). Each consumed instant uses up one repetition of `Rn`.
 * Undefined when nothing is due yet or the schedule is exhausted.
 */
export function dueAt(s: Schedule, now: number, epsilonMs: number): DueDecision | undefined {
  if (s.recurrences === 0) return undefined;
  const last = lastIndexAtOrBefore(s, now);
  if (last < 0) return undefined;
  // Rn has only n instants (k = 0..n-1): later grid points are not part of it.
  const newestIndex = s.recurrences < 0 ? last : Math.min(last, s.recurrences - 1);
  const consumed = newestIndex + 1;
  const newest = instantAt(s, newestIndex);
  const runDue = now - newest <= epsilonMs ? newest : undefined;
  const skipped = consumed - (runDue === undefined ? 0 : 1);
  const recurrences = s.recurrences < 0 ? -1 : s.recurrences - consumed;
  const nextStart = s.start.plus(s.period.mapUnits((x) => x * consumed));
  return { runDue, skipped, next: { ...s, start: nextStart, recurrences } };
}

/** When the schedule next wants attention (epoch ms), or undefined when exhausted. */
export function nextDue(s: Schedule): number | undefined {
  return s.recurrences === 0 ? undefined : s.start.toMillis();
}

/** An ISO8601 duration as ms (epsilon: `PT60S`); undefined when it is not a valid non-negative duration. */
export function parseIsoDuration(text: string): number | undefined {
  const d = Duration.fromISO(text);
  if (!d.isValid) return undefined;
  const ms = d.as('milliseconds');
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** `PT60S` for 60 000 ms: the form Chronos writes epsilon in. */
export function formatIsoDuration(ms: number): string {
  return `PT${Number((ms / 1000).toFixed(3))}S`;
}

/**
 * The next `count` instants (epoch ms) at or after `now` that the schedule has left, in order: what the console's
 * schedule builder previews. Instants already passed are not listed (the scheduler consumes them on its next step).
 */
export function upcomingRuns(s: Schedule, now: number, count: number): number[] {
  const out: number[] = [];
  if (s.recurrences === 0) return out;
  const last = lastIndexAtOrBefore(s, now);
  let k = last < 0 ? 0 : instantAt(s, last) === now ? last : last + 1;
  while (out.length < count && (s.recurrences < 0 || k < s.recurrences)) out.push(instantAt(s, k++));
  return out;
}
