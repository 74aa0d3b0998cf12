// The records Marathon keeps besides app definitions: task instances, deployments, launch delays.
import type { AttributeJSON, TaskState } from '../proto/mesos.ts';

/** One launched task of an app (Marathon 1.x has one task per instance for apps). */
export interface Instance {
  taskId: string;
  appId: string;
  agentId: string;
  host: string;
  /** Host ports, in portDefinition/portMapping order. */
  ports: number[];
  servicePorts: number[];
  state: TaskState;
  /** The app's `version` at launch, and its `versionInfo.lastConfigChangeAt` (what decides "old" vs "new"). */
  version: string;
  configVersion: string;
  stagedAt: string;
  startedAt: string | null;
  /** Set once Marathon decided to kill it (scale down, restart, destroy): its end is no failure. */
  killRequestedAt: string | null;
  /** When the agent became unreachable (TASK_UNREACHABLE), for unreachableStrategy. */
  unreachableSince: string | null;
  ipAddresses: Array<{ ipAddress: string; protocol: 'IPv4' | 'IPv6' }>;
  message?: string;
  /** The agent's attributes at launch, for constraints on later placements. */
  attributes?: AttributeJSON[];
}

export interface DeploymentAction { action: 'StartApplication' | 'StopApplication' | 'ScaleApplication' | 'RestartApplication' | 'ResolveArtifacts'; app: string }

/** A deployment as /v2/deployments shows it, plus what a rollback needs. */
export interface Deployment {
  id: string;
  version: string;
  affectedApps: string[];
  affectedPods: string[];
  steps: Array<{ actions: DeploymentAction[] }>;
  currentActions: Array<DeploymentAction & { readinessCheckResults: unknown[] }>;
  currentStep: number;
  totalSteps: number;
  /** App definitions before the change (null = the app did not exist), for rollback. */
  original: Record<string, unknown | null>;
  /** App definitions after the change (null = the app is removed). */
  target: Record<string, unknown | null>;
}

/** Launch backoff of an app: failures since it last ran well, and when launching may resume. */
export interface LaunchDelay { failures: number; until: number }

export interface TaskFailure {
  appId: string;
  host: string;
  message: string;
  state: TaskState;
  taskId: string;
  timestamp: string;
  version: string;
  slaveId: string;
}

const ACTIVE_STATES: ReadonlySet<TaskState> = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE']);

export function isActive(state: TaskState): boolean {
  return ACTIVE_STATES.has(state);
}
