// Framework HA with real processes and kill -9: a 3-node ZooKeeper ensemble, 3 masters (--zk --quorum 2), 3
// agents, 2 Marathon and 2 Chronos instances (--zk, --master zk://.../mesos), all with 3 s session timeouts.
// One shared cluster; the tests run in order: Marathon failover, Chronos failover, master failover.
// Addresses: agents 127.0.80.x, masters 127.0.81.x, Marathon 127.0.82.x, Chronos 127.0.83.x.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, getJson, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { killSandboxProcesses } from '../helpers/processes.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';

const SESSION = '3secs';
const INSTANCES = 6;
const ip = (group: number, i: number) => `127.0.${group}.${i + 2}`;

let zk: ZooKeeperEnsemble;
let dir: { path: string; remove(): void };
const masters: Array<RoleProcess | undefined> = [];
const agents: RoleProcess[] = [];
const marathons: Array<RoleProcess | undefined> = [];
const chronoses: Array<RoleProcess | undefined> = [];

const startMaster = (i: number) => startRole(['master', '--ip', ip(81, i), '--hostname', ip(81, i), '--port', '0', '--work-dir', join(dir.path, `master-${i}`),
  '--zk', zk.url('/mesos'), '--quorum', '2', '--zk-session-timeout', SESSION, '--allocation-interval', '200ms'], 'master listening');
const startMarathon = (i: number) => startRole(['marathon', '--master', zk.url('/mesos'), '--zk', zk.url('/marathon'), '--zk-session-timeout', SESSION,
  '--http-address', ip(82, i), '--hostname', ip(82, i), '--http-port', '0', '--decline-offer-duration', '1secs'], 'marathon listening');
const startChronos = (i: number) => startRole(['chronos', '--master', zk.url('/mesos'), '--zk', zk.url('/chronos'), '--zk-session-timeout', SESSION,
  '--http-address', ip(83, i), '--hostname', ip(83, i), '--http-port', '0', '--decline-offer-duration', '1000', '--failover-timeout', '600'], 'chronos listening');

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${url}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, body: parsed, text };
}

/** Index of the one instance that says it leads, once exactly one does. */
async function leaderOf(group: Array<RoleProcess | undefined>, leads: (p: RoleProcess) => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  return eventually(async () => {
    const leading: number[] = [];
    for (const [i, p] of group.entries()) if (p && await leads(p).catch(() => false)) leading.push(i);
    return leading.length === 1 ? leading[0]! + 1 : undefined; // +1: 0 is falsy for eventually
  }, timeoutMs, 200).then((i) => i - 1);
}
const masterLeads = async (m: RoleProcess) => (await getJson(`${m.url}/metrics/snapshot`))['master/elected'] === 1;
const marathonLeads = async (m: RoleProcess) => (await getJson(`${m.url}/v2/info`)).elected === true;
const chronosLeads = async (c: RoleProcess) => (await getJson(`${c.url}/v1/scheduler/leader`)).leader === `${new URL(c.url).host}`;

/** Each Marathon task appends a line to <id>.starts when it starts: a restarted or duplicated task leaves two. */
const appStarts = () => readdirSync(dir.path).filter((f) => f.endsWith('.starts'));
const startsOf = (taskId: string) => readFileSync(join(dir.path, `${taskId}.starts`), 'utf8').split('\n').filter(Boolean).length;
/** Due times (from the Chronos task ids) of the job's runs, in run order. */
const RUNS = () => join(dir.path, 'tick.runs');
const runDues = () => existsSync(RUNS()) ? readFileSync(RUNS(), 'utf8').split('\n').filter(Boolean).map((id) => Number(id.split(':')[1])) : [];

/**
 * Around an outage that began at `killedAt`: no slot ran twice, and from the last run before the outage on,
 * every 2 s slot ran except slots before the job resumed (its first run due after `killedAt`). While no leader
 * can launch, a queued run is superseded by the job's next slot and only the latest missed slot runs, late but
 * within epsilon (Chronos' rule, README), so those may be skipped; once the job runs again it misses none.
 */
function assertRuns(dues: number[], killedAt: number): void {
  assert.equal(new Set(dues).size, dues.length, `no slot ran twice: ${dues.join(',')}`);
  const sorted = [...dues].sort((a, b) => a - b);
  const lastBefore = sorted.filter((d) => d <= killedAt).at(-1);
  const resumed = sorted.find((d) => d > killedAt);
  assert.ok(lastBefore !== undefined && resumed !== undefined, `runs before and after the outage: ${sorted.join(',')}`);
  const after = sorted.filter((d) => d >= resumed);
  for (let i = 1; i < after.length; i++) assert.equal(after[i]! - after[i - 1]!, 2000, `no slot was missed once the job resumed: ${sorted.join(',')}`);
}

async function runningTasks(url: string): Promise<string[]> {
  const app = (await call(url, 'GET', '/v2/apps/web')).body?.app;
  return (app?.tasks ?? []).filter((t: any) => t.state === 'TASK_RUNNING').map((t: any) => t.id).sort();
}

