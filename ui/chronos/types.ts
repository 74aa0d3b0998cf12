// The Chronos API's shapes as the console reads them (see src/chronos/job.ts and api.ts; the summary row is the
// server's type).

/** A row of GET /v1/scheduler/jobs/summary and of the event stream: the server's own type (type-only import). */
import type { JobSummary } from '../../src/chronos/summary.ts';

export type { JobSummary };

export interface EnvironmentVariable { name: string; value: string }

/** A full job (GET /v1/scheduler/job/{name}); fields the console does not edit are kept as they are. */
export interface Job {
  name: string;
  command: string;
  shell: boolean;
  schedule?: string;
  scheduleTimeZone?: string;
  parents?: string[];
  epsilon: string;
  retries: number;
  async: boolean;
  cpus: number;
  mem: number;
  disk: number;
  disabled: boolean;
  concurrent: boolean;
  owner: string;
  ownerName: string;
  description: string;
  environmentVariables: EnvironmentVariable[];
  container?: { type?: string; image?: string; network?: string; [k: string]: unknown };
  successCount: number;
  errorCount: number;
  lastSuccess: string;
  lastError: string;
  errorsSinceLastSuccess: number;
  [k: string]: unknown;
}

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
