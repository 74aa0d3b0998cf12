// Links out of the console: a task's host:port endpoints and its sandbox page in the master's console. Pure.
import type { MarathonInfo, MarathonTask } from './types.ts';

/** The master console's base URL from /v2/info: mesos_leader_ui_url, else http://<master> when it is host:port. */
export function masterUiBase(info: MarathonInfo | undefined): string | undefined {
  const ui = info?.marathon_config?.mesos_leader_ui_url;
  if (ui) return ui.replace(/\/+$/, '');
  const master = info?.marathon_config?.master;
  if (master && /^[^/:]+:\d+$/.test(master)) return `http://${master}`;
  return undefined;
}

/**
 * A task's sandbox in the master console, the Mesos UI's executor page (for command tasks the executor id is the
 * task id): `<master>/#/agents/<agentId>/frameworks/<frameworkId>/executors/<taskId>`.
 */
export function sandboxUrl(base: string | undefined, frameworkId: string | null | undefined, task: Pick<MarathonTask, 'id' | 'slaveId'>): string | undefined {
  if (!base || !frameworkId) return undefined;
  const e = encodeURIComponent;
  return `${base}/#/agents/${e(task.slaveId)}/frameworks/${e(frameworkId)}/executors/${e(task.id)}`;
}

export function endpoints(task: Pick<MarathonTask, 'host' | 'ports'>): Array<{ label: string; url: string }> {
  return task.ports.map((p) => ({ label: `${task.host}:${p}`, url: `http://${task.host}:${p}` }));
}
