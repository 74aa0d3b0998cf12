// The file-system side of cgroup isolation: finds the machine's cgroup layout, creates one cgroup per container
// under <controller>/<root>/<containerId> with its limits, reads its statistics and removes it.
import { mkdir, readFile, readdir, rmdir, stat, writeFile } from 'node:fs/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chooseLayout, limitWrites, memoryLimitReached, parseMounts, parseStatistics, cpusLimitFromQuota,
  type CgroupFiles, type CgroupLayout, type CgroupLimits, type CgroupStatistics,
} from './cgroups-limits.ts';

/** The machine's layout, read from /proc/self/mounts; undefined without usable cpu and memory controllers. */
export function detectLayout(mountsFile = '/proc/self/mounts'): CgroupLayout | undefined {
  let text: string;
  try { text = readFileSync(mountsFile, 'utf8'); } catch { return undefined; }
  return chooseLayout(parseMounts(text), (path) => {
    try { return readFileSync(join(path, 'cgroup.controllers'), 'utf8').trim().split(/\s+/); } catch { return []; }
  });
}

/** How old an empty cgroup of an unknown container must be before an agent removes it (a launching agent fills its own within milliseconds). */
export const STALE_CGROUP_MS = 60_000;

/** A container cgroup found under the agent's root, as the start-up sweep sees it. */
export interface FoundCgroup { name: string; ageMs: number; processes: number }

/**
 * Which container cgroups under the root to remove at start-up: empty ones (no process left) of containers this
 * agent does not know, old enough not to be another agent's cgroup being set up right now. Cgroups that still hold
 * processes are never touched: several agents may share a root, and a live task is not this agent's to kill.
 */
export function staleCgroups(found: FoundCgroup[], known: ReadonlySet<string>, minAgeMs = STALE_CGROUP_MS): string[] {
  return found.filter((c) => !known.has(c.name) && c.processes === 0 && c.ageMs >= minAgeMs).map((c) => c.name);
}

