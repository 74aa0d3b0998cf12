// One line per job for lists: GET /v1/scheduler/jobs/summary (Chronos 3.x fields first, then the console's
// additive ones) and the rows the event stream carries. Pure.
import type { Job } from './job.ts';
import { lastState } from './runs.ts';

export interface JobSummary {
  name: string;
  /** idle, queued, running or "<n> running". */
  status: string;
  /** Last outcome: fresh, success or failure. */
  state: 'fresh' | 'success' | 'failure';
  schedule: string;
  parents: string[];
  disabled: boolean;
  // Extensions (Chronos' summary stops at `disabled`): what a jobs list shows without fetching every full job.
  scheduleTimeZone: string;
  /** When the schedule next runs (ISO), or "" (dependent, disabled or exhausted). */
  nextRun: string;
  owner: string;
  ownerName: string;
  description: string;
  command: string;
  lastSuccess: string;
  lastError: string;
  successCount: number;
  errorCount: number;
}

export function jobSummary(job: Job, status: string, nextRunMs: number | undefined): JobSummary {
  return {
    name: job.name, status, state: lastState(job), schedule: job.schedule ?? '', parents: job.parents ?? [], disabled: job.disabled,
    scheduleTimeZone: job.scheduleTimeZone,
    nextRun: nextRunMs === undefined || job.disabled ? '' : new Date(nextRunMs).toISOString(),
    owner: job.owner, ownerName: job.ownerName, description: job.description, command: job.command,
    lastSuccess: job.lastSuccess, lastError: job.lastError, successCount: job.successCount, errorCount: job.errorCount,
  };
}
