// Garbage collection of completed sandboxes (--gc-delay): a finished task's run directory is removed once the
// delay has passed since it completed; sandboxes found on disk at start-up count from their last modification.
import { lstat, readdir, readlink, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../common/clock.ts';

/** The paths whose removal time has come, earliest first. */
export function dueForRemoval(pending: ReadonlyMap<string, number>, now: number): string[] {
  return [...pending].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]).map(([p]) => p);
}

export interface SandboxGcOptions { delayMs: number; clock: Clock; logger: Logger }

export class SandboxGc {
  private readonly pending = new Map<string, number>(); // sandbox path → removal time (ms)
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: SandboxGcOptions) {}

  /** Removes `sandbox` once gc-delay has passed since `completedAt`. */
  schedule(sandbox: string, completedAt = this.opts.clock.now()): void {
    this.pending.set(sandbox, completedAt + this.opts.delayMs);
  }

  /** A sandbox in use again (or still running) is not collected. */
  unschedule(sandbox: string): void { this.pending.delete(sandbox); }

  scheduled(): string[] { return [...this.pending.keys()]; }

  start(): void {
    const every = Math.max(100, Math.min(60_000, this.opts.delayMs / 2));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  stop(): void { clearInterval(this.timer); }

  async sweep(): Promise<string[]> {
    const removed: string[] = [];
    for (const path of dueForRemoval(this.pending, this.opts.clock.now())) {
      this.pending.delete(path);
      try {
        await rm(path, { recursive: true, force: true });
        // runs/latest pointing at the removed run would dangle.
        const latest = join(dirname(path), 'latest');
        if ((await readlink(latest).catch(() => undefined)) === basename(path)) await rm(latest, { force: true });
        removed.push(path);
        this.opts.logger.info({ sandbox: path }, 'garbage collected sandbox');
      } catch (err) {
        this.opts.logger.warn({ sandbox: path, err: (err as Error).message }, 'cannot remove sandbox');
      }
    }
    return removed;
  }

  /**
   * Schedules every run directory under <workDir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/ that is
   * not in `active`, counting from its last modification (they belong to an earlier agent run).
   */
  async scanExisting(workDir: string, active: (path: string) => boolean): Promise<void> {
    const list = async (d: string) => (await readdir(d).catch(() => [] as string[])).map((n) => join(d, n));
    for (const agentDir of await list(join(workDir, 'slaves'))) {
      for (const fw of await list(join(agentDir, 'frameworks'))) {
        for (const ex of await list(join(fw, 'executors'))) {
          for (const run of await list(join(ex, 'runs'))) {
            const st = await lstat(run).catch(() => undefined);
            if (!st || !st.isDirectory() || active(run)) continue;
            this.schedule(run, st.mtimeMs);
          }
        }
      }
    }
  }
}
