// `trireme task kill <Chronos task id>`. Chronos kills per job (DELETE /v1/scheduler/task/kill/{job}), never one
// task: killing the only active task of a job is what the user asked for; when the job has other queued or running
// tasks the command refuses unless --job says to kill them all (docs/decisions/0162-cli-chronos-task-kill.md).
import { CliError } from './http.ts';
import { parseTaskId } from '../../chronos/task-id.ts';
import type { ChronosClient } from './chronos-client.ts';

export type ChronosKillDecision =
  | { kill: true; job: string; others: string[] }
  | { kill: false; error: CliError };

/** Pure: whether killing `taskId` through its job is what the user asked for, given the job's active tasks. */
export function decideChronosKill(taskId: string, job: string, active: string[], wholeJob: boolean): ChronosKillDecision {
  if (!active.includes(taskId)) {
    return { kill: false, error: new CliError('not-found', `task '${taskId}' is not an active task of Chronos job '${job}' (it may have finished)`) };
  }
  const others = active.filter((t) => t !== taskId);
  if (others.length > 0 && !wholeJob) {
    return {
      kill: false,
      error: new CliError('usage', `task '${taskId}': Chronos kills a job's tasks together and job '${job}' has ${others.length} other active task${others.length === 1 ? '' : 's'}; add --job to kill all ${others.length + 1}`),
    };
  }
  return { kill: true, job, others };
}

/** The job a Chronos task id (`ct:<due>:<attempt>:<job>:<args>`) belongs to, or undefined for other ids. */
export function chronosJobOf(taskId: string): string | undefined {
  return parseTaskId(taskId)?.jobName;
}

/** Kills a Chronos task through its job; returns the line to print. */
export async function killChronosTask(chronos: ChronosClient, taskId: string, job: string, wholeJob: boolean): Promise<{ job: string; killed: string[]; line: string }> {
  const active = await chronos.activeTasks(job);
  const decision = decideChronosKill(taskId, job, active, wholeJob);
  if (!decision.kill) throw decision.error;
  await chronos.killJobTasks(job);
  const line = decision.others.length === 0
    ? `task ${taskId}: killed (Chronos job ${job}; it had no other active task)`
    : `task ${taskId}: killed, with the ${decision.others.length} other active task${decision.others.length === 1 ? '' : 's'} of Chronos job ${job}`;
  return { job, killed: [taskId, ...decision.others], line };
}
