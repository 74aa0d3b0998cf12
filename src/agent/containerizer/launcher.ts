// How the mesos containerizer starts a task's process. Two implementations: posix_spawn through libc
// (posix-spawn-launcher.ts, the default: its cost does not grow with the agent's memory) and Node's child_process
// (node-spawn-launcher.ts, the fallback where libc's posix_spawn cannot be loaded).
import type { Logger } from 'pino';

export interface LaunchRequest {
  /** Absolute path of the executable (no PATH search). */
  file: string;
  /** argv[1..]; argv[0] is `file`. */
  args: string[];
  cwd: string;
  /** The whole environment of the new process. */
  env: Record<string, string>;
  /** Open descriptors that become the process's stdout and stderr (the caller closes its own copies). */
  stdout: number;
  stderr: number;
}

export interface ProcessEnd { code: number | null; signal: NodeJS.Signals | null }

export interface LaunchedProcess {
  pid: number;
  /** Resolves once the process has ended (and is reaped). */
  exited: Promise<ProcessEnd>;
}

export type TaskLauncherName = 'posix_spawn' | 'child_process';

/**
 * Starts a process as the leader of a new session (so that its process group can be signalled as a whole), stdin
 * from /dev/null, default signal dispositions and an empty signal mask, no descriptor of the agent but stdout/stderr
 * — and, with the posix_spawn launcher, descriptor 3, the write end of the pipe through which the agent sees the
 * process end: the process must not hand fd 3 on to processes that may outlive it. Rejects when the executable or
 * the working directory cannot be used, naming the error code.
 */
export interface ProcessLauncher {
  readonly name: TaskLauncherName;
  launch(req: LaunchRequest): Promise<LaunchedProcess>;
}

/** The launcher asked for (--task-launcher); posix_spawn falls back to child_process where libc lacks it (said at start-up). */
export async function createLauncher(logger: Logger, preferred: TaskLauncherName): Promise<ProcessLauncher> {
  if (preferred === 'posix_spawn') {
    try {
      const { PosixSpawnLauncher } = await import('./posix-spawn-launcher.ts');
      return new PosixSpawnLauncher();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "posix_spawn cannot be loaded: tasks are started with Node's child_process (slower to launch from a large agent)");
    }
  }
  const { NodeSpawnLauncher } = await import('./node-spawn-launcher.ts');
  return new NodeSpawnLauncher();
}
