// `npm run bench:marathon [-- launch|scale|slurm|api ...]`: the Marathon measurements of issue 4 (several parts may
// be named: `-- scale slurm` runs the scale-up and its Slurm comparison in the same run).
// Real `trireme master`, `trireme agent` and `trireme marathon` processes on loopback, driven over HTTP.
// Sizes: BENCH_MARATHON_APPS (launch latency, 100), BENCH_MARATHON_SCALE (scale-up, 1000),
// BENCH_MARATHON_STORE_APPS / BENCH_MARATHON_STORE_TASKS (API latency and recovery, 1000 / 10000).
import os from 'node:os';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killSandboxProcesses, startRole, tempDir, type RoleProcess } from '../test/helpers/processes.ts';
import { api, openEvents, startMarathonRole } from '../test/helpers/marathon.ts';
import { SqliteStore } from '../src/state/sqlite-store.ts';
import { MarathonRepository } from '../src/marathon/repository.ts';
import { parseApp } from '../src/marathon/app-definition.ts';
import type { Instance } from '../src/marathon/model.ts';
import { slurmScale } from './slurm.ts';

const APPS = Number(process.env.BENCH_MARATHON_APPS ?? 100);
const WARMUP_APPS = Number(process.env.BENCH_MARATHON_WARMUP_APPS ?? 5);
const SCALE = Number(process.env.BENCH_MARATHON_SCALE ?? 1000);
const STORE_APPS = Number(process.env.BENCH_MARATHON_STORE_APPS ?? 1000);
const STORE_TASKS = Number(process.env.BENCH_MARATHON_STORE_TASKS ?? 10_000);

