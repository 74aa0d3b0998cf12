// A time shown relative to now ("3m ago", "in 2h"; a date when it is days away) with the exact time as a tooltip
// and machine-readable value. `now` only makes the caller re-render as time passes; the clock is read here.
import { relativeTime } from '../../shared/format.ts';

const DAYS = 2 * 24 * 3600_000;

export function When({ at, empty = '–' }: { at: string | undefined; now?: number; empty?: string }) {
  if (!at) return <span className="muted">{empty}</span>;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return <span className="muted">{empty}</span>;
  const now = Date.now();
  const text = Math.abs(d.getTime() - now) > DAYS
    ? d.toLocaleString(undefined, { year: d.getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : relativeTime(d, now);
  return <time dateTime={at} title={d.toLocaleString()}>{text}</time>;
}
