// High availability with real processes: a 3-node ZooKeeper ensemble, 3 masters (--zk --quorum 2), 3 agents
// and a framework (the project's scheduler client, following the leader through ZooKeeper) running `sleep`
// tasks. Masters listen on 127.0.61.x, agents on 127.0.60.x.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../src/common/logger.ts';
import { SchedulerClient, type SubscribedInfo } from '../../src/scheduler-client/client.ts';
import type { TaskStatus } from '../../src/proto/mesos.ts';
import { ZooKeeperSession } from '../../src/state/zookeeper-session.ts';
import { eventually, getJson, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';

const TASKS = 4;
const masterIp = (i: number) => `127.0.61.${i + 2}`;
const agentIp = (i: number) => `127.0.60.${i + 2}`;

let zk: ZooKeeperEnsemble;
let dir: { path: string; remove(): void };
const masters: Array<RoleProcess | undefined> = [];
const agents: RoleProcess[] = [];
let client: SchedulerClient | undefined;

function startMasterAt(i: number, port = 0): Promise<RoleProcess> {
  return startRole(['master', '--ip', masterIp(i), '--hostname', masterIp(i), '--port', String(port), '--work-dir', join(dir.path, `master-${i}`),
    '--zk', zk.url('/mesos'), '--quorum', '2', '--zk-session-timeout', '4secs', '--allocation-interval', '200ms'], 'master listening');
}

async function metrics(m: RoleProcess): Promise<Record<string, number>> { return getJson(`${m.url}/metrics/snapshot`); }

/** Index of the one master that says it is elected, once exactly one does. */
async function leaderIndex(timeoutMs = 30_000): Promise<number> {
  return eventually(async () => {
    const elected: number[] = [];
    for (const [i, m] of masters.entries()) if (m && (await metrics(m).catch(() => ({} as Record<string, number>)))['master/elected'] === 1) elected.push(i);
    return elected.length === 1 ? elected[0]! + 1 : undefined; // +1: 0 is falsy for eventually
  }, timeoutMs, 200).then((i) => i - 1);
}

before(async () => {
  zk = await ZooKeeperEnsemble.start();
  dir = tempDir('trireme-ha-');
  for (let i = 0; i < 3; i++) masters[i] = await startMasterAt(i);
  for (let i = 0; i < 3; i++) {
    agents.push(await startRole(['agent', '--master', zk.url('/mesos'), '--ip', agentIp(i), '--hostname', agentIp(i), '--port', '0', '--work-dir', join(dir.path, `agent-${i}`),
      '--resources', 'cpus:2;mem:1024;disk:5000;ports:[31000-32000]', '--registration-backoff-factor', '100ms', '--status-update-retry-interval', '500ms'], 'agent listening'));
  }
});

after(async () => {
  if (process.env.TRIREME_TEST_LOG_DIR) {
    const { writeFileSync } = await import('node:fs');
    masters.forEach((m, i) => m && writeFileSync(join(process.env.TRIREME_TEST_LOG_DIR!, `master-${i}.log`), m.output()));
    agents.forEach((a, i) => writeFileSync(join(process.env.TRIREME_TEST_LOG_DIR!, `agent-${i}.log`), a.output()));
  }
  await client?.stop();
  await Promise.all(agents.map((a) => a.stop()));
  await Promise.all(masters.map((m) => m?.stop()));
  await zk?.close();
  dir?.remove();
});

describe('HA: 3 masters, 3 agents, a 3-node ZooKeeper ensemble', () => {
  it('elects one leader that the others redirect to, with Mesos\'s znode layout', async () => {
    const leader = await leaderIndex();
    const l = masters[leader]!;
    const follower = masters[(leader + 1) % 3]!;
    await eventually(async () => (await getJson(`${l.url}/master/state`)).slaves.length === 3);

    const fs = await getJson(`${follower.url}/master/state`);
    assert.equal(fs.leader_info.address.port, l.port, 'a follower names the leader');
    assert.equal(fs.leader_info.hostname, masterIp(leader));
    assert.equal(fs.elected_time, undefined, 'only the leader has an elected_time');
    assert.equal((await metrics(follower))['master/elected'], 0);
    const ls = await getJson(`${l.url}/master/state`);
    assert.ok(ls.elected_time > 0);
    assert.equal(ls.leader_info.id, ls.id);

    const sub = await fetch(`${follower.url}/api/v1/scheduler`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'x', name: 'x' } } }) });
    assert.equal(sub.status, 307);
    assert.equal(sub.headers.get('location'), `//${masterIp(leader)}:${l.port}/api/v1/scheduler`);
    const redirect = await fetch(`${follower.url}/master/redirect`, { redirect: 'manual' });
    assert.equal(redirect.headers.get('location'), `//${masterIp(leader)}:${l.port}`);

    const session = new ZooKeeperSession(zk.connectString, { sessionTimeoutMs: 3000, logger: createLogger('test', 'error') });
    try {
      await session.waitConnected(10_000);
      const nodes = ((await session.getChildren('/mesos')) ?? []).filter((n) => n.startsWith('json.info_')).sort();
      assert.equal(nodes.length, 3, 'one json.info_ znode per master');
      const head = JSON.parse((await session.getData(`/mesos/${nodes[0]}`))!.data.toString());
      assert.equal(head.id, ls.id, 'the lowest json.info_ znode holds the leader\'s MasterInfo');
      assert.deepEqual(head.address, { hostname: masterIp(leader), ip: masterIp(leader), port: l.port });
    } finally { session.close(); }
  });

  const launched: string[] = [];
  const updates: TaskStatus[] = [];
  const subscriptions: SubscribedInfo[] = [];
  const startsOf = (taskId: string) => readFileSync(join(dir.path, `${taskId}.starts`), 'utf8').split('\n').filter(Boolean).length;

  /** The leader's view: agent count and the running tasks of our framework. */
  async function leaderView(i: number): Promise<{ agents: number; frameworkId?: string; running: string[] }> {
    const st = await getJson(`${masters[i]!.url}/master/state`);
    const fw = st.frameworks.find((f: any) => f.name === 'ha-sleepers');
    return { agents: st.slaves.filter((s: any) => s.active).length, frameworkId: fw?.id, running: (fw?.tasks ?? []).filter((t: any) => t.state === 'TASK_RUNNING').map((t: any) => t.id).sort() };
  }

  /** Waits for the leader's view to satisfy `ok`; on timeout the error shows the last view. */
  async function eventuallyView(i: number, ok: (v: Awaited<ReturnType<typeof leaderView>>) => boolean, timeoutMs = 40_000): Promise<void> {
    let last: unknown;
    try {
      await eventually(async () => { const v = await leaderView(i); last = v; return ok(v); }, timeoutMs, 200);
    } catch (err) {
      throw new Error(`${(err as Error).message}; last view of master ${i}: ${JSON.stringify(last)}; subscriptions: ${subscriptions.length}`);
    }
  }

  it('kill -9 of the leading master: a new leader, agents re-register, the framework re-subscribes, the same tasks keep running', async () => {
    client = new SchedulerClient({
      master: zk.url('/mesos'), frameworkInfo: { user: 'root', name: 'ha-sleepers', failover_timeout: 3600 }, reconnectBackoffMs: { min: 100, max: 1000 },
      logger: createLogger('framework', 'error'),
    });
    client.on('update', (s) => updates.push(s));
    client.on('subscribed', (s) => subscriptions.push(s));
    client.setKnownTasks(() => launched.map((id) => ({ task_id: { value: id } })));
    client.on('offers', async (offers) => {
      for (const o of offers) {
        if (launched.length >= TASKS) { await client!.decline([o.id.value], { refuse_seconds: 3600 }).catch(() => undefined); continue; }
        const id = `sleeper-${launched.length}`;
        launched.push(id);
        await client!.launch([o.id.value], [{
          name: id, task_id: { value: id }, agent_id: o.agent_id,
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 16 } }],
          // Each start leaves a line: a restarted or duplicated task would leave two.
          command: { value: `echo started >> ${dir.path}/$MESOS_TASK_ID.starts; exec sleep 600` },
        }]).catch(() => undefined);
      }
    });
    client.start();
    const before = await leaderIndex();
    await eventually(async () => (await leaderView(before)).running.length === TASKS, 30_000, 200);
    const frameworkId = client.frameworkId!;
    const tasks = (await leaderView(before)).running;

    const updatesBefore = updates.length;
    await masters[before]!.stop('SIGKILL');
    masters[before] = undefined;
    const after = await leaderIndex(30_000);
    assert.notEqual(after, before);
    // The new leader learns the framework from the agents' reports first; it is back once it re-subscribed.
    await eventuallyView(after, (v) => v.agents === 3 && v.frameworkId === frameworkId && v.running.length === TASKS && subscriptions.length >= 2);
    assert.deepEqual((await leaderView(after)).running, tasks, 'the same task ids run under the new leader');
    assert.equal(subscriptions.at(-1)!.frameworkId, frameworkId, 're-subscribed with its framework id');
    assert.equal(subscriptions.at(-1)!.reconnected, true);
    assert.equal(subscriptions.at(-1)!.masterInfo?.address.hostname, masterIp(after));
    // After the failover the framework hears TASK_RUNNING for each task again (reconciliation answers, or the
    // agent's retransmission of an update whose acknowledgement was lost with the old leader).
    await eventually(() => tasks.every((id) => updates.slice(updatesBefore).some((u) => u.task_id.value === id && u.state === 'TASK_RUNNING')), 20_000, 200)
      .catch((err) => { throw new Error(`no TASK_RUNNING again for every task: ${err.message}; updates since: ${JSON.stringify(updates.slice(updatesBefore).map((u) => [u.task_id.value, u.state, u.reason]))}`); });
    assert.ok(updates.slice(updatesBefore).every((u) => u.state === 'TASK_RUNNING'), `no other state was reported: ${JSON.stringify(updates.slice(updatesBefore).filter((u) => u.state !== 'TASK_RUNNING'))}`);
    assert.equal(launched.length, TASKS, 'nothing was launched again');
    for (const id of tasks) assert.equal(startsOf(id), 1, `${id} started once`);

    // The killed master comes back as a follower of the new leader.
    masters[before] = await startMasterAt(before);
    await eventually(async () => (await getJson(`${masters[before]!.url}/master/state`)).leader_info?.address?.port === masters[after]!.port, 20_000, 200)
      .catch(async (err) => { throw new Error(`restarted master does not follow: ${err.message}; ${JSON.stringify((await getJson(`${masters[before]!.url}/master/state`)).leader_info)}`); });
    assert.equal(await leaderIndex(), after);
  });

  it('rides out one ZooKeeper node down; without quorum the leader steps down and writes fail with 503; all recovers', async () => {
    const leader = await leaderIndex();
    const weights = (w: number) => fetch(`${masters[leader]!.url}/api/v1`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'ha', weight: w }] } }),
    });

    await zk.stopNode(1);
    await eventually(async () => (await weights(2)).status === 200, 15_000, 200);
    assert.equal(await leaderIndex(), leader, 'one ZooKeeper node down changes nothing');

    const subscribedBefore = subscriptions.length;
    // An operator event stream on the leader ends when it steps down.
    const events = await fetch(`${masters[leader]!.url}/api/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'SUBSCRIBE' }) });
    assert.equal(events.status, 200);
    const streamEnded = (async () => { for await (const _chunk of events.body!) { /* drain */ } return true; })().catch(() => true);
    await zk.stopNode(2);
    await eventually(async () => {
      const elected = await Promise.all(masters.map(async (m) => (m ? (await metrics(m))['master/elected'] : 0)));
      return elected.every((e) => e === 0);
    }, 20_000, 200);
    assert.equal(await streamEnded, true, 'the operator stream was closed by the master that stepped down');
    const refused = await weights(3);
    assert.equal(refused.status, 503, 'writes fail cleanly while no master leads');
    const st = await fetch(`${masters[leader]!.url}/master/state`);
    assert.equal(st.status, 200, 'reads keep answering');

    await zk.startNode(1);
    await zk.startNode(2);
    await zk.waitServing();
    const back = await leaderIndex(60_000);
    const frameworkId = client!.frameworkId!;
    await eventuallyView(back, (v) => v.agents === 3 && v.frameworkId === frameworkId && v.running.length === TASKS && subscriptions.length > subscribedBefore);
    await eventually(async () => (await weights(4)).status === 200, 15_000, 200);
    const roles = await getJson(`${masters[back]!.url}/master/roles`);
    assert.equal(roles.roles.find((r: any) => r.name === 'ha')?.weight, 4, 'the registry is readable and writable again');
    for (const id of launched) assert.equal(startsOf(id), 1, `${id} still started only once`);
  });
  it('a leader whose session expires while it is frozen steps down on waking and contends again, without exiting', async () => {
    const frozen = await leaderIndex();
    const proc = masters[frozen]!.proc;
    proc.kill('SIGSTOP');
    let other: number;
    try {
      // Its session expires (4 s) and its znode goes; another master takes over.
      other = await eventually(async () => {
        for (const [i, m] of masters.entries()) if (i !== frozen && m && (await metrics(m))['master/elected'] === 1) return i + 1;
        return undefined;
      }, 30_000, 200).then((i) => i - 1);
    } finally {
      proc.kill('SIGCONT');
    }
    await eventually(async () => {
      const st = await getJson(`${masters[frozen]!.url}/master/state`);
      return st.elected_time === undefined && st.leader_info?.address?.port === masters[other]!.port;
    }, 30_000, 200);
    assert.equal(proc.exitCode, null, 'the woken master is still running');
    assert.equal(await leaderIndex(), other, 'exactly one leader');
    const session = new ZooKeeperSession(zk.connectString, { sessionTimeoutMs: 3000, logger: createLogger('test', 'error') });
    try {
      await session.waitConnected(10_000);
      await eventually(async () => ((await session.getChildren('/mesos')) ?? []).filter((n) => n.startsWith('json.info_')).length === 3, 20_000, 200);
    } finally { session.close(); }
    const frameworkId = client!.frameworkId!;
    await eventuallyView(other, (v) => v.agents === 3 && v.frameworkId === frameworkId && v.running.length === TASKS);
    for (const id of launched) assert.equal(startsOf(id), 1, `${id} still started only once`);
  });
  it('an agent given a non-leading master as host:port is redirected to the leader', async () => {
    const leader = await leaderIndex();
    const follower = masters.findIndex((m, i) => m && i !== leader);
    const agent = await startRole(['agent', '--master', `${masterIp(follower)}:${masters[follower]!.port}`, '--ip', agentIp(3), '--hostname', agentIp(3), '--port', '0',
      '--work-dir', join(dir.path, 'agent-static'), '--resources', 'cpus:1;mem:256;disk:100;ports:[33000-33010]', '--registration-backoff-factor', '100ms'], 'agent listening');
    agents.push(agent);
    const st = await eventually(async () => {
      const s = await getJson(`${masters[leader]!.url}/master/state`);
      return s.slaves.some((a: any) => a.hostname === agentIp(3) && a.active) ? s : undefined;
    }, 20_000, 200);
    assert.equal(st.slaves.length, 4);
  });
});
