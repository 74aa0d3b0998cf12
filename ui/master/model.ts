// The console's picture of the cluster, kept from the master's operator event stream: SUBSCRIBED brings the full
// state, TASK_/AGENT_/FRAMEWORK_ events change it. Pure (no DOM, no I/O) so it is unit-tested in node; lookups
// that pages need at 10,000 tasks (by agent, by framework) are kept as indexes rather than recomputed by scans.
import { Resources, type ResourceJSON } from '../../src/common/resources.ts';

export interface Id { value: string }
export interface Time { nanoseconds: number }

export interface V1Status {
  task_id: Id; state: string; timestamp?: number; message?: string; reason?: string; source?: string; healthy?: boolean;
  agent_id?: Id; executor_id?: Id; uuid?: string;
  container_status?: { container_id?: Id; network_infos?: Array<{ ip_addresses?: Array<{ ip_address?: string }> }> };
}

export interface V1Task {
  name: string; task_id: Id; framework_id: Id; agent_id: Id; executor_id?: Id; state: string;
  resources: ResourceJSON[]; statuses: V1Status[]; labels?: { labels: Array<{ key: string; value?: string }> };
  container?: Record<string, unknown>; user?: string;
}

export interface V1Attribute { name: string; type: string; scalar?: { value: number }; text?: { value: string }; ranges?: { range: Array<{ begin: number; end: number }> }; set?: { item: string[] } }

export interface V1Agent {
  agent_info: { id?: Id; hostname: string; port?: number; attributes?: V1Attribute[]; resources?: ResourceJSON[] };
  active: boolean; pid?: string; version?: string; registered_time?: Time; reregistered_time?: Time;
  total_resources: ResourceJSON[]; allocated_resources?: ResourceJSON[]; offered_resources?: ResourceJSON[];
}

export interface V1FrameworkInfo {
  id?: Id; name: string; user: string; role?: string; roles?: string[]; principal?: string; hostname?: string; webui_url?: string;
  failover_timeout?: number; checkpoint?: boolean; capabilities?: Array<{ type: string }>;
}

export interface V1Framework {
  framework_info: V1FrameworkInfo; active: boolean; connected: boolean; recovered?: boolean;
  registered_time?: Time; reregistered_time?: Time; unregistered_time?: Time;
  offers?: Array<{ id: Id; agent_id: Id; hostname?: string; resources: ResourceJSON[] }>;
  allocated_resources?: ResourceJSON[]; offered_resources?: ResourceJSON[];
}

export interface V1State {
  get_tasks: { tasks?: V1Task[]; unreachable_tasks?: V1Task[]; completed_tasks?: V1Task[] };
  get_frameworks: { frameworks?: V1Framework[]; completed_frameworks?: V1Framework[] };
  get_agents: { agents?: V1Agent[] };
}

export type OperatorEvent =
  | { type: 'SUBSCRIBED'; subscribed: { get_state: V1State; heartbeat_interval_seconds?: number } }
  | { type: 'TASK_ADDED'; task_added: { task: V1Task } }
  | { type: 'TASK_UPDATED'; task_updated: { framework_id: Id; status: V1Status; state: string } }
  | { type: 'AGENT_ADDED'; agent_added: { agent: V1Agent } }
  | { type: 'AGENT_REMOVED'; agent_removed: { agent_id: Id } }
  | { type: 'FRAMEWORK_ADDED'; framework_added: { framework: V1Framework } }
  | { type: 'FRAMEWORK_UPDATED'; framework_updated: { framework: V1Framework } }
  | { type: 'FRAMEWORK_REMOVED'; framework_removed: { framework_info: V1FrameworkInfo } }
  | { type: 'HEARTBEAT' };

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR']);
export const isTerminal = (state: string): boolean => TERMINAL.has(state);

export interface TaskEntry {
  /** `<framework id>/<task id>`: task ids are unique per framework only. */
  key: string;
  id: string; name: string; frameworkId: string; agentId: string; executorId: string; state: string;
  statuses: V1Status[]; resources: Resources; raw: V1Task;
  /** Lower-case text the search box matches against. */
  haystack: string;
}

