// How the agent runs a task. Implementations: `mesos` (plain processes, process.ts), `docker` (docker.ts);
// composing.ts picks one per task.
import type { Resources } from '../../common/resources.ts';
import type { CommandInfo, ContainerInfo, Label } from '../../proto/mesos.ts';
import type { TaskUser } from './task-user.ts';
import type { Socket } from 'node:net';

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
  /** Whom the task runs as (CommandInfo.user or FrameworkInfo.user under --switch-user); none: the agent's user. */
  user?: TaskUser;
}

/** What the agent checkpointed about a container, handed back to the containerizer after a restart. */
export type RecoverSpec = Pick<LaunchSpec, 'containerId' | 'sandbox' | 'resources'>;

/**
 * Where a health check of a task reaches it, when the containerizer knows better than the agent's defaults (the
 * agent's address and a shell in the sandbox): the docker containerizer runs COMMAND checks with `docker exec` and
 * points HTTP/TCP checks at the container's own address.
 */
export interface CheckPlacement {
  /** Address for HTTP/TCP checks, and the port to use there for a given check port (a mapped host port → its container port). */
  address?: { host: string; port(checkPort: number): number } | { unreachable: string };
  /**
   * HTTP/TCP checks connect to 127.0.0.1 from inside the task's network namespace (as Mesos' docker executor, which
   * setns()es into the container's): `socket` makes an unconnected socket there; `port` maps the check's port.
   */
  inNamespace?: { socket(): Socket; port(checkPort: number): number };
  /** Runs a COMMAND check inside the container; output goes to `stderrFile`. */
  exec?: ExecCheck;
  /** argv prefix for COMMAND checks run on the agent (setpriv … to run them as the task's user). */
  commandPrefix?: string[];
}

/** Runs a check command inside a container (with the container's environment plus the command's own variables). */
export type ExecCheck = (command: CommandInfo, stderrFile: string) => { done: Promise<{ exitCode: number | null } | { error: string }>; abort(): void };

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
  recover?(spec: RecoverSpec): Promise<Container | undefined>;
  /**
   * After recovery: removes what an earlier run of this agent (same agent id) left behind that no checkpoint
   * names (a container started just before a crash, before its task was checkpointed). Returns what it removed.
   */
  cleanupOrphans?(agentId: string | undefined, known: ReadonlySet<string>): Promise<string[]>;
  /** How health checks reach this container (undefined: the agent's defaults). */
  checkPlacement?(containerId: string): Promise<CheckPlacement | undefined>;
  containers(): string[];
}
