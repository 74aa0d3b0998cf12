// Garbage collection of completed sandboxes (--gc-delay): a finished task's run directory is removed once the
// delay has passed since it completed; sandboxes found on disk at start-up count from their last modification.
// When the disk fills up, sandboxes go sooner (--gc-disk-headroom, checked every --disk-watch-interval), as in Mesos.
import { lstat, readdir, readlink, rm, statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../common/clock.ts';

/** The paths whose removal time has come, earliest first. */
export function dueForRemoval(pending: ReadonlyMap<string, number>, now: number): string[] {
  return [...pending].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]).map(([p]) => p);
}

/**
 * Used fraction of a file system, as Mesos' fs::usage reads statvfs: (blocks − free blocks) / blocks. Free blocks
 * include those reserved for root, so this is the usage df shows before its rounding.
 */
export function diskUsage(fs: { blocks: number; bfree: number }): number {
  return fs.blocks > 0 ? (fs.blocks - fs.bfree) / fs.blocks : 0;
}

/**
 * Mesos' Slave::age: how old a completed sandbox may get at this disk usage,
 * gc_delay × max(0, 1 − gc_disk_headroom − usage). An empty disk keeps sandboxes for (1 − headroom) × gc_delay; a
 * disk at or beyond (1 − headroom) full keeps none.
 */
export function maxAllowedAgeMs(gcDelayMs: number, headroom: number, usage: number): number {
  return gcDelayMs * Math.max(0, 1 - headroom - usage);
}

/**
 * The sandboxes a disk check removes now, earliest first: as Mesos' GarbageCollector::prune(gc_delay − max age),
 * those whose removal is due within gc_delay − max age, i.e. those that completed at least max age ago.
 */
export function prunable(pending: ReadonlyMap<string, number>, now: number, gcDelayMs: number, maxAgeMs: number): string[] {
  return dueForRemoval(pending, now + (gcDelayMs - maxAgeMs));
}

export interface SandboxGcOptions {
  delayMs: number;
  clock: Clock;
  logger: Logger;
  /** --gc-disk-headroom (0..1): the share of the disk to keep free of sandboxes; default 0.1 as Mesos. */
  diskHeadroom?: number;
  /** --disk-watch-interval: how often the work directory's file system usage is read; default 1 minute. */
  diskWatchIntervalMs?: number;
  /** The directory whose file system is watched (the agent's --work-dir). Without it there is no disk watch. */
  workDir?: string;
}

export const DEFAULT_GC_DISK_HEADROOM = 0.1;
export const DEFAULT_DISK_WATCH_INTERVAL_MS = 60_000;

export class SandboxGc {
  private readonly pending = new Map<string, number>(); // sandbox path → removal time (ms)
  private timer?: NodeJS.Timeout;
  private diskTimer?: NodeJS.Timeout;
  /** The latest disk check's max allowed age (Mesos' slave/executor_directory_max_allowed_age_secs); gc-delay until one ran. */
  maxAllowedAgeMs: number;
  /** The latest disk usage read (0..1), undefined before the first check. */
  lastDiskUsage?: number;

  constructor(private readonly opts: SandboxGcOptions) {
    this.maxAllowedAgeMs = opts.delayMs;
  }

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
    if (this.opts.workDir) {
      const watch = () => {
        this.diskTimer = setTimeout(() => void this.checkDisk().finally(watch), this.opts.diskWatchIntervalMs ?? DEFAULT_DISK_WATCH_INTERVAL_MS);
        this.diskTimer.unref();
      };
      void this.checkDisk().finally(watch);
    }
  }

  stop(): void { clearInterval(this.timer); clearTimeout(this.diskTimer); }

  /** Reads the work directory's disk usage and removes the sandboxes older than it allows. */
  async checkDisk(): Promise<string[]> {
    if (!this.opts.workDir) return [];
    let usage: number;
    try {
      usage = diskUsage(await statfs(this.opts.workDir));
    } catch (err) {
      this.opts.logger.warn({ workDir: this.opts.workDir, err: (err as Error).message }, 'cannot read disk usage');
      return [];
    }
    return this.applyDiskUsage(usage);
  }

  /** Prunes for a disk usage (0..1) read elsewhere. */
  async applyDiskUsage(usage: number): Promise<string[]> {
    const maxAge = maxAllowedAgeMs(this.opts.delayMs, this.opts.diskHeadroom ?? DEFAULT_GC_DISK_HEADROOM, usage);
    this.lastDiskUsage = usage;
    this.maxAllowedAgeMs = maxAge;
    const due = prunable(this.pending, this.opts.clock.now(), this.opts.delayMs, maxAge);
    this.opts.logger.info({ diskUsage: Number(usage.toFixed(4)), maxAllowedAgeMs: Math.round(maxAge), pruning: due.length }, 'disk usage checked');
    return this.remove(due);
  }

  async sweep(): Promise<string[]> {
    return this.remove(dueForRemoval(this.pending, this.opts.clock.now()));
  }

  private async remove(paths: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const path of paths) {
      if (!this.pending.has(path)) continue; // a concurrent sweep took it
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
