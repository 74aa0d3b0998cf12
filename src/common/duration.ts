// Durations in Mesos' flag syntax ("15secs", "500ms", "1mins", "2hrs") or plain seconds.

const UNITS: Record<string, number> = {
  ns: 1e-6, nsecs: 1e-6, us: 1e-3, usecs: 1e-3, ms: 1, msecs: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, weeks: 604_800_000,
};

/** Returns milliseconds; throws with the offending text if it cannot be read. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) throw new Error(`bad duration '${text}' (expected e.g. 15secs, 500ms, 1mins)`);
  const unit = (m[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1000 : UNITS[unit];
  if (factor === undefined) throw new Error(`bad duration unit in '${text}'`);
  return Number(m[1]) * factor;
}

export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}mins`;
  if (ms % 1000 === 0) return `${ms / 1000}secs`;
  return `${ms}ms`;
}
