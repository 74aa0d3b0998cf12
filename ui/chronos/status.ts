// What a job is doing and how it last went, as the list, the job page and the graph show it. Pure.
import type { JobSummary } from './types.ts';

/** How a job last went, from its counters (as Chronos' summary computes `state`). */
export function lastState(j: { lastSuccess: string; lastError: string }): JobSummary['state'] {
  if (!j.lastSuccess && !j.lastError) return 'fresh';
  if (!j.lastError) return 'success';
  if (!j.lastSuccess) return 'failure';
  return Date.parse(j.lastSuccess) >= Date.parse(j.lastError) ? 'success' : 'failure';
}

export type Activity = 'disabled' | 'running' | 'queued' | 'idle';

export function activity(j: Pick<JobSummary, 'disabled' | 'status'>): Activity {
  if (j.status.includes('running')) return 'running';
  if (j.status === 'queued') return 'queued';
  return j.disabled ? 'disabled' : 'idle';
}

export const STATUS_FILTERS = [
  { value: '', label: 'Any status' },
  { value: 'running', label: 'Running' },
  { value: 'queued', label: 'Queued' },
  { value: 'idle', label: 'Idle' },
  { value: 'failure', label: 'Last run failed' },
  { value: 'success', label: 'Last run succeeded' },
  { value: 'fresh', label: 'Never run' },
  { value: 'disabled', label: 'Disabled' },
] as const;

export function matchesStatus(j: JobSummary, filter: string): boolean {
  switch (filter) {
    case '': return true;
    case 'failure': case 'success': case 'fresh': return j.state === filter;
    case 'disabled': return j.disabled;
    default: return activity(j) === filter;
  }
}

/** Lower-cased text a search box matches against: name, owner, description, command. */
export function searchText(j: JobSummary): string {
  return `${j.name}\n${j.owner}\n${j.ownerName}\n${j.description}\n${j.command}`.toLowerCase();
}