before(async () => {
  zk = await ZooKeeperEnsemble.start();
  dir = tempDir('trireme-fwha-');
  for (let i = 0; i < 3; i++) masters[i] = await startMaster(i);
  for (let i = 0; i < 3; i++) {
    agents.push(await startRole(['agent', '--master', zk.url('/mesos'), '--ip', ip(80, i), '--hostname', ip(80, i), '--port', '0', '--work-dir', join(dir.path, `agent-${i}`),
      '--resources', 'cpus:4;mem:2048;disk:5000;ports:[31000-32000]', '--registration-backoff-factor', '100ms', '--status-update-retry-interval', '500ms'], 'agent listening'));
  }
  for (let i = 0; i < 2; i++) marathons[i] = await startMarathon(i);
  for (let i = 0; i < 2; i++) chronoses[i] = await startChronos(i);
});

after(async () => {
  if (process.env.TRIREME_TEST_LOG_DIR) {
    const all = { master: masters, agent: agents, marathon: marathons, chronos: chronoses };
    for (const [name, list] of Object.entries(all)) list.forEach((p, i) => p && writeFileSync(join(process.env.TRIREME_TEST_LOG_DIR!, `fwha-${name}-${i}.log`), p.output()));
  }
  await Promise.all([...marathons, ...chronoses].map((p) => p?.stop()));
  await Promise.all(agents.map((a) => a.stop()));
  await Promise.all(masters.map((m) => m?.stop()));
  if (dir) killSandboxProcesses(dir.path);
  await zk?.close();
  dir?.remove();
});

