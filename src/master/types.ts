// The master's in-memory model of the cluster. Frameworks, tasks and offers live only here (as in Mesos);
// admitted agents and weights are also written to the registry (Store).
import { Resources } from '../common/resources.ts';
import type { EventSink } from '../common/event-stream.ts';
import { isTerminalState, type AgentInfo, type FrameworkInfo, type TaskInfo, type TaskState, type TaskStatus } from '../proto/mesos.ts';

/** The optional parts of a TaskInfo that Mesos' Task message keeps; most tasks have none of them. */
export interface TaskExtras {
  labels?: TaskInfo['labels'];
  discovery?: TaskInfo['discovery'];
  container?: TaskInfo['container'];
  health_check?: TaskInfo['health_check'];
  kill_policy?: TaskInfo['kill_policy'];
  user?: string;
}

/**
 * A task as the master keeps it: like Mesos' Task message, not the whole TaskInfo (the command, data and
 * executor went to the agent with RUN_TASK). Ids are the master's own strings (shared with the framework and
 * agent records) and `resources` is interned, so a task costs a few hundred bytes.
 */
export interface Task {
  taskId: string;
  name: string;
  frameworkId: string;
  agentId: string;
  executorId: string; // "" for command tasks
  role: string;
  extras?: TaskExtras;
  resources: Resources;
  state: TaskState;
  /** As Mesos: at most one entry per consecutive state (the latest), `data` dropped. */
  statuses: TaskStatus[];
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
  /** Set while the task's agent is unreachable. */
  unreachableTime?: number;
}

export interface Agent {
  id: string;
  info: AgentInfo;
  total: Resources;
  pid: string;
  registeredTime: number;
  reregisteredTime?: number;
  version: string;
  stream?: EventSink;
  streamId?: string;
  /** Connected agents receive offers; a disconnected one keeps its tasks until it is declared unreachable. */
  connected: boolean;
  missedPings: number;
  pongSinceLastPing: boolean;
  tasks: AgentTasks;
}

export interface Framework {
  id: string;
  info: FrameworkInfo;
  roles: string[];
  suppressedRoles: Set<string>;
  partitionAware: boolean;
  stream?: EventSink;
  streamId?: string;
  connected: boolean;
  active: boolean;
  /** Known only from an agent's report after a master failover; not yet re-subscribed. */
  recovered: boolean;
  registeredTime: number;
  reregisteredTime?: number;
  unregisteredTime?: number;
  failoverTimer?: NodeJS.Timeout;
  tasks: Map<string, Task>;
  unreachableTasks: Map<string, Task>;
  completedTasks: Task[];
  offers: Set<string>;
}

export interface OfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
  timer?: NodeJS.Timeout;
}

/**
 * An agent's tasks by framework, then task id (no composite key strings to allocate per task), with the sum of
 * the live tasks' resources cached for the state endpoints (10,000 agents each summing their tasks per request
 * was most of /master/state's time).
 */
export class AgentTasks {
  private readonly byFramework = new Map<string, Map<string, Task>>();
  private count = 0;
  private version = 0;
  private usedCache?: { version: number; used: Resources };

  /** Must be called when a task of this agent changes state (a terminal task stops counting as used). */
  stateChanged(): void { this.version++; }

  /** Resources of the tasks that are not terminal. */
  used(): Resources {
    if (this.usedCache?.version !== this.version) {
      const live: Resources[] = [];
      for (const t of this.values()) if (!isTerminalState(t.state)) live.push(t.resources);
      this.usedCache = { version: this.version, used: Resources.sum(live) };
    }
    return this.usedCache.used;
  }

  get size(): number { return this.count; }

  get(frameworkId: string, taskId: string): Task | undefined {
    return this.byFramework.get(frameworkId)?.get(taskId);
  }

  set(task: Task): void {
    let m = this.byFramework.get(task.frameworkId);
    if (!m) { m = new Map(); this.byFramework.set(task.frameworkId, m); }
    if (!m.has(task.taskId)) this.count++;
    m.set(task.taskId, task);
    this.version++;
  }

  delete(frameworkId: string, taskId: string): void {
    const m = this.byFramework.get(frameworkId);
    if (!m?.delete(taskId)) return;
    this.count--;
    this.version++;
    if (m.size === 0) this.byFramework.delete(frameworkId);
  }

  hasFramework(frameworkId: string): boolean {
    return this.byFramework.has(frameworkId);
  }

  *values(): Generator<Task> {
    for (const m of this.byFramework.values()) yield* m.values();
  }
}
