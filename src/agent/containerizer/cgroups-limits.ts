// Pure parts of cgroup isolation: which cgroup layout a machine has, what limits a task's resources ask for,
// and how to read the kernel's statistics files. No file system access here (see cgroups.ts for the I/O).

/** Mesos' constants (isolators/cgroups/constants.hpp): 1024 shares per cpu, a 100ms CFS period, minimum sizes. */
export const CPU_SHARES_PER_CPU = 1024;
export const MIN_CPU_SHARES = 2;
export const CFS_PERIOD_US = 100_000;
export const MIN_CFS_QUOTA_US = 1_000;
export const MIN_MEMORY_BYTES = 32 * 1024 * 1024;
/** Linux USER_HZ: the unit of cpuacct.stat. */
export const USER_HZ = 100;

export type CgroupLayout =
  | { version: 'v1'; cpu: string; cpuacct: string; memory: string }
  | { version: 'v2'; root: string };

export interface Mount { device: string; path: string; type: string; options: string[] }

/** Parses /proc/self/mounts. */
export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const [device, path, type, options] = line.split(' ');
    if (!device || !path || !type || options === undefined) continue;
    // The kernel escapes spaces and such in paths as octal (\040).
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ device, path: unescape(path), type, options: options.split(',') });
  }
  return out;
}

/**
 * v1 when the cpu, cpuacct and memory controllers are mounted as v1 hierarchies (this includes hybrid machines,
 * whose cgroup2 mount has no controllers); else v2 when a cgroup2 mount offers cpu and memory.
 * `v2Controllers` answers what `cgroup.controllers` lists at a cgroup2 mount.
 */
export function chooseLayout(mounts: Mount[], v2Controllers: (path: string) => string[]): CgroupLayout | undefined {
  const v1 = new Map<string, string>();
  for (const m of mounts) if (m.type === 'cgroup') for (const o of m.options) if (!v1.has(o)) v1.set(o, m.path);
  const cpu = v1.get('cpu'); const cpuacct = v1.get('cpuacct'); const memory = v1.get('memory');
  if (cpu && cpuacct && memory) return { version: 'v1', cpu, cpuacct, memory };
  for (const m of mounts) {
    if (m.type !== 'cgroup2') continue;
    const controllers = v2Controllers(m.path);
    if (controllers.includes('cpu') && controllers.includes('memory')) return { version: 'v2', root: m.path };
  }
  return undefined;
}

export interface CgroupLimits {
  cpuShares?: number;
  /** cfs_quota_us for cfs_period_us = CFS_PERIOD_US; only with --cgroups-enable-cfs. */
  cfsQuotaUs?: number;
  memoryBytes?: number;
}

/** The limits Mesos' cgroups isolators derive from a task's `cpus` and `mem` (MB). */
export function limitsFor(resources: { cpus: number; memMb: number }, opts: { cpu: boolean; mem: boolean; enableCfs: boolean }): CgroupLimits {
  const limits: CgroupLimits = {};
  if (opts.cpu && resources.cpus > 0) {
    limits.cpuShares = Math.max(MIN_CPU_SHARES, Math.floor(CPU_SHARES_PER_CPU * resources.cpus));
    if (opts.enableCfs) limits.cfsQuotaUs = Math.max(MIN_CFS_QUOTA_US, Math.floor(CFS_PERIOD_US * resources.cpus));
  }
  if (opts.mem && resources.memMb > 0) limits.memoryBytes = Math.max(MIN_MEMORY_BYTES, Math.floor(resources.memMb * 1024 * 1024));
  return limits;
}

/** cgroup v2's cpu.weight (1..10000) for v1 shares (2..262144), the kernel's and systemd's conversion. */
export function sharesToWeight(shares: number): number {
  const clamped = Math.min(262_144, Math.max(2, shares));
  return Math.max(1, Math.min(10_000, 1 + Math.floor(((clamped - 2) * 9999) / 262_142)));
}

