// `npm run bench:agent`: the mesos containerizer's task launch against a plain child_process.spawn of the same
// command in the same run, and the agent's memory idle and per running task (real master + agent on loopback).
//
// Launch: pairs alternate (spawn `sleep 30` from this process; then launch `sleep 30` as a task) so that load from
// anything else on the machine hits both alike. Each task gives two samples:
//   - agent: RUN_TASK receipt → TASK_RUNNING inside the agent (sandbox, cgroup, spawn, checkpoints), read from the
//     agent's trireme_agent_task_launch_seconds histogram (one task at a time, so each sum delta is one launch);
//   - end to end: the scheduler's ACCEPT → its TASK_RUNNING update, through master and agent.
// Memory: agent RSS (/proc/<pid>/status) idle, then with BENCH_AGENT_TASKS (default 100,500) `sleep` tasks running.
import os from 'node:os';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { killSandboxProcesses, startCluster } from '../test/helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../test/helpers/raw-scheduler.ts';

const RUNS = Number(process.env.BENCH_AGENT_RUNS ?? 30);
const TASK_COUNTS = (process.env.BENCH_AGENT_TASKS ?? '100,500').split(',').filter(Boolean).map(Number);
const STEPS = ['sandbox', 'fetch', 'launch', 'checkpoint', 'total'] as const;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The baseline: the same command started by child_process.spawn, timed until the child runs ('spawn' event). */
async function plainSpawn(): Promise<number> {
  const t0 = performance.now();
  const child = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
  await new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
  const ms = performance.now() - t0;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return ms;
}

