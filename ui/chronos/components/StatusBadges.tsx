// A job's activity (running / queued / idle / disabled) and its last result, as badges with text (not colour alone).
import { activity } from '../status.ts';
import type { JobSummary } from '../types.ts';

const ACTIVITY_CLASS = { running: 'badge info', queued: 'badge warn', idle: 'badge', disabled: 'badge muted' } as const;
const STATE = { success: ['badge ok', 'succeeded'], failure: ['badge bad', 'failed'], fresh: ['badge', 'never run'] } as const;

export function ActivityBadge({ job }: { job: Pick<JobSummary, 'disabled' | 'status'> }) {
  const a = activity(job);
  return <span className={ACTIVITY_CLASS[a]} data-testid="job-activity">{a === 'running' && job.status !== 'running' ? job.status : a}</span>;
}

export function StateBadge({ state }: { state: JobSummary['state'] }) {
  const [cls, text] = STATE[state];
  return <span className={cls} data-testid="job-state">{text}</span>;
}
