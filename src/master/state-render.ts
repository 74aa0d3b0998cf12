// /master/state and /master/frameworks rendered as a list of JSON chunks instead of one object tree passed to
// JSON.stringify. At 100,000 tasks the object tree (a dozen objects per task) was most of the cost, so:
// - a task is one template string, its resources reuse the JSON cached on their (interned) Resources;
// - each framework's task lists and each agent are kept rendered (as Buffers, outside the JS heap) together with
//   what they were rendered from, and reused while that is unchanged; the check is a cheap scan, so no mutation
//   path of the master has to remember to invalidate anything;
// - everything else still goes through the object views, and the whole output is byte for byte
//   JSON.stringify(masterState(master)) (property-tested).
// Chunks are produced synchronously (one consistent snapshot, as Mesos renders it) and then streamed.
import type { Resources } from '../common/resources.ts';
import type { TaskState, TaskStatus } from '../proto/mesos.ts';
import type { Master } from './master.ts';
import type { Agent, Framework, Task } from './types.ts';
import { frameworkUsed, legacyAgent, legacyFrameworkParts, masterStateHead, offeredByAgent } from './views.ts';

const str = JSON.stringify as (s: string) => string;
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/**
 * JSON string literals of the strings many tasks repeat (framework, agent and executor ids, roles, states), kept
 * for one rendering: at 100,000 tasks JSON.stringify of the same few thousand ids was a good part of the cost.
 */
class Quoter {
  private readonly cache = new Map<string, string>();
  quote(s: string): string {
    let q = this.cache.get(s);
    if (q === undefined) { q = str(s); this.cache.set(s, q); }
    return q;
  }
}

/** The container status most tasks have ({"executor_pid":n} or nothing) without a JSON.stringify call. */
function renderContainerStatus(cs: TaskStatus['container_status']): string {
  if (cs === undefined) return '{}';
  const keys = Object.keys(cs);
  if (keys.length === 1 && keys[0] === 'executor_pid' && Number.isInteger(cs.executor_pid)) return `{"executor_pid":${cs.executor_pid}}`;
  return JSON.stringify(cs);
}

/** JSON.stringify of views.ts' legacy status object. */
function renderStatus(s: TaskStatus, q: Quoter): string {
  let out = `{"state":${q.quote(s.state)}`;
  if (s.timestamp !== undefined) out += `,"timestamp":${num(s.timestamp)}`;
  if (s.healthy !== undefined) out += `,"healthy":${s.healthy}`;
  if (s.labels?.labels !== undefined) out += `,"labels":${JSON.stringify(s.labels.labels)}`;
  return `${out},"container_status":${renderContainerStatus(s.container_status)}}`;
}

/** JSON.stringify(legacyTask(task)), without building the object. */
export function renderLegacyTask(task: Task): string {
  return renderTask(task, new Quoter());
}

function renderTask(task: Task, q: Quoter): string {
  const id = str(task.taskId);
  let out = `{"id":${id}`;
  if (task.name !== undefined) out += `,"name":${task.name === task.taskId ? id : str(task.name)}`;
  out += `,"framework_id":${q.quote(task.frameworkId)},"executor_id":${q.quote(task.executorId)},"slave_id":${q.quote(task.agentId)},"state":${q.quote(task.state)}`;
  out += `,"resources":${task.resources.toLegacyJson()},"role":${q.quote(task.role)},"statuses":[`;
  const statuses = task.statuses;
  for (let i = 0; i < statuses.length; i++) out += (i > 0 ? ',' : '') + renderStatus(statuses[i]!, q);
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

/**
 * `[task,task,...]` as one exactly sized buffer of its own (outside the JS heap, no shared pool slab kept alive by
 * a small list). The list is built as one string and converted by a single Buffer.from, which measures and copies
 * it in one native call instead of two per task.
 */
export function renderTaskList(tasks: readonly Task[], q: Quoter = new Quoter()): Buffer {
  let out = '[';
  for (let i = 0; i < tasks.length; i++) out += (i > 0 ? ',' : '') + renderTask(tasks[i]!, q);
  const text = `${out}]`;
  const buf = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  buf.write(text);
  return buf;
}

/** A rendered task list and what it was rendered from: each task object, its state and its last status. */
class TaskListCache {
  private tasks: Task[] = [];
  private states: TaskState[] = [];
  private lastStatuses: Array<TaskStatus | undefined> = [];
  private statusCounts: number[] = [];
  private json: Buffer = renderTaskList([]);
  /** Bumped whenever the list is rendered anew, so callers can key their own derived values on it. */
  version = 0;

  /** Tasks are immutable but for state and statuses, and statuses only grow or replace their last entry. */
  render(list: Iterable<Task>): Buffer {
    const tasks = [...list];
    if (!this.matches(tasks)) {
      this.version++;
      this.json = renderTaskList(tasks);
      this.tasks = tasks;
      this.states = tasks.map((t) => t.state);
      this.lastStatuses = tasks.map((t) => t.statuses[t.statuses.length - 1]);
      this.statusCounts = tasks.map((t) => t.statuses.length);
    }
    return this.json;
  }

  private matches(tasks: Task[]): boolean {
    if (tasks.length !== this.tasks.length) return false;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      if (t !== this.tasks[i] || t.state !== this.states[i] || t.statuses.length !== this.statusCounts[i] || t.statuses[t.statuses.length - 1] !== this.lastStatuses[i]) return false;
    }
    return true;
  }
}