/** The files and values to write into a new cgroup, in order. Paths are relative to the controller's cgroup dir. */
export function limitWrites(layout: CgroupLayout['version'], limits: CgroupLimits): Array<{ controller: 'cpu' | 'memory'; file: string; value: string }> {
  const w: Array<{ controller: 'cpu' | 'memory'; file: string; value: string }> = [];
  if (layout === 'v1') {
    if (limits.cpuShares !== undefined) w.push({ controller: 'cpu', file: 'cpu.shares', value: String(limits.cpuShares) });
    if (limits.cfsQuotaUs !== undefined) {
      w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CFS_PERIOD_US) });
      w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(limits.cfsQuotaUs) });
    }
    if (limits.memoryBytes !== undefined) {
      w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(limits.memoryBytes) });
      // memory+swap equal to memory: the task cannot swap (the file is absent without swap accounting).
      w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(limits.memoryBytes) });
    }
  } else {
    if (limits.cpuShares !== undefined) w.push({ controller: 'cpu', file: 'cpu.weight', value: String(sharesToWeight(limits.cpuShares)) });
    if (limits.cfsQuotaUs !== undefined) w.push({ controller: 'cpu', file: 'cpu.max', value: `${limits.cfsQuotaUs} ${CFS_PERIOD_US}` });
    if (limits.memoryBytes !== undefined) {
      w.push({ controller: 'memory', file: 'memory.max', value: String(limits.memoryBytes) });
      w.push({ controller: 'memory', file: 'memory.swap.max', value: '0' });
    }
  }
  return w;
}

/** "key value" lines (cpu.stat, memory.stat, memory.events, memory.oom_control, cpuacct.stat) as numbers. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** The raw file contents a statistics reading is made of (absent files: undefined). */
export interface CgroupFiles {
  cpuStat?: string; // v1 cpu.stat (periods/throttling) or v2 cpu.stat (usage too)
  cpuacctStat?: string; // v1 cpuacct.stat
  memoryStat?: string;
  memoryUsage?: string; // v1 memory.usage_in_bytes, v2 memory.current
  memoryMaxUsage?: string; // v1 memory.max_usage_in_bytes, v2 memory.peak
  memoryLimit?: string; // v1 memory.limit_in_bytes, v2 memory.max
  cfsQuota?: string; // v1 cpu.cfs_quota_us, v2 cpu.max
  oom?: string; // v1 memory.oom_control, v2 memory.events
  failcnt?: string; // v1 memory.failcnt
}

export interface CgroupStatistics {
  cpus_user_time_secs: number;
  cpus_system_time_secs: number;
  cpus_nr_periods?: number;
  cpus_nr_throttled?: number;
  cpus_throttled_time_secs?: number;
  mem_rss_bytes: number;
  mem_total_bytes?: number;
  mem_max_total_bytes?: number;
  mem_cache_bytes?: number;
  mem_swap_bytes?: number;
  mem_limit_bytes?: number;
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s.trim());
  return Number.isFinite(n) ? n : undefined;
};

/** Mesos' ResourceStatistics fields from a cgroup's files. */
export function parseStatistics(version: CgroupLayout['version'], f: CgroupFiles): CgroupStatistics {
  const cpu = parseKeyValues(f.cpuStat ?? '');
  const mem = parseKeyValues(f.memoryStat ?? '');
  const s: CgroupStatistics = { cpus_user_time_secs: 0, cpus_system_time_secs: 0, mem_rss_bytes: 0 };
  if (version === 'v1') {
    const acct = parseKeyValues(f.cpuacctStat ?? '');
    s.cpus_user_time_secs = (acct.user ?? 0) / USER_HZ;
    s.cpus_system_time_secs = (acct.system ?? 0) / USER_HZ;
    if (cpu.throttled_time !== undefined) s.cpus_throttled_time_secs = cpu.throttled_time / 1e9;
    s.mem_rss_bytes = mem.total_rss ?? mem.rss ?? 0;
    s.mem_cache_bytes = mem.total_cache ?? mem.cache;
    s.mem_swap_bytes = mem.total_swap ?? mem.swap;
  } else {
    s.cpus_user_time_secs = (cpu.user_usec ?? 0) / 1e6;
    s.cpus_system_time_secs = (cpu.system_usec ?? 0) / 1e6;
    if (cpu.throttled_usec !== undefined) s.cpus_throttled_time_secs = cpu.throttled_usec / 1e6;
    s.mem_rss_bytes = mem.anon ?? 0;
    s.mem_cache_bytes = mem.file;
  }
  if (cpu.nr_periods !== undefined) s.cpus_nr_periods = cpu.nr_periods;
  if (cpu.nr_throttled !== undefined) s.cpus_nr_throttled = cpu.nr_throttled;
  const total = num(f.memoryUsage); if (total !== undefined) s.mem_total_bytes = total;
  const peak = num(f.memoryMaxUsage); if (peak !== undefined) s.mem_max_total_bytes = peak;
  const limit = num(f.memoryLimit); if (limit !== undefined) s.mem_limit_bytes = limit; // v2 "max" = unlimited: omitted
  for (const k of Object.keys(s) as Array<keyof CgroupStatistics>) if (s[k] === undefined) delete s[k];
  return s;
}

