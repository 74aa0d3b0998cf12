// The fallback launcher: Node's child_process. libuv forks the agent, so a launch costs more the more memory the
// agent maps; the process is the agent's child and its end comes through libuv's SIGCHLD handling.
import { spawn } from 'node:child_process';
import type { LaunchRequest, LaunchedProcess, ProcessEnd, ProcessLauncher } from './launcher.ts';

export class NodeSpawnLauncher implements ProcessLauncher {
  readonly name = 'child_process';

  async launch(req: LaunchRequest): Promise<LaunchedProcess> {
    const child = spawn(req.file, req.args, { cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', req.stdout, req.stderr] });
    // Listen before any await: a short process may be gone by the next tick, and 'exit' is emitted only once.
    const exited = new Promise<ProcessEnd>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot execute '${req.file}': ${e.code ?? e.message}`)));
    });
    child.unref();
    return { pid: child.pid!, exited };
  }
}
