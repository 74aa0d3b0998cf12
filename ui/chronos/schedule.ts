// Schedules for people: the ISO8601 `R[n]/start/period` text ↔ the builder's fields, and a schedule in words.
// Pure (luxon does the calendar); the server's src/chronos/schedule.ts stays the one that computes run times.
import { DateTime, Duration } from 'luxon';

export const PERIOD_UNITS = ['minutes', 'hours', 'days', 'weeks', 'months'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export interface ScheduleFields {
  /** Wall-clock start in `timeZone`, as a datetime-local value: 2026-11-25T18:00. */
  start: string;
  /** tz database name; "UTC" writes the schedule in UTC with no scheduleTimeZone. */
  timeZone: string;
  /** Repetitions; undefined = forever. */
  repeat: number | undefined;
  every: number;
  unit: PeriodUnit;
}

const ISO_UNIT: Record<PeriodUnit, (n: number) => string> = {
  minutes: (n) => `PT${n}M`, hours: (n) => `PT${n}H`, days: (n) => `P${n}D`, weeks: (n) => `P${n}W`, months: (n) => `P${n}M`,
};

/** The builder's fields as Chronos' schedule + scheduleTimeZone. */
export function toSchedule(f: ScheduleFields): { schedule: string; scheduleTimeZone: string } {
  const rep = f.repeat === undefined ? 'R' : `R${f.repeat}`;
  const wall = f.start.length === 16 ? `${f.start}:00` : f.start;
  const utc = f.timeZone === 'UTC' || f.timeZone === '';
  return { schedule: `${rep}/${wall}${utc ? 'Z' : ''}/${ISO_UNIT[f.unit](f.every)}`, scheduleTimeZone: utc ? '' : f.timeZone };
}

interface Parts { recurrences: number | undefined; start: string; period: string }

function split(schedule: string): Parts | undefined {
  const m = /^R(\d*)\/([^/]*)\/(P.+)$/.exec(schedule.trim());
  if (!m) return undefined;
  return { recurrences: m[1] === '' ? undefined : Number(m[1]), start: m[2]!, period: m[3]! };
}

/** A single-unit period (`PT15M`, `P1D`) as builder fields; undefined for mixed or fractional periods. */
export function periodFields(period: string): { every: number; unit: PeriodUnit } | undefined {
  const d = Duration.fromISO(period);
  if (!d.isValid) return undefined;
  const entries = Object.entries(d.toObject()).filter(([, v]) => v !== 0);
  if (entries.length !== 1) return undefined;
  const [unit, n] = entries[0] as [string, number];
  if (!Number.isInteger(n) || n <= 0) return undefined;
  if (PERIOD_UNITS.includes(unit as PeriodUnit)) return { every: n, unit: unit as PeriodUnit };
  if (unit === 'seconds' && n % 60 === 0) return { every: n / 60, unit: 'minutes' };
  return undefined;
}

/** Builder fields for a stored schedule, or undefined when the builder cannot express it (then it is edited as text). */
export function fromSchedule(schedule: string, scheduleTimeZone: string): ScheduleFields | undefined {
  const p = split(schedule);
  if (!p) return undefined;
  const period = periodFields(p.period);
  if (!period) return undefined;
  const zone = scheduleTimeZone || 'UTC';
  const start = p.start === '' ? DateTime.now() : DateTime.fromISO(p.start, { setZone: true });
  if (!start.isValid) return undefined;
  const local = start.setZone(zone);
  if (!local.isValid) return undefined;
  return { start: local.toFormat("yyyy-MM-dd'T'HH:mm"), timeZone: zone, repeat: p.recurrences, ...period };
}

const UNIT_WORD: Record<string, string> = { years: 'year', months: 'month', weeks: 'week', days: 'day', hours: 'hour', minutes: 'minute', seconds: 'second' };

/** `PT15M` → "15 minutes", `P1D` → "day", `P1DT12H` → "1 day 12 hours". */
export function periodInWords(period: string): string {
  const d = Duration.fromISO(period);
  if (!d.isValid) return period;
  const parts = Object.entries(d.toObject()).filter(([, v]) => v !== 0) as Array<[string, number]>;
  if (parts.length === 1 && parts[0]![1] === 1) return UNIT_WORD[parts[0]![0]] ?? period;
  return parts.map(([u, n]) => `${n} ${UNIT_WORD[u] ?? u}${n === 1 ? '' : 's'}`).join(' ');
}

/** "every 15 minutes", "every day, 3 runs left", "done (no runs left)". */
export function scheduleInWords(schedule: string): string {
  const p = split(schedule);
  if (!p) return schedule;
  if (p.recurrences === 0) return 'done (no runs left)';
  if (p.recurrences === 1) return 'once';
  const every = `every ${periodInWords(p.period)}`;
  return p.recurrences === undefined ? every : `${every}, ${p.recurrences} runs left`;
}

/** The time zones the browser knows, UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?(k: string): string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

/** The next full hour in `zone`, as a datetime-local value. */
export function nextFullHour(zone: string, now = DateTime.now()): string {
  return now.setZone(zone).plus({ hours: 1 }).startOf('hour').toFormat("yyyy-MM-dd'T'HH:mm");
}

/** What the schedule part of the form holds: builder fields, or the expression typed as text. */
export interface ScheduleValue {
  mode: 'builder' | 'text';
  fields: ScheduleFields;
  /** The expression when mode is text. */
  text: string;
  /** scheduleTimeZone when mode is text. */
  textZone: string;
}

export function scheduleOf(v: ScheduleValue): { schedule: string; scheduleTimeZone: string } {
  return v.mode === 'builder' ? toSchedule(v.fields) : { schedule: v.text.trim(), scheduleTimeZone: v.textZone.trim() };
}