/** The cpus limit a CFS quota stands for (cpu.cfs_quota_us or v2 cpu.max), or undefined when unlimited. */
export function cpusLimitFromQuota(version: CgroupLayout['version'], text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (version === 'v1') {
    const q = Number(text.trim());
    return q > 0 ? q / CFS_PERIOD_US : undefined;
  }
  const [quota, period] = text.trim().split(/\s+/);
  if (!quota || quota === 'max') return undefined;
  return Number(quota) / Number(period ?? CFS_PERIOD_US);
}

/** How many times the kernel's OOM killer acted in the cgroup (v1 memory.oom_control, v2 memory.events). */
export function oomKills(text: string | undefined): number {
  const kv = parseKeyValues(text ?? '');
  return kv.oom_kill ?? 0;
}

/**
 * Whether the memory limit stopped the container: the kernel's oom_kill counter where it has one (Linux 4.13+),
 * else failed charges (memory.failcnt) together with a SIGKILL death.
 */
export function memoryLimitReached(oomText: string | undefined, failcnt: string | undefined, exit: { exitCode: number | null; signal: string | null }): boolean {
  const kv = parseKeyValues(oomText ?? '');
  if (kv.oom_kill !== undefined) return kv.oom_kill > 0;
  const killed = exit.signal === 'SIGKILL' || exit.exitCode === 137;
  return killed && Number(failcnt ?? '0') > 0;
}

/** Mesos' message for a task stopped by its memory limit. */
export function memoryLimitMessage(limitBytes: number | undefined, maxUsedBytes: number | undefined): string {
  const mb = (b: number | undefined) => (b === undefined ? 'unknown' : `${Math.round(b / 1024 / 1024)}MB`);
  return `Memory limit exceeded: Requested: ${mb(limitBytes)} Maximum Used: ${mb(maxUsedBytes)}`;
}

export interface IsolationChoice { cgroupsCpu: boolean; cgroupsMem: boolean; pidNamespace: boolean }

export const KNOWN_ISOLATORS = ['cgroups/cpu', 'cgroups/mem', 'posix/cpu', 'posix/mem', 'filesystem/posix', 'namespaces/pid'];

/** Reads --isolation (Mesos' comma-separated isolator names); throws naming the unknown one. */
export function parseIsolation(text: string): IsolationChoice {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new Error('--isolation is empty');
  for (const n of names) {
    if (!KNOWN_ISOLATORS.includes(n)) throw new Error(`--isolation: unknown isolator '${n}' (known: ${KNOWN_ISOLATORS.join(', ')})`);
  }
  const has = (n: string) => names.includes(n);
  if (has('cgroups/cpu') && has('posix/cpu')) throw new Error("--isolation: 'cgroups/cpu' and 'posix/cpu' cannot be combined");
  if (has('cgroups/mem') && has('posix/mem')) throw new Error("--isolation: 'cgroups/mem' and 'posix/mem' cannot be combined");
  return { cgroupsCpu: has('cgroups/cpu'), cgroupsMem: has('cgroups/mem'), pidNamespace: has('namespaces/pid') };
}
