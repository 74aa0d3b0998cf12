// Pure cgroup isolation logic: layout detection, limits from resources, statistics parsing, OOM detection.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseLayout, cpusLimitFromQuota, limitWrites, limitsFor, memoryLimitReached, parseIsolation, parseMounts, parseStatistics, sharesToWeight,
} from '../../../src/agent/containerizer/cgroups-limits.ts';

const HYBRID = `sysfs /sys sysfs rw,nosuid 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,nosuid,nodev,noexec,relatime,cpu 0 0
cgroup /sys/fs/cgroup/cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
`;
const PURE_V2 = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n';

describe('cgroup layout', () => {
  it('a hybrid machine (v1 controllers, empty cgroup2) uses v1, with each controller at its own mount', () => {
    assert.deepEqual(chooseLayout(parseMounts(HYBRID), () => []), { version: 'v1', cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory' });
  });
  it('co-mounted cpu,cpuacct share one directory', () => {
    const text = 'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n';
    assert.deepEqual(chooseLayout(parseMounts(text), () => []), { version: 'v1', cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory' });
  });
  it('a pure v2 machine uses v2 when cpu and memory are available, nothing otherwise', () => {
    assert.deepEqual(chooseLayout(parseMounts(PURE_V2), () => ['cpuset', 'cpu', 'io', 'memory', 'pids']), { version: 'v2', root: '/sys/fs/cgroup' });
    assert.equal(chooseLayout(parseMounts(PURE_V2), () => ['pids']), undefined);
    assert.equal(chooseLayout(parseMounts('proc /proc proc rw 0 0\n'), () => []), undefined);
  });
});

describe('limits from resources', () => {
  it('cpus give 1024 shares per cpu, and a CFS quota only when enabled', () => {
    assert.deepEqual(limitsFor({ cpus: 0.5, memMb: 128 }, { cpu: true, mem: true, enableCfs: false }), { cpuShares: 512, memoryBytes: 128 * 1024 * 1024 });
    assert.deepEqual(limitsFor({ cpus: 0.5, memMb: 0 }, { cpu: true, mem: true, enableCfs: true }), { cpuShares: 512, cfsQuotaUs: 50_000 });
  });
  it("Mesos' minimums: 2 shares, a 1ms quota, 32MB of memory", () => {
    assert.deepEqual(limitsFor({ cpus: 0.001, memMb: 4 }, { cpu: true, mem: true, enableCfs: true }), { cpuShares: 2, cfsQuotaUs: 1000, memoryBytes: 32 * 1024 * 1024 });
  });
  it('posix isolators set no limits', () => {
    assert.deepEqual(limitsFor({ cpus: 1, memMb: 64 }, { cpu: false, mem: false, enableCfs: true }), {});
  });
  it('v1 writes shares, period+quota, memory and memory+swap; v2 writes weight, cpu.max, memory.max and no swap', () => {
    const l = { cpuShares: 512, cfsQuotaUs: 50_000, memoryBytes: 64 << 20 };
    assert.deepEqual(limitWrites('v1', l).map((w) => `${w.file}=${w.value}`), ['cpu.shares=512', 'cpu.cfs_period_us=100000', 'cpu.cfs_quota_us=50000', `memory.limit_in_bytes=${64 << 20}`, `memory.memsw.limit_in_bytes=${64 << 20}`]);
    assert.deepEqual(limitWrites('v2', l).map((w) => `${w.file}=${w.value}`), [`cpu.weight=${sharesToWeight(512)}`, 'cpu.max=50000 100000', `memory.max=${64 << 20}`, 'memory.swap.max=0']);
  });
  it('shares map onto cgroup v2 weights across the whole range', () => {
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(262_144), 10_000);
    assert.equal(sharesToWeight(1024), 39);
  });
});

describe('statistics and OOM', () => {
  it('v1: cpuacct ticks, throttling, total_rss and limits', () => {
    const s = parseStatistics('v1', {
      cpuacctStat: 'user 150\nsystem 25\n', cpuStat: 'nr_periods 20\nnr_throttled 10\nthrottled_time 500000000\n',
      memoryStat: 'cache 4096\nrss 1000\ntotal_cache 8192\ntotal_rss 2000000\ntotal_swap 0\n', memoryUsage: '3000000\n', memoryMaxUsage: '4000000\n', memoryLimit: '67108864\n',
    });
    assert.deepEqual(s, { cpus_user_time_secs: 1.5, cpus_system_time_secs: 0.25, cpus_throttled_time_secs: 0.5, cpus_nr_periods: 20, cpus_nr_throttled: 10, mem_rss_bytes: 2000000, mem_cache_bytes: 8192, mem_swap_bytes: 0, mem_total_bytes: 3000000, mem_max_total_bytes: 4000000, mem_limit_bytes: 67108864 });
  });
  it('v2: microseconds in cpu.stat, anon memory, "max" means no limit', () => {
    const s = parseStatistics('v2', { cpuStat: 'usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\nnr_periods 5\nnr_throttled 1\nthrottled_usec 250000\n', memoryStat: 'anon 5000\nfile 100\n', memoryUsage: '6000', memoryLimit: 'max\n' });
    assert.deepEqual(s, { cpus_user_time_secs: 2, cpus_system_time_secs: 1, cpus_throttled_time_secs: 0.25, cpus_nr_periods: 5, cpus_nr_throttled: 1, mem_rss_bytes: 5000, mem_cache_bytes: 100, mem_total_bytes: 6000 });
  });
  it('the cpus limit comes from the CFS quota, none when unlimited', () => {
    assert.equal(cpusLimitFromQuota('v1', '50000\n'), 0.5);
    assert.equal(cpusLimitFromQuota('v1', '-1\n'), undefined);
    assert.equal(cpusLimitFromQuota('v2', '150000 100000\n'), 1.5);
    assert.equal(cpusLimitFromQuota('v2', 'max 100000\n'), undefined);
  });
  it("the kernel's oom_kill counter decides; old kernels fall back to failcnt with a SIGKILL death", () => {
    assert.equal(memoryLimitReached('oom_kill_disable 0\nunder_oom 0\noom_kill 1\n', '0', { exitCode: 1, signal: null }), true);
    assert.equal(memoryLimitReached('oom_kill_disable 0\nunder_oom 0\noom_kill 0\n', '12', { exitCode: null, signal: 'SIGKILL' }), false);
    assert.equal(memoryLimitReached('low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n', undefined, { exitCode: 137, signal: null }), true);
    assert.equal(memoryLimitReached('oom_kill_disable 0\nunder_oom 0\n', '3', { exitCode: 137, signal: null }), true);
    assert.equal(memoryLimitReached('oom_kill_disable 0\nunder_oom 0\n', '0', { exitCode: null, signal: 'SIGKILL' }), false);
  });
});

describe('--isolation', () => {
  it('reads Mesos isolator names', () => {
    assert.deepEqual(parseIsolation('cgroups/cpu,cgroups/mem'), { cgroupsCpu: true, cgroupsMem: true, pidNamespace: false });
    assert.deepEqual(parseIsolation('posix/cpu,posix/mem'), { cgroupsCpu: false, cgroupsMem: false, pidNamespace: false });
    assert.deepEqual(parseIsolation('cgroups/mem,posix/cpu'), { cgroupsCpu: false, cgroupsMem: true, pidNamespace: false });
  });
  it('rejects unknown names and contradictions, naming the flag', () => {
    assert.throws(() => parseIsolation('cgroups/gpu'), /--isolation: unknown isolator 'cgroups\/gpu'/);
    assert.throws(() => parseIsolation('cgroups/cpu,posix/cpu'), /--isolation: .* cannot be combined/);
    assert.throws(() => parseIsolation(''), /--isolation is empty/);
  });
});

describe('exit status written by the task wrapper', () => {
  it('128 + n is signal n, anything else an exit code', async () => {
    const { decodeExitStatus } = await import('../../../src/agent/containerizer/process.ts');
    assert.deepEqual(decodeExitStatus(0), { exitCode: 0, signal: null });
    assert.deepEqual(decodeExitStatus(3), { exitCode: 3, signal: null });
    assert.deepEqual(decodeExitStatus(137), { exitCode: null, signal: 'SIGKILL' });
    assert.deepEqual(decodeExitStatus(143), { exitCode: null, signal: 'SIGTERM' });
  });
});
