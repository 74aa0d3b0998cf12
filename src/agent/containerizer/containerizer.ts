// How the agent runs a task. Implementations: `mesos` (plain processes, process.ts), `docker` (docker.ts);
// composing.ts picks one per task.
import type { Resources } from '../../common/resources.ts';
import type { CommandInfo, ContainerInfo, Label } from '../../proto/mesos.ts';

export interface LaunchSpec {
  containerId: string;
  frameworkId: string;
  taskId: string;
  /** shell (default true ⇒ /bin/sh -c value), or value = executable with arguments as argv (argv[0] first). */
  command: CommandInfo;
  /** Set by the agent (MESOS_SANDBOX, MESOS_TASK_ID...), over the task's own environment. */
  env: Record<string, string>;
  /** Existing directory: the task's cwd; stdout and stderr go to files there. */
  sandbox: string;
  resources: Resources;
  /** TaskInfo.container: type DOCKER goes to the docker containerizer. */
  container?: ContainerInfo;
  /** TaskInfo.labels (the docker containerizer puts them on the container). */
  labels?: Label[];
  agentId?: string;
}

export interface ContainerExit {
  exitCode: number | null;
  signal: string | null;
  /** Ended because kill() was called. */
  killed: boolean;
  /** Mesos wording: "Command exited with status 3", "Command terminated with signal Killed". */
  message: string;
  reason?: string;
}

export interface Container { containerId: string; pid: number; exited: Promise<ContainerExit> }

export interface ResourceStatistics {
  timestamp: number;
  cpus_user_time_secs: number;
  cpus_system_time_secs: number;
  cpus_limit?: number;
  mem_rss_bytes: number;
  mem_limit_bytes?: number;
  processes?: number;
  threads?: number;
}

export interface Containerizer {
  readonly name: string;
  /** Rejects with a message saying why the container could not start. */
  launch(spec: LaunchSpec): Promise<Container>;
  /** SIGTERM, then SIGKILL after the grace period; resolves when the container is gone. Unknown ids: no-op. */
  kill(containerId: string, gracePeriodMs: number): Promise<void>;
  usage(containerId: string): Promise<ResourceStatistics | undefined>;
  /** Re-adopts a container launched before an agent restart (undefined: unknown to this containerizer). */
  recover?(containerId: string): Promise<Container | undefined>;
  containers(): string[];
}