describe('framework HA: 2 Marathon and 2 Chronos instances on ZooKeeper, 3 masters, 3 agents', () => {
  it('kill -9 of the leading Marathon: the standby leads, the same tasks keep running, nothing is launched again', async () => {
    const leader = await leaderOf(marathons, marathonLeads);
    const standby = marathons[1 - leader]!;
    const leading = marathons[leader]!;
    // Any instance can be used: the standby proxies to the leader, and says who leads.
    assert.equal((await getJson(`${standby.url}/v2/info`)).elected, false);
    assert.equal((await getJson(`${standby.url}/v2/leader`)).leader, new URL(leading.url).host);
    const created = await call(standby.url, 'POST', '/v2/apps', {
      id: '/web', cmd: `echo started >> ${dir.path}/$MESOS_TASK_ID.starts; exec sleep 600`, cpus: 0.1, mem: 16, instances: INSTANCES,
    });
    assert.equal(created.status, 201, created.text);
    // The standby streams the leader's /v2/events too.
    const sse = await fetch(`${standby.url}/v2/events?event_type=event_stream_attached`, { headers: { Accept: 'text/event-stream' } });
    assert.equal(sse.status, 200);
    const reader = sse.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /event: event_stream_attached/);
    await reader.cancel();

    const tasks = await eventually(async () => { const t = await runningTasks(leading.url); return t.length === INSTANCES ? t : undefined; }, 40_000, 200);
    assert.deepEqual(await runningTasks(standby.url), tasks, 'the standby answers with the leader\'s view');

    await leading.stop('SIGKILL');
    marathons[leader] = undefined;
    await leaderOf(marathons, marathonLeads, 30_000);
    // The new leader re-subscribed with the stored framework id and reconciled: the same tasks, still running.
    await eventually(async () => {
      const fw = (await getJson(`${masters[await leaderOf(masters, masterLeads)]!.url}/master/state`)).frameworks.find((f: any) => f.name === 'marathon');
      return fw?.active === true && (await call(standby.url, 'GET', '/v2/apps')).status === 200;
    }, 30_000, 200);
    await eventually(async () => (await getJson(`${standby.url}/v2/apps/web`)).app.tasksRunning === INSTANCES, 20_000, 200);
    assert.deepEqual(await runningTasks(standby.url), tasks, 'the same task ids run under the new leader');
    const app = (await getJson(`${standby.url}/v2/apps/web`)).app;
    assert.equal(app.instances, INSTANCES);
    assert.equal(appStarts().length, INSTANCES, 'nothing was launched again');
    for (const id of tasks) assert.equal(startsOf(id), 1, `${id} started once`);
    // Writes work through the new leader.
    const scaled = await call(standby.url, 'PUT', '/v2/apps/web', { instances: INSTANCES });
    assert.equal(scaled.status, 200, scaled.text);

    // The killed instance comes back as a standby and proxies to the new leader.
    marathons[leader] = await startMarathon(leader);
    assert.equal((await getJson(`${marathons[leader]!.url}/v2/info`)).elected, false);
    assert.deepEqual(await runningTasks(marathons[leader]!.url), tasks);
  });

  it('kill -9 of the leading Chronos: the standby leads, the 2 s job runs on, none twice, none missed outside the failover', async () => {
    const leader = await leaderOf(chronoses, chronosLeads);
    const standby = chronoses[1 - leader]!;
    const start = Math.ceil((Date.now() + 2000) / 1000) * 1000;
    const posted = await call(standby.url, 'POST', '/v1/scheduler/iso8601', {
      name: 'tick', command: `echo $MESOS_TASK_ID >> ${RUNS()}`, schedule: `R/${new Date(start).toISOString()}/PT2S`, epsilon: 'PT30S', cpus: 0.1, mem: 16,
    });
    assert.equal(posted.status, 204, posted.text);
    await eventually(() => runDues().length >= 3, 30_000, 200);

    await chronoses[leader]!.stop('SIGKILL');
    const killedAt = Date.now();
    chronoses[leader] = undefined;
    await leaderOf(chronoses, chronosLeads, 30_000);
    chronoses[leader] = await startChronos(leader);
    // Runs resume: the latest slot missed during the failover runs late (inside epsilon), then on time again.
    await eventually(() => runDues().filter((d) => d > killedAt).length >= 3, 30_000, 200);
    assertRuns(runDues(), killedAt);
    const job = await getJson(`${standby.url}/v1/scheduler/job/tick`);
    assert.equal(job.name, 'tick', 'the job is intact');

    assert.equal((await getJson(`${chronoses[leader]!.url}/v1/scheduler/leader`)).leader, new URL(standby.url).host);
    assert.equal((await call(chronoses[leader]!.url, 'GET', '/v1/scheduler/job/tick')).status, 200, 'the restarted standby proxies to the leader');
  });

  it('kill -9 of the leading master: frameworks follow the new leader, the same 6 tasks keep running, Chronos runs on', async () => {
    const before = await leaderOf(masters, masterLeads);
    const marathon = marathons[await leaderOf(marathons, marathonLeads)]!;
    const tasks = await runningTasks(marathon.url);
    assert.equal(tasks.length, INSTANCES);

    await masters[before]!.stop('SIGKILL');
    const killedAt = Date.now();
    masters[before] = undefined;
    const after = await leaderOf(masters, masterLeads, 30_000);
    const view = async () => {
      const st = await getJson(`${masters[after]!.url}/master/state`);
      const fw = (name: string) => st.frameworks.find((f: any) => f.name === name && f.active);
      return { agents: st.slaves.filter((s: any) => s.active).length, marathon: fw('marathon'), chronos: fw('chronos') };
    };
    let last: unknown;
    await eventually(async () => {
      const v = await view();
      last = { agents: v.agents, marathon: !!v.marathon, chronos: !!v.chronos, marathonTasks: v.marathon?.tasks?.length };
      return v.agents === 3 && v.marathon && v.chronos
        && v.marathon.tasks.filter((t: any) => t.state === 'TASK_RUNNING').map((t: any) => t.id).sort().join() === tasks.join();
    }, 40_000, 200).catch((err) => { throw new Error(`${err.message}; last view: ${JSON.stringify(last)}`); });
    assert.deepEqual(await runningTasks(marathon.url), tasks, 'Marathon still lists the same tasks');
    assert.equal(appStarts().length, INSTANCES, 'no task was launched again');
    for (const id of tasks) assert.equal(startsOf(id), 1, `${id} started once`);

    await eventually(() => runDues().filter((d) => d > killedAt).length >= 3, 30_000, 200);
    assertRuns(runDues(), killedAt);
  });

  it('without a ZooKeeper quorum: no instance leads, writes answer 503, reads keep answering; all recovers', async () => {
    const tasks = await runningTasks(marathons[await leaderOf(marathons, marathonLeads)]!.url);
    await zk.stopNode(1);
    await zk.stopNode(2);
    try {
      await eventually(async () => {
        for (const p of [...marathons, ...chronoses]) if (p && (await marathonLeads(p).catch(() => false) || await chronosLeads(p).catch(() => false))) return false;
        return true;
      }, 20_000, 200);
      for (const m of marathons) {
        const write = await call(m!.url, 'POST', '/v2/apps', { id: '/refused', cmd: 'sleep 1', cpus: 0.1, mem: 16 });
        assert.equal(write.status, 503, write.text);
        assert.match(write.body.message, /leader/);
        assert.deepEqual(await runningTasks(m!.url), tasks, 'Marathon reads answer from the local state');
      }
      for (const c of chronoses) {
        const write = await call(c!.url, 'POST', '/v1/scheduler/iso8601', { name: 'refused', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/PT1H' });
        assert.equal(write.status, 503, write.text);
        const jobs = await call(c!.url, 'GET', '/v1/scheduler/jobs');
        assert.equal(jobs.status, 200);
        assert.ok(jobs.body.some((j: any) => j.name === 'tick'), 'Chronos reads answer from the local state');
      }
    } finally {
      await zk.startNode(1);
      await zk.startNode(2);
    }
    await zk.waitServing();
    const m = marathons[await leaderOf(marathons, marathonLeads, 60_000)]!;
    await leaderOf(chronoses, chronosLeads, 60_000);
    await eventually(async () => (await call(m.url, 'PUT', '/v2/apps/web', { instances: INSTANCES })).status === 200, 30_000, 200);
    await eventually(async () => (await runningTasks(m.url)).join() === tasks.join(), 30_000, 200);
    assert.equal(appStarts().length, INSTANCES, 'no task was launched again');
  });
});