interface FrameworkRendering {
  active: TaskListCache; unreachable: TaskListCache; completed: TaskListCache;
  /** The live tasks' resources, for the active list's version it was summed from. */
  used?: { version: number; resources: Resources };
}
const frameworkCaches = new WeakMap<Framework, FrameworkRendering>();

function frameworkRendering(fw: Framework): FrameworkRendering {
  let c = frameworkCaches.get(fw);
  if (!c) { c = { active: new TaskListCache(), unreachable: new TaskListCache(), completed: new TaskListCache() }; frameworkCaches.set(fw, c); }
  return c;
}

/** An agent's rendered JSON and the inputs it came from (the used resources are a cached, shared object). */
interface AgentRendering { sig: unknown[]; json: Buffer }
const agentCaches = new WeakMap<Agent, AgentRendering>();

function renderAgent(master: Master, agent: Agent, offered: Map<string, Resources>): Buffer {
  const sig = [agent.info, agent.total, agent.pid, agent.registeredTime, agent.reregisteredTime, agent.version, agent.connected, agent.tasks.used(), offered.get(agent.id)?.toLegacyJson()];
  const cached = agentCaches.get(agent);
  if (cached && cached.sig.every((v, i) => v === sig[i])) return cached.json;
  const json = Buffer.from(JSON.stringify(legacyAgent(master, agent, offered)));
  agentCaches.set(agent, { sig, json });
  return json;
}

/** `{"a":1}` → `"a":1` (objects from the views, which always have at least one field). */
const inner = (o: Record<string, unknown>): string => JSON.stringify(o).slice(1, -1);

export type Chunk = string | Buffer;

/** The chunks of JSON.stringify(legacyFramework(master, fw)). */
export function legacyFrameworkChunks(master: Master, fw: Framework): Chunk[] {
  const lists = frameworkRendering(fw);
  const active = lists.active.render(fw.tasks.values());
  // used_resources is a sum over the active list: unchanged list, unchanged sum.
  if (lists.used?.version !== lists.active.version) lists.used = { version: lists.active.version, resources: frameworkUsed(fw) };
  const { head, tail } = legacyFrameworkParts(master, fw, lists.used.resources);
  return [
    `{${inner(head)},"tasks":`, active, ',"unreachable_tasks":', lists.unreachable.render(fw.unreachableTasks.values()),
    ',"completed_tasks":', lists.completed.render(fw.completedTasks), `,${inner(tail)}}`,
  ];
}

function pushList<T>(out: Chunk[], items: Iterable<T>, render: (item: T) => Chunk | Chunk[]): void {
  let first = true;
  for (const item of items) {
    if (!first) out.push(',');
    const r = render(item);
    if (Array.isArray(r)) out.push(...r); else out.push(r);
    first = false;
  }
}

/** The chunks as one string (tests; the server streams them). */
export function chunksToString(chunks: Chunk[]): string {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString();
}

/** The chunks of JSON.stringify(masterState(master)). */
export function masterStateChunks(master: Master): Chunk[] {
  const out: Chunk[] = [`{${inner(masterStateHead(master))},"slaves":[`];
  const offered = offeredByAgent(master);
  pushList(out, master.agents.values(), (a) => renderAgent(master, a, offered));
  out.push(`],"recovered_slaves":${JSON.stringify([...master.recoveredAgents].map(([id, a]) => ({ id, hostname: a.hostname })))},"frameworks":[`);
  pushList(out, master.frameworks.values(), (f) => legacyFrameworkChunks(master, f));
  out.push('],"completed_frameworks":[');
  pushList(out, master.completedFrameworks, (f) => legacyFrameworkChunks(master, f));
  out.push('],"orphan_tasks":[],"unregistered_frameworks":[]}');
  return out;
}

/** The chunks of /master/frameworks (optionally one framework). */
export function frameworksChunks(master: Master, frameworkId?: string): Chunk[] {
  const pick = (list: Iterable<Framework>): Framework[] => [...list].filter((f) => !frameworkId || f.id === frameworkId);
  const out: Chunk[] = ['{"frameworks":['];
  pushList(out, pick(master.frameworks.values()), (f) => legacyFrameworkChunks(master, f));
  out.push('],"completed_frameworks":[');
  pushList(out, pick(master.completedFrameworks), (f) => legacyFrameworkChunks(master, f));
  out.push('],"unregistered_frameworks":[]}');
  return out;
}
