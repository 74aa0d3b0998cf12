// /master/state and /master/frameworks rendered as a list of JSON text chunks instead of one object tree
// passed to JSON.stringify. At 100,000 tasks the object tree (a dozen objects per task) was most of the
// cost; here a task is one template string, resources reuse the JSON cached on their (interned) Resources,
// and everything but the task lists still goes through the object views, so the output is byte for byte
// JSON.stringify(masterState(master)) (unit-tested). The chunks are built synchronously (one consistent
// snapshot, as Mesos renders it) and then streamed, so no single 40 MB string is ever assembled.
import type { TaskStatus } from '../proto/mesos.ts';
import type { Master } from './master.ts';
import type { Framework, Task } from './types.ts';
import { legacyAgent, legacyFrameworkParts, masterStateHead, offeredByAgent } from './views.ts';

const str = JSON.stringify as (s: string) => string;
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** JSON.stringify of views.ts' legacy status object. */
function renderStatus(s: TaskStatus): string {
  let out = `{"state":${str(s.state)}`;
  if (s.timestamp !== undefined) out += `,"timestamp":${num(s.timestamp)}`;
  if (s.healthy !== undefined) out += `,"healthy":${s.healthy}`;
  if (s.labels?.labels !== undefined) out += `,"labels":${JSON.stringify(s.labels.labels)}`;
  return `${out},"container_status":${JSON.stringify(s.container_status ?? {})}}`;
}

/** JSON.stringify(legacyTask(task)), without building the object. */
export function renderLegacyTask(task: Task): string {
  let out = `{"id":${str(task.taskId)}`;
  if (task.name !== undefined) out += `,"name":${str(task.name)}`;
  out += `,"framework_id":${str(task.frameworkId)},"executor_id":${str(task.executorId)},"slave_id":${str(task.agentId)},"state":${str(task.state)}`;
  out += `,"resources":${task.resources.toLegacyJson()},"role":${str(task.role)},"statuses":[`;
  const statuses = task.statuses;
  for (let i = 0; i < statuses.length; i++) out += (i > 0 ? ',' : '') + renderStatus(statuses[i]!);
  out += ']';
  const x = task.extras;
  if (x) {
    if (x.labels?.labels !== undefined) out += `,"labels":${JSON.stringify(x.labels.labels)}`;
    if (x.discovery) out += `,"discovery":${JSON.stringify(x.discovery)}`;
    if (x.container) out += `,"container":${JSON.stringify(x.container)}`;
    if (x.health_check) out += `,"health_check":${JSON.stringify(x.health_check)}`;
    if (x.user !== undefined) out += `,"user":${str(x.user)}`;
  }
  return `${out}}`;
}

function renderTaskList(tasks: Iterable<Task>): string {
  const parts: string[] = [];
  for (const t of tasks) parts.push(renderLegacyTask(t));
  return `[${parts.join(',')}]`;
}

/** `{"a":1}` → `"a":1` (objects from the views, which always have at least one field). */
const inner = (o: Record<string, unknown>): string => JSON.stringify(o).slice(1, -1);

/** JSON.stringify(legacyFramework(master, fw)). */
export function renderLegacyFramework(master: Master, fw: Framework): string {
  const { head, tail } = legacyFrameworkParts(master, fw);
  return `{${inner(head)},"tasks":${renderTaskList(fw.tasks.values())},"unreachable_tasks":${renderTaskList(fw.unreachableTasks.values())},"completed_tasks":${renderTaskList(fw.completedTasks)},${inner(tail)}}`;
}

function pushList<T>(out: string[], items: Iterable<T>, render: (item: T) => string): void {
  let first = true;
  for (const item of items) { out.push(first ? render(item) : `,${render(item)}`); first = false; }
}

/** The chunks of JSON.stringify(masterState(master)). */
export function masterStateChunks(master: Master): string[] {
  const out: string[] = [`{${inner(masterStateHead(master))},"slaves":[`];
  const offered = offeredByAgent(master);
  pushList(out, master.agents.values(), (a) => JSON.stringify(legacyAgent(master, a, offered)));
  out.push(`],"recovered_slaves":${JSON.stringify([...master.recoveredAgents].map(([id, a]) => ({ id, hostname: a.hostname })))},"frameworks":[`);
  pushList(out, master.frameworks.values(), (f) => renderLegacyFramework(master, f));
  out.push('],"completed_frameworks":[');
  pushList(out, master.completedFrameworks, (f) => renderLegacyFramework(master, f));
  out.push('],"orphan_tasks":[],"unregistered_frameworks":[]}');
  return out;
}

/** The chunks of /master/frameworks (optionally one framework). */
export function frameworksChunks(master: Master, frameworkId?: string): string[] {
  const pick = (list: Iterable<Framework>): Framework[] => [...list].filter((f) => !frameworkId || f.id === frameworkId);
  const out: string[] = ['{"frameworks":['];
  pushList(out, pick(master.frameworks.values()), (f) => renderLegacyFramework(master, f));
  out.push('],"completed_frameworks":[');
  pushList(out, pick(master.completedFrameworks), (f) => renderLegacyFramework(master, f));
  out.push('],"unregistered_frameworks":[]}');
  return out;
}
