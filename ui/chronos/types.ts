// The Chronos API's shapes as the console reads them: the job and the summary row are the server's own types
// (type-only imports from src/chronos), so a field the server adds cannot drift from what the console edits.
import type { Job as ServerJob } from '../../src/chronos/job.ts';
import type { JobSummary } from '../../src/chronos/summary.ts';

export type { EnvironmentVariable, FetchUri } from '../../src/chronos/job.ts';
export type { Constraint } from '../../src/chronos/constraints.ts';
export type { JobSummary };

/** A Docker volume of a job's container, as Chronos clients write it. */
export interface ContainerVolume { containerPath?: string; hostPath?: string; mode?: string; [k: string]: unknown }

/** A job's `container` (the server keeps it as given when it names an image; see src/chronos/container.ts). */
export interface JobContainer {
  type?: string;
  image: string;
  network?: string;
  networkName?: string;
  forcePullImage?: boolean;
  volumes?: ContainerVolume[];
  [k: string]: unknown;
}

/**
 * A full job (GET /v1/scheduler/job/{name}), as the server's jobJson writes it: a dependent job has `parents` and
 * no schedule nor time zone, a job without a container has no `container`.
 */
export type Job = Omit<ServerJob, 'schedule' | 'scheduleTimeZone' | 'container'> & {
  schedule?: string;
  scheduleTimeZone?: string;
  container?: JobContainer;
};

export interface RunStat {
  taskId: string;
  slaveId: string;
  host: string;
  attempt: number;
  status: 'success' | 'fail' | 'killed';
  taskState: string;
  exitStatus?: number;
  message?: string;
  dueAt: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
}

export interface ActiveTask { taskId: string; state: 'queued' | 'launched' | 'running' | 'awaiting'; attempt: number; dueAt: string; slaveId: string; host: string; startedAt?: string }

export interface JobStat {
  histogram: Record<string, number>;
  taskStatHistory: RunStat[];
  activeTasks: ActiveTask[];
}

/** An event of GET /v1/scheduler/events. */
export interface ChronosEvent {
  type: string;
  jobName: string;
  taskId?: string;
  taskStatus?: string;
  timestamp: string;
  job?: JobSummary;
}

export interface FrameworkInfo { frameworkId: string; master: string }
