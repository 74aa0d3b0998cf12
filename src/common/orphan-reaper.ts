// A process that starts long-lived children (dev --ha: masters, Marathon, Chronos, ZooKeeper JVMs) must not leave
// them running when it is killed with SIGKILL, which no handler of its own can catch. A small detached shell
// watches this process and, once it is gone, stops the children: SIGTERM, then SIGKILL after a grace period.
import { spawn } from 'node:child_process';

const WATCH = `
parent=$1; grace=$2; shift 2
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
kill -TERM "$@" 2>/dev/null
sleep "$grace"
kill -KILL "$@" 2>/dev/null
exit 0
`;

export interface OrphanReaper {
  /** Stops watching (call before a normal shutdown, which stops the children itself). */
  cancel(): void;
}

export function reapIfParentDies(childPids: number[], graceSeconds = 5): OrphanReaper {
  const pids = childPids.filter((p) => Number.isInteger(p) && p > 0);
  const watcher = spawn('sh', ['-c', WATCH, 'trireme-reaper', String(process.pid), String(graceSeconds), ...pids.map(String)], {
    detached: true, stdio: 'ignore',
  });
  watcher.unref();
  return {
    cancel() {
      if (watcher.exitCode === null && watcher.pid !== undefined) {
        try { process.kill(watcher.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    },
  };
}
