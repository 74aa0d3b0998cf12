// HA benchmarks (issue 6), run by bench/run.ts (`npm run bench -- ha`):
// 1. kill -9 of the leading master → new leader elected, all agents re-registered, the framework re-subscribed and
//    every task reported running again; real processes: a 3-node ZooKeeper ensemble, 3 masters with the default
//    --zk-session-timeout (10 s), 3 agents, a scheduler-client framework with 3 `sleep` tasks.
// 2. Store write throughput and latency, SQLite and ZooKeeper (sequential puts of a 200-byte value).
import { join } from 'node:path';
import { createLogger } from '../src/common/logger.ts';
import { SchedulerClient } from '../src/scheduler-client/client.ts';
import type { TaskStatus } from '../src/proto/mesos.ts';
import { SqliteStore } from '../src/state/sqlite-store.ts';
import type { Store } from '../src/state/store.ts';
import { ZooKeeperSession } from '../src/state/zookeeper-session.ts';
import { ZooKeeperStore } from '../src/state/zookeeper-store.ts';
import { startRole, tempDir, type RoleProcess } from '../test/helpers/processes.ts';
import { ZooKeeperEnsemble } from '../test/helpers/zookeeper.ts';

export interface HaResult { name: string; value: number; unit: string; target: string }

const RUNS = Number(process.env.BENCH_HA_RUNS ?? 3);
const PUTS = Number(process.env.BENCH_STORE_PUTS ?? 2000);
const logger = createLogger('bench', 'error');
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]!; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function json(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** Polls `check` every 20 ms until it holds; returns the time it first held. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { if (await check()) return performance.now(); } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

export async function benchFailover(): Promise<HaResult[]> {
  const zk = await ZooKeeperEnsemble.start();
  const dir = tempDir('trireme-bench-ha-');
  const url = zk.url('/mesos');
  const masters: Array<RoleProcess | undefined> = [];
  const agents: RoleProcess[] = [];
  const startMasterAt = (i: number) => startRole(['master', '--ip', `127.0.71.${i + 2}`, '--hostname', `127.0.71.${i + 2}`, '--port', '0',
    '--work-dir', join(dir.path, `m${i}`), '--zk', url, '--quorum', '2'], 'master listening');
  let client: SchedulerClient | undefined;
  const elected = async (m: RoleProcess) => (await json(`${m.url}/metrics/snapshot`))['master/elected'] === 1;
  try {
    for (let i = 0; i < 3; i++) masters[i] = await startMasterAt(i);
    for (let i = 0; i < 3; i++) {
      agents.push(await startRole(['agent', '--master', url, '--ip', `127.0.70.${i + 2}`, '--hostname', `127.0.70.${i + 2}`, '--port', '0',
        '--work-dir', join(dir.path, `a${i}`), '--resources', 'cpus:2;mem:1024;disk:1000;ports:[31000-31100]'], 'agent listening'));
    }
    const updates: Array<{ at: number; status: TaskStatus }> = [];
    const subscribed: number[] = [];
    const launched: string[] = [];
    client = new SchedulerClient({ master: url, frameworkInfo: { user: 'root', name: 'bench-ha', failover_timeout: 3600 }, logger });
    client.on('update', (status) => updates.push({ at: performance.now(), status }));
    client.on('subscribed', () => subscribed.push(performance.now()));
    client.setKnownTasks(() => launched.map((id) => ({ task_id: { value: id } })));
    client.on('offers', async (offers) => {
      for (const o of offers) {
        if (launched.length >= 3) { await client!.decline([o.id.value], { refuse_seconds: 3600 }).catch(() => undefined); continue; }
        const id = `bench-${launched.length}`;
        launched.push(id);
        await client!.launch([o.id.value], [{ name: id, task_id: { value: id }, agent_id: o.agent_id, command: { value: 'sleep 3600' },
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 16 } }] }]).catch(() => undefined);
      }
    });
    client.start();
    await until(() => launched.every((id) => updates.some((u) => u.status.task_id.value === id && u.status.state === 'TASK_RUNNING')) && launched.length === 3);

    const elect: number[] = []; const reregister: number[] = []; const resubscribe: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let leader = -1;
      await until(async () => {
        const flags = await Promise.all(masters.map(async (m) => (m ? elected(m).catch(() => false) : false)));
        leader = flags.indexOf(true);
        return flags.filter(Boolean).length === 1;
      });
      // Let the cluster settle on the current leader before killing it.
      await until(async () => (await json(`${masters[leader]!.url}/master/state`)).slaves.length === 3);
      const updatesBefore = updates.length;
      const subscriptionsBefore = subscribed.length;
      const t0 = performance.now();
      await masters[leader]!.stop('SIGKILL');
      masters[leader] = undefined;
      let next = -1;
      const tElected = await until(async () => {
        for (const [i, m] of masters.entries()) if (m && await elected(m).catch(() => false)) { next = i; return true; }
        return false;
      });
      const tAgents = await until(async () => (await json(`${masters[next]!.url}/master/state`)).slaves.filter((s: any) => s.active).length === 3);
      await until(() => subscribed.length > subscriptionsBefore
        && launched.every((id) => updates.slice(updatesBefore).some((u) => u.status.task_id.value === id && u.status.state === 'TASK_RUNNING')));
      const tFramework = Math.max(subscribed.at(-1)!, ...launched.map((id) => updates.slice(updatesBefore).find((u) => u.status.task_id.value === id && u.status.state === 'TASK_RUNNING')!.at));
      elect.push(tElected - t0); reregister.push(tAgents - t0); resubscribe.push(tFramework - t0);
      masters[leader] = await startMasterAt(leader); // back as a follower for the next run
    }
    return [
      { name: `kill -9 of the leading master → new leader elected (median of ${RUNS}; session timeout 10 s)`, value: Math.round(median(elect)), unit: 'ms', target: '≤ 12 s' },
      { name: `… → all 3 agents re-registered with it (median of ${RUNS})`, value: Math.round(median(reregister)), unit: 'ms', target: '≤ 12 s' },
      { name: `… → framework re-subscribed and all tasks reported running (median of ${RUNS})`, value: Math.round(median(resubscribe)), unit: 'ms', target: '≤ 12 s' },
    ];
  } finally {
    await client?.stop();
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(masters.map((m) => m?.stop()));
    await zk.close();
    dir.remove();
  }
}