export interface AgentEntry { id: string; raw: V1Agent; total: Resources; hostname: string; haystack: string }
export interface FrameworkEntry { id: string; raw: V1Framework; completed: boolean; name: string; haystack: string }

export const taskKey = (frameworkId: string, taskId: string): string => `${frameworkId}/${taskId}`;

/** Completed tasks kept in the console (the master keeps its own bounded history; this bounds a long session). */
export const DEFAULT_COMPLETED_LIMIT = 20_000;

export class ClusterModel {
  readonly agents = new Map<string, AgentEntry>();
  readonly frameworks = new Map<string, FrameworkEntry>();
  readonly tasks = new Map<string, TaskEntry>();
  private readonly byAgent = new Map<string, Set<string>>();
  private readonly byFramework = new Map<string, Set<string>>();
  private completedOrder: string[] = [];
  /** Bumped on every change; views memoise on it. */
  version = 0;
  subscribed = false;

  constructor(private readonly completedLimit = DEFAULT_COMPLETED_LIMIT) {}

  /** Applies one event; returns whether anything changed. */
  apply(event: OperatorEvent): boolean {
    switch (event.type) {
      case 'SUBSCRIBED': this.reset(event.subscribed.get_state); break;
      case 'TASK_ADDED': this.putTask(event.task_added.task); break;
      case 'TASK_UPDATED': if (!this.updateTask(event.task_updated.framework_id.value, event.task_updated.status, event.task_updated.state)) return false; break;
      case 'AGENT_ADDED': this.putAgent(event.agent_added.agent); break;
      case 'AGENT_REMOVED': if (!this.agents.delete(event.agent_removed.agent_id.value)) return false; break;
      case 'FRAMEWORK_ADDED': this.putFramework(event.framework_added.framework, false); break;
      case 'FRAMEWORK_UPDATED': this.putFramework(event.framework_updated.framework, false); break;
      case 'FRAMEWORK_REMOVED': {
        const id = event.framework_removed.framework_info.id?.value;
        const fw = id ? this.frameworks.get(id) : undefined;
        if (!fw) return false;
        this.putFramework({ ...fw.raw, active: false, connected: false }, true);
        break;
      }
      default: return false;
    }
    this.version++;
    return true;
  }

  tasksOfAgent(agentId: string): TaskEntry[] { return this.lookup(this.byAgent.get(agentId)); }
  tasksOfFramework(frameworkId: string): TaskEntry[] { return this.lookup(this.byFramework.get(frameworkId)); }

  /** Resources of an agent's tasks that still run. */
  usedOnAgent(agentId: string): Resources {
    return Resources.sum(this.tasksOfAgent(agentId).filter((t) => !isTerminal(t.state)).map((t) => t.resources));
  }

  private lookup(keys: Set<string> | undefined): TaskEntry[] {
    const out: TaskEntry[] = [];
    for (const k of keys ?? []) { const t = this.tasks.get(k); if (t) out.push(t); }
    return out;
  }

  private reset(state: V1State): void {
    this.agents.clear(); this.frameworks.clear(); this.tasks.clear(); this.byAgent.clear(); this.byFramework.clear();
    this.completedOrder = [];
    for (const a of state.get_agents.agents ?? []) this.putAgent(a);
    for (const f of state.get_frameworks.frameworks ?? []) this.putFramework(f, false);
    for (const f of state.get_frameworks.completed_frameworks ?? []) this.putFramework(f, true);
    const t = state.get_tasks;
    for (const task of [...(t.completed_tasks ?? []), ...(t.tasks ?? []), ...(t.unreachable_tasks ?? [])]) this.putTask(task);
    this.subscribed = true;
  }

  private putAgent(raw: V1Agent): void {
    const id = raw.agent_info.id?.value;
    if (!id) return;
    const hostname = raw.agent_info.hostname;
    const attrs = (raw.agent_info.attributes ?? []).map((a) => `${a.name}:${a.text?.value ?? a.scalar?.value ?? ''}`).join(' ');
    this.agents.set(id, { id, raw, hostname, total: Resources.fromJSON(raw.total_resources), haystack: `${id} ${hostname} ${attrs}`.toLowerCase() });
  }