const read = (file: string) => readFile(file, 'utf8').catch(() => undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CgroupManager {
  constructor(readonly layout: CgroupLayout, readonly root: string) {}

  /** The cgroup directories of a container, per controller (one directory on v2). */
  private dirs(containerId: string): { cpu: string; cpuacct: string; memory: string } {
    if (this.layout.version === 'v2') {
      const d = join(this.layout.root, this.root, containerId);
      return { cpu: d, cpuacct: d, memory: d };
    }
    return {
      cpu: join(this.layout.cpu, this.root, containerId), cpuacct: join(this.layout.cpuacct, this.root, containerId),
      memory: join(this.layout.memory, this.root, containerId),
    };
  }

  private uniqueDirs(containerId: string): string[] {
    return [...new Set(Object.values(this.dirs(containerId)))];
  }

  /**
   * Creates the agent's parent cgroups and checks a child can be made in each: throws with the reason when the
   * cgroups are not writable (not root, read-only mount...).
   */
  async prepare(): Promise<void> {
    const parents = this.layout.version === 'v2' ? [this.layout.root] : [this.layout.cpu, this.layout.cpuacct, this.layout.memory];
    for (const p of [...new Set(parents)]) await mkdir(join(p, this.root), { recursive: true });
    if (this.layout.version === 'v2') {
      // Children only get the controllers their parent delegates.
      await writeFile(join(this.layout.root, 'cgroup.subtree_control'), '+cpu +memory');
      await writeFile(join(this.layout.root, this.root, 'cgroup.subtree_control'), '+cpu +memory');
    }
    const probe = `probe-${process.pid}`;
    for (const d of this.uniqueDirs(probe)) { await mkdir(d, { recursive: true }); await rmdir(d); }
  }

  /** Creates the container's cgroup(s) with their limits; returns the cgroup.procs files to enter. */
  /**
   * Creates the container's cgroups with their limits. Synchronous inside: a handful of cgroupfs writes on the task
   * launch path cost microseconds each, far less than a round trip through libuv's thread pool on a loaded machine.
   */
  async create(containerId: string, limits: CgroupLimits): Promise<string[]> {
    const dirs = this.dirs(containerId);
    for (const d of this.uniqueDirs(containerId)) mkdirSync(d, { recursive: true });
    for (const w of limitWrites(this.layout.version, limits)) {
      try {
        writeFileSync(join(dirs[w.controller], w.file), w.value);
      } catch (err) {
        // Without swap accounting there is no memsw file and no swap to turn off.
        if (w.file === 'memory.memsw.limit_in_bytes' || w.file === 'memory.swap.max') continue;
        throw new Error(`cannot set ${w.file} to ${w.value}: ${(err as Error).message}`);
      }
    }
    return this.uniqueDirs(containerId).map((d) => join(d, 'cgroup.procs'));
  }

  async statistics(containerId: string): Promise<CgroupStatistics & { cpus_limit?: number }> {
    const d = this.dirs(containerId);
    const v1 = this.layout.version === 'v1';
    const files: CgroupFiles = {
      cpuStat: await read(join(d.cpu, 'cpu.stat')),
      cpuacctStat: v1 ? await read(join(d.cpuacct, 'cpuacct.stat')) : undefined,
      memoryStat: await read(join(d.memory, 'memory.stat')),
      memoryUsage: await read(join(d.memory, v1 ? 'memory.usage_in_bytes' : 'memory.current')),
      memoryMaxUsage: await read(join(d.memory, v1 ? 'memory.max_usage_in_bytes' : 'memory.peak')),
      memoryLimit: await read(join(d.memory, v1 ? 'memory.limit_in_bytes' : 'memory.max')),
    };
    const stats: CgroupStatistics & { cpus_limit?: number } = parseStatistics(this.layout.version, files);
    const quota = cpusLimitFromQuota(this.layout.version, await read(join(d.cpu, v1 ? 'cpu.cfs_quota_us' : 'cpu.max')));
    if (quota !== undefined) stats.cpus_limit = quota;
    return stats;
  }

  /** Whether the container's memory limit made the kernel kill one of its processes. */
  async memoryLimitReached(containerId: string, exit: { exitCode: number | null; signal: string | null }): Promise<boolean> {
    const d = this.dirs(containerId).memory;
    const v1 = this.layout.version === 'v1';
    return memoryLimitReached(await read(join(d, v1 ? 'memory.oom_control' : 'memory.events')), v1 ? await read(join(d, 'memory.failcnt')) : undefined, exit);
  }

  /**
   * Whether the kernel has OOM-killed a process of the container (oom_kill in memory.oom_control / memory.events;
   * false where the kernel does not count them). Synchronous: the agent asks this of every running container
   * twice a second, and one small cgroupfs read costs less than a thread-pool round trip.
   */
  oomKilled(containerId: string): boolean {
    const d = this.dirs(containerId).memory;
    let text: string;
    try { text = readFileSync(join(d, this.layout.version === 'v1' ? 'memory.oom_control' : 'memory.events'), 'utf8'); } catch { return false; }
    return memoryLimitReached(text, undefined, { exitCode: null, signal: null });
  }

  async peakMemory(containerId: string): Promise<number | undefined> {
    const d = this.dirs(containerId).memory;
    const text = await read(join(d, this.layout.version === 'v1' ? 'memory.max_usage_in_bytes' : 'memory.peak'));
    return text === undefined ? undefined : Number(text.trim());
  }

  async pids(containerId: string): Promise<number[]> {
    const pids = new Set<number>();
    for (const d of this.uniqueDirs(containerId)) {
      for (const l of (await read(join(d, 'cgroup.procs')) ?? '').split('\n')) if (/^\d+$/.test(l.trim())) pids.add(Number(l));
    }
    return [...pids];
  }

  /** The parent directories holding the containers' cgroups (one per hierarchy). */
  private parents(): string[] {
    const roots = this.layout.version === 'v2' ? [this.layout.root] : [this.layout.cpu, this.layout.cpuacct, this.layout.memory];
    return [...new Set(roots.map((r) => join(r, this.root)))];
  }

  /** Removes the stale empty cgroups (see staleCgroups) that agents killed with SIGKILL left under the root. */
  async sweepStale(known: ReadonlySet<string>, now = Date.now()): Promise<string[]> {
    const removed = new Set<string>();
    for (const parent of this.parents()) {
      const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
      const found: FoundCgroup[] = [];
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const dir = join(parent, e.name);
        const info = await stat(dir).catch(() => undefined);
        const procs = await read(join(dir, 'cgroup.procs'));
        if (!info || procs === undefined) continue;
        found.push({ name: e.name, ageMs: now - info.mtimeMs, processes: procs.split('\n').filter((l) => l.trim()).length });
      }
      for (const name of staleCgroups(found, known)) {
        // rmdir fails (EBUSY) if a process entered meanwhile: then it is not stale after all.
        try { await rmdir(join(parent, name)); removed.add(name); } catch { /* in use or gone */ }
      }
    }
    return [...removed];
  }

  /** Kills whatever still runs in the container's cgroups (even processes that left its process group) and removes them. */
  async destroy(containerId: string): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      for (const pid of await this.pids(containerId)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      let left = false;
      for (const d of this.uniqueDirs(containerId)) {
        try { await rmdir(d); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') left = true; }
      }
      if (!left) return;
      await sleep(20); // killed processes take a moment to leave the cgroup
    }
  }
}
