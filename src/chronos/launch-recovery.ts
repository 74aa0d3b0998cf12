// What Chronos does with a run whose launch it recorded (written ahead of the ACCEPT) when the master answers a
// reconciliation about it. Pure: the task, the status and the clock reading come in, a decision goes out.
import type { TaskStatus } from '../proto/mesos.ts';

/**
 * - `track`: the master knows the task (or the status is an ordinary one): handle the status as usual.
 * - `relaunch`: the master never saw the task (Chronos stopped between recording the launch and sending it), and
 *   the run is still inside epsilon: queue it again, under the same task id.
 * - `skip`: the master never saw the task and epsilon has passed: the run is dropped and counted as skipped.
 */
export type LaunchRecovery = 'track' | 'relaunch' | 'skip';

/** States the master answers a reconciliation with for a task it does not know (by partition-awareness). */
const UNKNOWN_TO_MASTER = new Set(['TASK_LOST', 'TASK_GONE', 'TASK_UNKNOWN']);

/** Whether `status` is the master saying it never heard of the task (its reconciliation answer for unknown ids). */
export function unknownToMaster(status: Pick<TaskStatus, 'state' | 'reason' | 'source'>): boolean {
  return status.reason === 'REASON_RECONCILIATION' && status.source !== 'SOURCE_AGENT' && status.source !== 'SOURCE_EXECUTOR'
    && UNKNOWN_TO_MASTER.has(status.state);
}

/**
 * Decides for a task Chronos recorded as launched but has had no status for yet (`launched`), given the master's
 * answer. A task that already reported (running, awaiting) ran on an agent: its statuses are tracked as usual.
 */
export function recoverLaunch(
  task: { state: string; due: number },
  status: Pick<TaskStatus, 'state' | 'reason' | 'source'>,
  now: number,
  epsilonMs: number,
): LaunchRecovery {
  if (task.state !== 'launched' || !unknownToMaster(status)) return 'track';
  return now - task.due <= epsilonMs ? 'relaunch' : 'skip';
}