  private putFramework(raw: V1Framework, completed: boolean): void {
    const id = raw.framework_info.id?.value;
    if (!id) return;
    const name = raw.framework_info.name;
    this.frameworks.set(id, { id, raw, completed, name, haystack: `${id} ${name} ${raw.framework_info.user} ${raw.framework_info.principal ?? ''}`.toLowerCase() });
  }

  private putTask(raw: V1Task): void {
    const frameworkId = raw.framework_id.value;
    const key = taskKey(frameworkId, raw.task_id.value);
    const fwName = this.frameworks.get(frameworkId)?.name ?? '';
    const entry: TaskEntry = {
      key, id: raw.task_id.value, name: raw.name, frameworkId, agentId: raw.agent_id.value, executorId: raw.executor_id?.value ?? '',
      state: raw.state, statuses: raw.statuses ?? [], resources: Resources.fromJSON(raw.resources), raw,
      haystack: `${raw.task_id.value} ${raw.name} ${fwName} ${this.agents.get(raw.agent_id.value)?.hostname ?? ''}`.toLowerCase(),
    };
    const existed = this.tasks.get(key);
    this.tasks.set(key, entry);
    index(this.byAgent, entry.agentId, key);
    index(this.byFramework, frameworkId, key);
    if (isTerminal(entry.state) && !(existed && isTerminal(existed.state))) this.completed(key);
  }

  private updateTask(frameworkId: string, status: V1Status, state: string): boolean {
    const key = taskKey(frameworkId, status.task_id.value);
    const task = this.tasks.get(key);
    if (!task) return false;
    const wasTerminal = isTerminal(task.state);
    const updated: TaskEntry = { ...task, state, statuses: [...task.statuses, status] };
    this.tasks.set(key, updated);
    if (isTerminal(state) && !wasTerminal) this.completed(key);
    return true;
  }

  private completed(key: string): void {
    this.completedOrder.push(key);
    while (this.completedOrder.length > this.completedLimit) {
      const old = this.completedOrder.shift()!;
      const t = this.tasks.get(old);
      if (!t || !isTerminal(t.state)) continue;
      this.tasks.delete(old);
      this.byAgent.get(t.agentId)?.delete(old);
      this.byFramework.get(t.frameworkId)?.delete(old);
    }
  }
}

function index(map: Map<string, Set<string>>, id: string, key: string): void {
  let set = map.get(id);
  if (!set) { set = new Set(); map.set(id, set); }
  set.add(key);
}

export interface TaskFilter { text?: string; states?: ReadonlySet<string>; frameworkId?: string; agentId?: string; completed: boolean }

/** The tasks a list shows: active or completed ones, matching the search text and filters, newest first. */
export function filterTasks(tasks: Iterable<TaskEntry>, f: TaskFilter): TaskEntry[] {
  const text = f.text?.trim().toLowerCase();
  const out: TaskEntry[] = [];
  for (const t of tasks) {
    if (isTerminal(t.state) !== f.completed) continue;
    if (f.frameworkId && t.frameworkId !== f.frameworkId) continue;
    if (f.agentId && t.agentId !== f.agentId) continue;
    if (f.states && f.states.size > 0 && !f.states.has(t.state)) continue;
    if (text && !t.haystack.includes(text)) continue;
    out.push(t);
  }
  return out.sort((a, b) => lastTime(b) - lastTime(a));
}

/** When a task last changed (its latest status), in seconds. */
export function lastTime(t: TaskEntry): number {
  return t.statuses[t.statuses.length - 1]?.timestamp ?? 0;
}

/** The Mesos virtual path of a task's sandbox, which the agent's files API resolves: its run (container) directory. */
export function sandboxPath(t: TaskEntry): string {
  let container = 'latest';
  for (const s of t.statuses) if (s.container_status?.container_id?.value) container = s.container_status.container_id.value;
  return `/frameworks/${t.frameworkId}/executors/${t.executorId || t.id}/runs/${container}`;
}