/** Sums of the agent's launch histogram per step, in ms. */
async function launchSums(agentUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${agentUrl}/metrics`)).text();
  const sums: Record<string, number> = {};
  for (const m of text.matchAll(/^trireme_agent_task_launch_seconds_sum\{step="(\w+)"\} (\S+)$/gm)) sums[m[1]!] = Number(m[2]) * 1000;
  return sums;
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function heapUsedMb(agentUrl: string): Promise<number> {
  const text = await (await fetch(`${agentUrl}/metrics`)).text();
  return Number(/^trireme_agent_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]) / 2 ** 20;
}

/** Median of a few RSS reads a second apart (the heap moves with GC), the heap in use, and the agent's CPU meanwhile. */
async function steadyMemory(pid: number, agentUrl: string): Promise<{ mb: number; heapMb: number; cpuPct: number }> {
  const xs: number[] = [];
  const t0 = cpuTicks(pid); const w0 = performance.now();
  for (let i = 0; i < 5; i++) { xs.push(rssMb(pid)); await sleep(1000); }
  const cpuPct = ((cpuTicks(pid) - t0) / 100) / ((performance.now() - w0) / 1000) * 100;
  return { mb: median(xs), heapMb: await heapUsedMb(agentUrl), cpuPct };
}

const maxTasks = Math.max(0, ...TASK_COUNTS);
const cluster = await startCluster({
  agents: 1, agentIpBase: 145,
  agentArgs: ['--resources', `cpus:${Math.ceil(maxTasks * 0.01) + 2};mem:${(maxTasks + 10) * 32};disk:50000;ports:[31000-32000]`],
});
const agentUrl = cluster.agents[0]!.url;
const agentPid = cluster.agents[0]!.proc.pid!;
const isolation = (await (await fetch(`${agentUrl}/flags`)).json() as { flags: { isolation: string } }).flags.isolation;
const s = new RawScheduler(cluster.masterAddress);
const spawnMs: number[] = [];
const e2eMs: number[] = [];
const agentMs: Record<string, number[]> = Object.fromEntries(STEPS.map((k) => [k, []]));
const rss: Array<{ tasks: number; mb: number; heapMb: number; cpuPct: number }> = [];
const loadBefore = os.loadavg();
try {
  await s.subscribe({ user: 'root', name: 'bench-agent' });
  s.autoAck();
  const used = new Set<string>();
  const freshOffer = async () => {
    const e = await s.waitFor((ev) => ev.type === 'OFFERS' && ev.offers.offers.some((o: any) => !used.has(o.id.value)), 30_000);
    const offer = e.offers.offers.find((o: any) => !used.has(o.id.value));
    used.add(offer.id.value);
    return offer;
  };
  /** Every outstanding offer (at least one): freed resources come back as separate offers, and an offer never used holds its resources. */
  const allFreshOffers = async () => {
    await freshOffer().then((o) => used.delete(o.id.value));
    const offers = s.events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers.offers).filter((o: any) => !used.has(o.id.value));
    for (const o of offers) used.add(o.id.value);
    return offers;
  };

  // Warm-up (first launch pays module loading and cgroup parent creation), not counted.
  for (let i = -2; i < RUNS; i++) {
    const base = await plainSpawn();
    const offers = await allFreshOffers();
    const offer = offers[0];
    const id = `launch-${i}`;
    const before = await launchSums(agentUrl);
    const t0 = performance.now();
    await s.call(launch(offers.map((o: any) => o.id.value), [commandTask(id, offer.agent_id.value, 'sleep 30', 'cpus:0.1;mem:32')], { refuse_seconds: 0 }));
    const u = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === id && e.update.status.state !== 'TASK_STARTING', 30_000);
    if (u.update.status.state !== 'TASK_RUNNING') throw new Error(`${id}: ${u.update.status.state} ${u.update.status.message} (offers ${JSON.stringify(offers.map((o: any) => o.resources))})`);
    const e2e = performance.now() - t0;
    const after = await launchSums(agentUrl);
    if (i >= 0) {
      spawnMs.push(base);
      e2eMs.push(e2e);
      for (const k of STEPS) agentMs[k]!.push((after[k] ?? 0) - (before[k] ?? 0));
    }
    await s.call({ type: 'KILL', kill: { task_id: { value: id }, agent_id: offer.agent_id, kill_policy: { grace_period: { nanoseconds: 0 } } } });
    await s.waitForUpdate(id, 'TASK_KILLED', 30_000);
  }

  // Memory: idle first, then with N tasks running.
  await sleep(2000);
  rss.push({ tasks: 0, ...await steadyMemory(agentPid, agentUrl) });
  let running = 0;
  for (const target of TASK_COUNTS.sort((a, b) => a - b)) {
    while (running < target) {
      const offers = await allFreshOffers();
      const cpus = offers.reduce((sum: number, o: any) => sum + (o.resources.find((r: any) => r.name === 'cpus')?.scalar.value ?? 0), 0);
      const batch = Math.min(50, target - running, Math.floor(cpus / 0.01 + 1e-6));
      const tasks = Array.from({ length: batch }, (_, j) => commandTask(`rss-${running + j}`, offers[0].agent_id.value, 'sleep 600', 'cpus:0.01;mem:32'));
      const r = await s.call(launch(offers.map((o: any) => o.id.value), tasks, { refuse_seconds: 0 }));
      if (r.status !== 202) throw new Error(`ACCEPT → ${r.status}: ${r.text}`);
      for (let j = 0; j < batch; j++) {
        const id = `rss-${running + j}`;
        const u = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === id && ['TASK_RUNNING', 'TASK_ERROR', 'TASK_FAILED', 'TASK_LOST'].includes(e.update.status.state), 120_000);
        if (u.update.status.state !== 'TASK_RUNNING') throw new Error(`${id}: ${u.update.status.state} ${u.update.status.message}`);
      }
      running += batch;
    }
    await sleep(3000);
    rss.push({ tasks: target, ...await steadyMemory(agentPid, agentUrl) });
  }
} finally {
  s.close();
  await cluster.stop();
  killSandboxProcesses(cluster.dir);
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const line = (name: string, ms: number) => console.log(`${name.padEnd(76)} ${ms.toFixed(2).padStart(8)} ms`);
console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}, ${new Date().toISOString()}`);
console.log(`load average before/after: ${loadBefore.map((x) => x.toFixed(2)).join(' ')} / ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; agent isolation: ${isolation}`);
line(`child_process.spawn('sleep 30') until running (median of ${RUNS})`, median(spawnMs));
line(`agent: RUN_TASK → TASK_RUNNING, mesos containerizer (median of ${RUNS})`, median(agentMs.total!));
for (const k of ['sandbox', 'launch', 'checkpoint'] as const) line(`  of which ${k} (median)`, median(agentMs[k]!));
line(`end to end: ACCEPT → TASK_RUNNING through master + agent (median of ${RUNS})`, median(e2eMs));
console.log(`ratio agent launch / spawn: ${ratio(median(agentMs.total!), median(spawnMs))} (target ≤ 1.2×); end to end / spawn: ${ratio(median(e2eMs), median(spawnMs))}`);
const idle = rss[0]!.mb;
const idleHeap = rss[0]!.heapMb;
for (const r of rss) {
  const per = r.tasks ? `  (${(((r.mb - idle) * 1024) / r.tasks).toFixed(1)} KB RSS, ${(((r.heapMb - idleHeap) * 1024) / r.tasks).toFixed(1)} KB heap per task)` : '';
  console.log(`agent with ${String(r.tasks).padStart(3)} running tasks: RSS ${r.mb.toFixed(1)} MB, heap used ${r.heapMb.toFixed(1)} MB, CPU ${r.cpuPct.toFixed(1)}%${per}`);
}
console.log(JSON.stringify({ spawnMs, e2eMs, agentMs, rss }));