interface Result { name: string; value: number; unit: string; target: string }
const results: Result[] = [];
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]!; };
const round = (x: number) => Number(x.toFixed(1));
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}
async function until(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not done in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function withCluster(agents: number, resources: string, run: (marathon: RoleProcess, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('trireme-bench-');
  const procs: RoleProcess[] = [];
  try {
    const master = await startRole(['master', '--ip', '127.0.0.1', '--port', '0', '--work-dir', join(dir.path, 'm'), '--registry', 'in_memory', '--allocation-interval', '100ms'], 'master listening');
    procs.push(master);
    for (let i = 0; i < agents; i++) {
      procs.push(await startRole(['agent', '--master', `127.0.0.1:${master.port}`, '--ip', `127.0.60.${i + 2}`, '--hostname', `127.0.60.${i + 2}`, '--port', '0',
        '--work-dir', join(dir.path, `a${i}`), '--resources', resources], 'agent listening'));
    }
    const marathon = await startMarathonRole(`127.0.0.1:${master.port}`, dir.path);
    procs.push(marathon);
    await run(marathon, dir.path);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    killSandboxProcesses(dir.path);
    dir.remove();
  }
}

// ---------------------------------------------------------------- POST → RUNNING, against a direct spawn
async function benchLaunch(): Promise<void> {
  await withCluster(3, 'cpus:8;mem:8192;disk:1000;ports:[31000-32000]', async (marathon) => {
    const base = marathon.url;
    const stream = await openEvents(base, '?event_type=status_update_event&event_type=event_stream_attached');
    await stream.attached;
    const launch = async (id: string): Promise<number> => {
      const t0 = performance.now();
      const r = await api(base, 'POST', '/v2/apps', { id, cmd: 'exec sleep 600', cpus: 0.01, mem: 4, portDefinitions: [] });
      if (r.status !== 201) throw new Error(`POST ${id}: ${r.status} ${r.text}`);
      await until(async () => stream.events.some((e) => e.data.appId === id && e.data.taskStatus === 'TASK_RUNNING'), 30_000, 1);
      return performance.now() - t0;
    };
    // The first launches run code paths for the first time in four processes (JIT): reported apart, not in the
    // steady-state percentiles.
    const coldMs = await launch('/bench/warmup-0');
    for (let i = 1; i < WARMUP_APPS; i++) await launch(`/bench/warmup-${i}`);
    const latencies: number[] = [];
    for (let i = 0; i < APPS; i++) latencies.push(await launch(`/bench/launch-${i}`));
    stream.close();
    const direct: number[] = [];
    for (let i = 0; i < APPS; i++) {
      const t0 = performance.now();
      const child = spawn('/bin/sh', ['-c', 'exec sleep 600'], { stdio: 'ignore' });
      await new Promise((r) => child.once('spawn', r));
      direct.push(performance.now() - t0);
      child.kill('SIGKILL');
    }
    results.push({ name: `POST /v2/apps (1 instance of sleep) → TASK_RUNNING event, p50 over ${APPS} apps`, value: round(pct(latencies, 0.5)), unit: 'ms', target: '' });
    results.push({ name: `… p99`, value: round(pct(latencies, 0.99)), unit: 'ms', target: '' });
    results.push({ name: `… the very first launch after start (not in the percentiles, nor the next ${WARMUP_APPS - 1} warm-up launches)`, value: round(coldMs), unit: 'ms', target: '' });
    results.push({ name: 'Spawning the same command directly from Node, p50', value: round(pct(direct, 0.5)), unit: 'ms', target: '' });
    results.push({ name: 'Overhead over a direct spawn, p50', value: round(pct(latencies, 0.5) - pct(direct, 0.5)), unit: 'ms', target: '≤ 20 ms' });
    results.push({ name: 'Overhead over a direct spawn, p99', value: round(pct(latencies, 0.99) - pct(direct, 0.99)), unit: 'ms', target: '≤ 50 ms' });
    await api(base, 'DELETE', '/v2/groups/bench?force=true');
    await until(async () => (await api(base, 'GET', '/v2/tasks')).body.tasks.length === 0, 60_000, 200);
  });
}

// ---------------------------------------------------------------- one app 0 → N instances
async function benchScale(): Promise<void> {
  await withCluster(3, `cpus:${Math.ceil(SCALE * 0.01 / 3) + 1};mem:${SCALE * 2};disk:1000;ports:[31000-32000]`, async (marathon) => {
    const base = marathon.url;
    const r = await api(base, 'POST', '/v2/apps', { id: '/bench/scale', cmd: 'exec sleep 600', cpus: 0.01, mem: 1, instances: 0, portDefinitions: [] });
    if (r.status !== 201) throw new Error(r.text);
    await until(async () => (await api(base, 'GET', '/v2/deployments')).body.length === 0, 10_000);
    const t0 = performance.now();
    await api(base, 'PUT', '/v2/apps/bench/scale', { instances: SCALE });
    // Also when every instance has been launched (STAGING or later): the scheduler's share, comparable to Slurm's
    // allocation (squeue RUNNING) in the slurm part.
    let launchedMs = NaN;
    await until(async () => {
      const app = (await api(base, 'GET', '/v2/apps/bench/scale?embed=app.counts')).body.app;
      if (Number.isNaN(launchedMs) && app.tasksStaged + app.tasksRunning >= SCALE) launchedMs = performance.now() - t0;
      return app.tasksRunning === SCALE;
    }, 300_000, 100);
    results.push({ name: `Scale one app 0 → ${SCALE} instances of sleep on 3 local agents → all RUNNING`, value: round((performance.now() - t0) / 1000), unit: 's', target: '≤ 10 s' });
    results.push({ name: `… → all ${SCALE} launched (STAGING or RUNNING)`, value: round(launchedMs / 1000), unit: 's', target: '' });
    results.push({ name: `Marathon RSS with ${SCALE} running tasks`, value: Math.round(rssMb(marathon.proc.pid!)), unit: 'MB', target: '' });
    await api(base, 'DELETE', '/v2/apps/bench/scale?force=true');
    await until(async () => (await api(base, 'GET', '/v2/tasks')).body.tasks.length === 0, 120_000, 200);
  });
}

// ---------------------------------------------------------------- the same N tasks on Slurm (bench/slurm.ts)
async function benchSlurm(): Promise<void> {
  const r = await slurmScale(SCALE);
  results.push({ name: `Slurm (slurm-wlm, one slurmd on loopback): job array of ${SCALE} \`sleep\` → squeue shows all RUNNING`, value: round(r.allRunningMs / 1000), unit: 's', target: '' });
  results.push({ name: `… → all ${SCALE} \`sleep\` processes exist (like-for-like with Marathon's TASK_RUNNING)`, value: round(r.allProcessesMs / 1000), unit: 's', target: '' });
  results.push({ name: `… summed RSS of the ${SCALE} slurmstepd processes`, value: r.stepdRssMb, unit: 'MB', target: '' });
  results.push({ name: '… scancel → every slurmstepd gone', value: round(r.cancelMs / 1000), unit: 's', target: '' });
}

// ---------------------------------------------------------------- a big store: API latency, RSS, recovery
async function seedStore(dir: string): Promise<void> {
  const store = await SqliteStore.open(join(dir, 'marathon'), 'marathon.db');
  const repo = new MarathonRepository(store);
  const version = new Date().toISOString();
  const perApp = Math.ceil(STORE_TASKS / STORE_APPS);
  const writes: Promise<unknown>[] = [];
  let tasks = 0;
  for (let a = 0; a < STORE_APPS; a++) {
    const app = { ...parseApp({ id: `/seeded/app-${a}`, cmd: 'sleep 600', cpus: 0.01, mem: 4, instances: perApp, labels: { n: String(a) } }), version, versionInfo: { lastConfigChangeAt: version, lastScalingAt: version } };
    writes.push(repo.saveApp(app));
    for (let t = 0; t < perApp && tasks < STORE_TASKS; t++, tasks++) {
      const instance: Instance = {
        taskId: `seeded_app-${a}.${String(t).padStart(8, '0')}-0000-0000-0000-000000000000`, appId: app.id, agentId: `agent-${t % 3}`, host: `10.0.0.${t % 3 + 2}`,
        ports: [31000 + t], servicePorts: [], state: 'TASK_RUNNING', version, configVersion: version, stagedAt: version, startedAt: version,
        killRequestedAt: null, unreachableSince: null, ipAddresses: [{ ipAddress: `10.0.0.${t % 3 + 2}`, protocol: 'IPv4' }],
      };
      writes.push(repo.saveInstance(instance));
    }
  }
  await Promise.all(writes);
  await store.close();
}

async function timeToServe(dir: string): Promise<{ ms: number; marathon: RoleProcess }> {
  const t0 = performance.now();
  // No master listens on port 1: Marathon serves its stored state without reconciling it away.
  const marathon = await startMarathonRole('127.0.0.1:1', dir);
  await until(async () => (await api(marathon.url, 'GET', '/v2/apps')).status === 200, 60_000, 5);
  return { ms: performance.now() - t0, marathon };
}

async function benchStore(): Promise<void> {
  const empty = tempDir('trireme-bench-');
  const full = tempDir('trireme-bench-');
  try {
    const baseline = await timeToServe(empty.path);
    await baseline.marathon.stop();
    await seedStore(full.path);
    const loaded = await timeToServe(full.path);
    const base = loaded.marathon.url;
    try {
      results.push({ name: `Start → serving with ${STORE_APPS} apps / ${STORE_TASKS} tasks in the store`, value: Math.round(loaded.ms), unit: 'ms', target: '' });
      results.push({ name: '… the same with an empty store (process start-up alone)', value: Math.round(baseline.ms), unit: 'ms', target: '' });
      const startup = (p: RoleProcess) => Number(/"msg":"marathon listening"/.test(p.output()) ? /"startupMs":(\d+)/.exec(p.output())![1] : NaN);
      results.push({ name: `… of which opening the store, loading ${STORE_APPS} apps / ${STORE_TASKS} tasks and starting to serve (startupMs in the log)`, value: startup(loaded.marathon), unit: 'ms', target: '≤ 2,000 ms' });
      results.push({ name: '… the same with an empty store', value: startup(baseline.marathon), unit: 'ms', target: '' });
      for (const [name, path] of [['GET /v2/apps?embed=apps.tasks', '/v2/apps?embed=apps.tasks'], ['GET /v2/tasks', '/v2/tasks']] as const) {
        const times: number[] = [];
        let size = 0;
        const cold = performance.now();
        await (await fetch(`${base}${path}`)).text();
        results.push({ name: `${name}: first request after start (nothing cached)`, value: round(performance.now() - cold), unit: 'ms', target: '' });
        for (let i = 0; i < 2; i++) await (await fetch(`${base}${path}`)).text(); // warm-up
        for (let i = 0; i < 100; i++) {
          const t0 = performance.now();
          const res = await fetch(`${base}${path}`);
          size = (await res.text()).length;
          times.push(performance.now() - t0);
        }
        results.push({ name: `${name} with ${STORE_APPS} apps / ${STORE_TASKS} tasks (${(size / 1e6).toFixed(1)} MB), p50 of 100`, value: round(pct(times, 0.5)), unit: 'ms', target: '' });
        results.push({ name: '… p99', value: round(pct(times, 0.99)), unit: 'ms', target: '≤ 200 ms' });
      }
      results.push({ name: `Marathon RSS with ${STORE_APPS} apps / ${STORE_TASKS} tasks`, value: Math.round(rssMb(loaded.marathon.proc.pid!)), unit: 'MB', target: '' });
    } finally {
      await loaded.marathon.stop();
    }
  } finally {
    empty.remove();
    full.remove();
  }
}

const only = process.argv.slice(2);
// `slurm` needs root and Debian's slurm-wlm (scripts/slurm.sh installs it), so it runs only when named.
const parts: Record<string, () => Promise<void>> = { launch: benchLaunch, scale: benchScale, slurm: benchSlurm, api: benchStore };
const unknown = only.filter((p) => !(p in parts));
if (unknown.length > 0) throw new Error(`unknown part ${unknown.join(', ')}: use ${Object.keys(parts).join(', ')}`);
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const loadAtStart = load();
for (const [name, run] of Object.entries(parts)) {
  if (only.length > 0 ? !only.includes(name) : name === 'slurm') continue;
  process.stderr.write(`running ${name} (load average ${load()})…\n`);
  await run();
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`\n${new Date().toISOString().slice(0, 10)} — ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadAtStart} at start, ${load()} at end\n`);
console.log('| measurement | result | target |\n|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${r.value.toLocaleString('en')} ${r.unit} | ${r.target} |`);
console.log(JSON.stringify(results));
process.exit(0);
