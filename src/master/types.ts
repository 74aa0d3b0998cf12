// The master's in-memory model of the cluster. Frameworks, tasks and offers live only here (as in Mesos);
// admitted agents and weights are also written to the registry (Store).
import type { Resources } from '../common/resources.ts';
import type { EventSink } from '../common/event-stream.ts';
import type { AgentInfo, FrameworkInfo, TaskInfo, TaskState, TaskStatus } from '../proto/mesos.ts';

export interface Task {
  taskId: string;
  frameworkId: string;
  agentId: string;
  executorId: string; // "" for command tasks
  role: string;
  info: TaskInfo;
  resources: Resources;
  state: TaskState;
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
  tasks: Map<string, Task>; // key: frameworkId/taskId
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

export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}/${taskId}`;
}