async function putLatencies(store: Store): Promise<{ perSecond: number; p50: number; p99: number }> {
  const value = { data: 'x'.repeat(180) };
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < PUTS; i++) {
    const s = performance.now();
    await store.put(`/bench/k${i % 200}`, value);
    times.push(performance.now() - s);
  }
  return { perSecond: Math.round(PUTS / ((performance.now() - t0) / 1000)), p50: pct(times, 0.5), p99: pct(times, 0.99) };
}

export async function benchStores(): Promise<HaResult[]> {
  const out: HaResult[] = [];
  const dir = tempDir('trireme-bench-store-');
  const sqlite = await SqliteStore.open(dir.path);
  try {
    const r = await putLatencies(sqlite);
    out.push({ name: `SQLite store: sequential puts (${PUTS}, fsync each)`, value: r.perSecond, unit: 'puts/s', target: '' });
    out.push({ name: `SQLite store: put latency p50 / p99`, value: Number(r.p99.toFixed(2)), unit: `ms p99 (p50 ${r.p50.toFixed(2)} ms)`, target: '' });
  } finally { await sqlite.close(); dir.remove(); }
  const zk = await ZooKeeperEnsemble.start();
  const session = new ZooKeeperSession(zk.connectString, { sessionTimeoutMs: 10_000, logger });
  try {
    await session.waitConnected(20_000);
    const r = await putLatencies(new ZooKeeperStore(session, '/bench'));
    out.push({ name: `ZooKeeper store (3 nodes, loopback): sequential puts (${PUTS})`, value: r.perSecond, unit: 'puts/s', target: '' });
    out.push({ name: `ZooKeeper store: put latency p50 / p99`, value: Number(r.p99.toFixed(2)), unit: `ms p99 (p50 ${r.p50.toFixed(2)} ms)`, target: '' });
  } finally { session.close(); await zk.close(); }
  return out;
}
