// Where a task's sandbox lives in the Mesos master console. The master console routes by URL hash; its task page
// (with the sandbox's files and live stdout/stderr) is `#/tasks/<task id>`, the framework and agent ids ride along
// as query parameters so the page can find a task that already finished.
import type { FrameworkInfo } from './types.ts';

export function sandboxUrl(fw: FrameworkInfo | undefined, task: { taskId: string; slaveId: string }): string | undefined {
  if (!fw?.master) return undefined;
  const q = new URLSearchParams();
  if (fw.frameworkId) q.set('framework', fw.frameworkId);
  if (task.slaveId) q.set('agent', task.slaveId);
  const query = q.toString();
  return `http://${fw.master}/#/tasks/${encodeURIComponent(task.taskId)}${query ? `?${query}` : ''}`;
}
