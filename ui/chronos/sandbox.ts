// Where a task's sandbox lives in the Mesos master console: its task page (`#/frameworks/<framework>/tasks/<task>`,
// with the sandbox's files and live stdout/stderr). The master is reached with this page's scheme (a cluster with
// TLS serves every console over https).
import type { FrameworkInfo } from './types.ts';

export function sandboxUrl(fw: FrameworkInfo | undefined, task: { taskId: string; slaveId: string }, protocol = globalThis.location?.protocol ?? 'http:'): string | undefined {
  if (!fw?.master || !fw.frameworkId) return undefined;
  return `${protocol}//${fw.master}/#/frameworks/${encodeURIComponent(fw.frameworkId)}/tasks/${encodeURIComponent(task.taskId)}`;
}
