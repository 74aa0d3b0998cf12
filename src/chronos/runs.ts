// What a finished task means for its job: outcome of a Mesos state, retry or give up, counter updates, and the
// run-time statistics Chronos serves. Pure: time comes in as arguments.
import type { TaskState } from '../proto/mesos.ts';
import type { JobCounters } from './job.ts';

export type Outcome = 'success' | 'failure' | 'killed';

/** Chronos: FINISHED succeeds; FAILED, LOST and other losses fail (and may retry); KILLED neither retries nor counts. */
export function outcomeOf(state: TaskState): Outcome | undefined {
  switch (state) {
    case 'TASK_FINISHED': return 'success';
    case 'TASK_KILLED': return 'killed';
    case 'TASK_FAILED': case 'TASK_LOST': case 'TASK_ERROR': case 'TASK_DROPPED': case 'TASK_GONE': case 'TASK_GONE_BY_OPERATOR': case 'TASK_UNREACHABLE':
      return 'failure';
    default: return undefined;
  }
}

/** A failed attempt is retried (attempt + 1, after `retryDelayMs`) while attempts remain, else the job failed. */
export function retryAfterFailure(attempt: number, retries: number, now: number, retryDelayMs: number): { due: number; attempt: number } | undefined {
  return attempt < retries ? { due: now + retryDelayMs, attempt: attempt + 1 } : undefined;
}

export function countSuccess(c: JobCounters, now: number): JobCounters {
  return { ...c, successCount: c.successCount + 1, errorsSinceLastSuccess: 0, lastSuccess: new Date(now).toISOString() };
}

export function countFailure(c: JobCounters, now: number): JobCounters {
  return { ...c, errorCount: c.errorCount + 1, errorsSinceLastSuccess: c.errorsSinceLastSuccess + 1, lastError: new Date(now).toISOString() };
}

/** Chronos' "state" of a job: its last outcome. */
export function lastState(c: Pick<JobCounters, 'lastSuccess' | 'lastError'>): 'fresh' | 'success' | 'failure' {
  if (!c.lastSuccess && !c.lastError) return 'fresh';
  if (!c.lastError) return 'success';
  if (!c.lastSuccess) return 'failure';
  return Date.parse(c.lastSuccess) >= Date.parse(c.lastError) ? 'success' : 'failure';
}

/** One recorded run of a job. */
export interface RunRecord {
  taskId: string;
  jobName: string;
  attempt: number;
  due: number;
  /** When the task was launched (ms). */
  start: number;
  end?: number;
  agentId?: string;
  host?: string;
  /** TASK_FINISHED, TASK_FAILED, ... or ASYNC_CALLBACK for async completions. */
  status?: string;
  /** The command's exit status when Mesos reported one. */
  exitStatus?: number;
  message?: string;
}

/** Appends a run and drops the oldest beyond `limit`. */
export function appendBounded(history: readonly RunRecord[], run: RunRecord, limit: number): RunRecord[] {
  const out = [...history.filter((r) => r.taskId !== run.taskId), run];
  return out.length > limit ? out.slice(out.length - limit) : out;
}

/** Chronos' run-time metric: finish minus due time, for successful runs (ms). */
export function runTimes(history: readonly RunRecord[]): number[] {
  return history.filter((r) => r.status === 'TASK_FINISHED' && r.end !== undefined).map((r) => r.end! - r.due);
}

/** Linear-interpolated quantile (q in [0,1]) as dropwizard snapshots compute it; undefined for no data. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length + 1);
  if (pos < 1) return s[0]!;
  if (pos >= s.length) return s[s.length - 1]!;
  const lower = s[Math.floor(pos) - 1]!;
  const upper = s[Math.floor(pos)]!;
  return lower + (pos - Math.floor(pos)) * (upper - lower);
}

export const PERCENTILES: Record<string, number> = {
  '75thPercentile': 0.75, '95thPercentile': 0.95, '98thPercentile': 0.98, '99thPercentile': 0.99, median: 0.5,
};

/** The histogram block of GET /scheduler/job/stat/{name}. */
export function histogram(values: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, q] of Object.entries(PERCENTILES)) out[k] = quantile(values, q) ?? 0;
  out.mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  out.count = values.length;
  return out;
}

/** A statistic (`99thPercentile`, `median`, `mean`) of one job's run times, or undefined for an unknown name / no runs. */
export function statistic(values: readonly number[], name: string): number | undefined {
  if (values.length === 0) return undefined;
  if (name === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  const q = PERCENTILES[name];
  return q === undefined ? undefined : quantile(values, q);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `MM/dd/yy HH:mm:ss` in UTC, as Chronos' task stat history shows times. */
export function statTime(ms: number | undefined): string {
  if (ms === undefined) return 'N/A';
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `0d0h1m5s`. */
export function statDuration(ms: number | undefined): string {
  if (ms === undefined) return 'N/A';
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return `${d}d${h}h${m}m${s}s`;
}
