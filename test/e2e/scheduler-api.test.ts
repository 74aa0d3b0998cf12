// End to end: a real master and agents as processes, driven by a raw HTTP scheduler as a third-party framework would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, getJson, eventually, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch, post } from '../helpers/raw-scheduler.ts';

const FRAMEWORK = { user: 'root', name: 'e2e', failover_timeout: 60, capabilities: [{ type: 'TASK_KILLING_STATE' }] };

describe('Mesos v1 scheduler API end to end', () => {
  let cluster: TestCluster;
  const open: RawScheduler[] = [];

  before(async () => { cluster = await startCluster({ agents: 2, agentIpBase: 1 }); });
  after(async () => {
    for (const s of open) { await s.call({ type: 'TEARDOWN' }).catch(() => undefined); s.close(); }
    await cluster?.stop();
  });

  async function subscribe(info: object = FRAMEWORK): Promise<RawScheduler> {
    const s = new RawScheduler(cluster.masterAddress);
    open.push(s);
    await s.subscribe(info);
    return s;
  }

  async function teardown(s: RawScheduler): Promise<void> {
    const r = await s.call({ type: 'TEARDOWN' });
    assert.equal(r.status, 202, r.text);
    s.close();
  }

  it('SUBSCRIBE answers 200 with a Mesos-Stream-Id and SUBSCRIBED, then OFFERS from every agent', async () => {
    const s = await subscribe();
    assert.equal(s.status, 200);
    assert.match(s.streamId, /^[0-9a-f-]{36}$/);
    const subscribed = s.events[0]!;
    assert.equal(subscribed.type, 'SUBSCRIBED');
    assert.ok(subscribed.subscribed.framework_id.value.length > 0);
    assert.equal(subscribed.subscribed.heartbeat_interval_seconds, 15);
    assert.equal(subscribed.subscribed.master_info.port, cluster.master.port);
    const seen = new Map<string, any>();
    await eventually(() => {
      for (const e of s.events) if (e.type === 'OFFERS') for (const o of e.offers.offers) seen.set(o.agent_id.value, o);
      return seen.size === 2;
    });
    for (const offer of seen.values()) {
      assert.equal(offer.framework_id.value, s.frameworkId);
      assert.match(offer.hostname, /^127\.0\.1\.[23]$/);
      const byName = Object.fromEntries(offer.resources.map((r: any) => [r.name, r]));
      assert.equal(byName.cpus.scalar.value, 2);
      assert.equal(byName.mem.scalar.value, 1024);
      assert.deepEqual(byName.ports.ranges.range, [{ begin: 31000, end: 32000 }]);
      assert.equal(offer.allocation_info.role, '*');
    }
    await teardown(s);
  });

  it('runs echo to TASK_FINISHED through STARTING and RUNNING, acknowledging each update, with stdout in the sandbox', async () => {
    const s = await subscribe();
    const [offer] = await s.nextOffers();
    const r = await s.call(launch([offer.id.value], [commandTask('echo-1', offer.agent_id.value, 'echo hello from $MESOS_TASK_ID')]));
    assert.equal(r.status, 202, r.text);
    s.autoAck();
    const finished = await s.waitForUpdate('echo-1', 'TASK_FINISHED');
    assert.deepEqual(s.updates('echo-1').map((u) => u.state), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    for (const u of s.updates('echo-1')) {
      assert.ok(u.uuid, 'agent updates carry a uuid to acknowledge');
      assert.equal(u.agent_id.value, offer.agent_id.value);
      assert.equal(u.source, 'SOURCE_EXECUTOR');
    }
    assert.match(finished.message, /exited with status 0/);
    // The sandbox is on the agent and readable over the files API.
    const agentUrl = `http://${offer.hostname}:${offer.url.address.port}`;
    const state = await getJson(`${agentUrl}/state`);
    const executors = state.frameworks.find((f: any) => f.id === s.frameworkId).completed_executors.concat(state.frameworks.find((f: any) => f.id === s.frameworkId).executors);
    const dir = executors.find((e: any) => e.id === 'echo-1').directory;
    const read = await getJson(`${agentUrl}/files/read?path=${encodeURIComponent(dir + '/stdout')}&offset=0`);
    assert.equal(read.data, 'hello from echo-1\n');
    await eventually(async () => {
      const tasks = (await getJson(`http://${cluster.masterAddress}/master/tasks`)).tasks;
      return tasks.find((t: any) => t.id === 'echo-1' && t.state === 'TASK_FINISHED');
    });
    await teardown(s);
  });

  it('reports a failing command as TASK_FAILED with its exit status, and shell:false runs argv', async () => {
    const s = await subscribe();
    s.autoAck();
    const [offer] = await s.nextOffers();
    const argvTask = { ...commandTask('argv-1', offer.agent_id.value, ''), command: { shell: false, value: '/bin/sh', arguments: ['sh', '-c', 'exit 0'], environment: { variables: [{ name: 'X', value: '1' }] } } };
    const r = await s.call(launch([offer.id.value], [commandTask('fail-1', offer.agent_id.value, 'exit 3'), argvTask]));
    assert.equal(r.status, 202, r.text);
    const failed = await s.waitForUpdate('fail-1', 'TASK_FAILED');
    assert.match(failed.message, /exited with status 3/);
    // Its command executor ends with it: the framework gets a FAILURE event naming the executor and agent.
    const failure = await s.waitFor((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'fail-1');
    assert.deepEqual(failure.failure, { agent_id: offer.agent_id, executor_id: { value: 'fail-1' }, status: 0 });
    await s.waitForUpdate('argv-1', 'TASK_FINISHED');
    await teardown(s);
  });

  it('KILL moves a running task through TASK_KILLING to TASK_KILLED', async () => {
    const s = await subscribe();
    s.autoAck();
    const [offer] = await s.nextOffers();
    await s.call(launch([offer.id.value], [commandTask('sleep-1', offer.agent_id.value, 'sleep 600')]));
    await s.waitForUpdate('sleep-1', 'TASK_RUNNING');
    const r = await s.call({ type: 'KILL', kill: { task_id: { value: 'sleep-1' }, agent_id: offer.agent_id } });
    assert.equal(r.status, 202, r.text);
    await s.waitForUpdate('sleep-1', 'TASK_KILLED');
    assert.deepEqual(s.updates('sleep-1').map((u) => u.state), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    await teardown(s);
  });

  it('KILL sends SIGTERM first and SIGKILL once the kill policy grace period is over', async () => {
    const s = await subscribe();
    s.autoAck();
    const [offer] = await s.nextOffers();
    // One task stops on SIGTERM; the other ignores it and must be SIGKILLed after the 300 ms grace period.
    const polite = commandTask('polite-1', offer.agent_id.value, 'echo ready; sleep 600', 'cpus:0.1;mem:32');
    const stubborn = { ...commandTask('stubborn-1', offer.agent_id.value, "trap '' TERM; echo ready; while true; do sleep 0.1; done", 'cpus:0.1;mem:32'), kill_policy: { grace_period: { nanoseconds: 300_000_000 } } };
    await s.call(launch([offer.id.value], [polite, stubborn]));
    await s.waitForUpdate('polite-1', 'TASK_RUNNING');
    await s.waitForUpdate('stubborn-1', 'TASK_RUNNING');
    // RUNNING means the process started; its stdout line means its shell has set up its signal handling.
    const agentUrl = `http://${offer.hostname}:${offer.url.address.port}`;
    for (const id of ['polite-1', 'stubborn-1']) {
      await eventually(async () => {
        const fw = (await getJson(`${agentUrl}/state`)).frameworks.find((f: any) => f.id === s.frameworkId);
        const dir = fw.executors.find((e: any) => e.id === id).directory;
        return (await getJson(`${agentUrl}/files/read?path=${encodeURIComponent(dir + '/stdout')}&offset=0`)).data === 'ready\n';
      });
    }
    await s.call({ type: 'KILL', kill: { task_id: { value: 'polite-1' }, agent_id: offer.agent_id } });
    await s.call({ type: 'KILL', kill: { task_id: { value: 'stubborn-1' }, agent_id: offer.agent_id } });
    assert.match((await s.waitForUpdate('polite-1', 'TASK_KILLED')).message, /signal Terminated/);
    assert.match((await s.waitForUpdate('stubborn-1', 'TASK_KILLED')).message, /signal Killed/);
    await teardown(s);
  });

  it('refuses invalid launches with TASK_ERROR and stale offers with TASK_LOST/REASON_INVALID_OFFERS', async () => {
    const s = await subscribe();
    const [offer] = await s.nextOffers();
    await s.call(launch([offer.id.value], [commandTask('too-big', offer.agent_id.value, 'true', 'cpus:64;mem:32'), commandTask('no-command', offer.agent_id.value, '', 'cpus:0.1;mem:32')]));
    const tooBig = await s.waitForUpdate('too-big', 'TASK_ERROR');
    assert.equal(tooBig.reason, 'REASON_TASK_INVALID');
    assert.equal(tooBig.source, 'SOURCE_MASTER');
    assert.equal(tooBig.uuid, undefined);
    assert.match(tooBig.message, /more resources/);
    const noCmd = await s.waitForUpdate('no-command', 'TASK_ERROR');
    assert.match(noCmd.message, /command\.value/);
    // The offer is used up now: launching on it again is an invalid offer.
    await s.call(launch([offer.id.value], [commandTask('stale', offer.agent_id.value, 'true')]));
    const stale = await s.waitForUpdate('stale', 'TASK_LOST');
    assert.equal(stale.reason, 'REASON_INVALID_OFFERS');
    await teardown(s);
  });

  it('retries an unacknowledged update with the same uuid until it is acknowledged', async () => {
    const s = await subscribe();
    const [offer] = await s.nextOffers();
    await s.call(launch([offer.id.value], [commandTask('retry-1', offer.agent_id.value, 'sleep 600')]));
    const first = await s.waitForUpdate('retry-1', 'TASK_STARTING');
    // No ack yet: the same update comes again (agent retry interval is 500ms in tests), and RUNNING waits behind it.
    await eventually(() => s.updates('retry-1').filter((u) => u.uuid === first.uuid).length >= 2, 10_000);
    assert.ok(!s.updates('retry-1').some((u) => u.state === 'TASK_RUNNING'), 'updates are delivered in order, one at a time');
    await s.ack(first);
    const running = await s.waitForUpdate('retry-1', 'TASK_RUNNING');
    await s.ack(running);
    const countAfterAck = s.updates('retry-1').length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(s.updates('retry-1').length, countAfterAck, 'acknowledged updates are not resent');
    await teardown(s);
  });

  it('answers malformed and unauthorised calls with Mesos status codes and a message', async () => {
    const s = await subscribe();
    const m = cluster.masterAddress;
    assert.equal((await post(m, '/api/v1/scheduler', '{}', {})).status, 400, 'missing Content-Type');
    assert.equal((await post(m, '/api/v1/scheduler', '{}', { 'Content-Type': 'text/plain' })).status, 415);
    const badJson = await post(m, '/api/v1/scheduler', '{nope', { 'Content-Type': 'application/json' });
    assert.equal(badJson.status, 400);
    assert.match(badJson.text, /JSON/);
    const badType = await post(m, '/api/v1/scheduler', { type: 'LAUNCH_ROCKETS' });
    assert.equal(badType.status, 400);
    assert.match(badType.text, /type/);
    const noFw = await post(m, '/api/v1/scheduler', { type: 'REVIVE' });
    assert.equal(noFw.status, 400);
    assert.match(noFw.text, /framework_id/);
    const wrongStream = await s.call({ type: 'REVIVE' }, { 'Mesos-Stream-Id': 'not-the-stream' });
    assert.equal(wrongStream.status, 400);
    assert.match(wrongStream.text, /stream ID/);
    const unknownFw = await post(m, '/api/v1/scheduler', { type: 'REVIVE', framework_id: { value: 'nope' } }, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': s.streamId });
    assert.equal(unknownFw.status, 400);
    const missingField = await s.call({ type: 'KILL' });
    assert.equal(missingField.status, 400);
    assert.match(missingField.text, /kill/);
    const reserve = await s.call({ type: 'ACCEPT', accept: { offer_ids: [], operations: [{ type: 'RESERVE', reserve: {} }] } });
    assert.equal(reserve.status, 400);
    assert.match(reserve.text, /not supported/);
    const get = await post(m, '/api/v1/scheduler', '', {}, 'GET');
    assert.equal(get.status, 405);
    const subWithStream = await post(m, '/api/v1/scheduler', { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } }, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': 'x' });
    assert.equal(subWithStream.status, 400);
    const badRole = await post(m, '/api/v1/scheduler', { type: 'SUBSCRIBE', subscribe: { framework_info: { ...FRAMEWORK, role: '-bad' } } });
    assert.equal(badRole.status, 400);
    assert.match(badRole.text, /Role/);
    // After the stream closes the framework is disconnected: calls get 403.
    s.close();
    await eventually(async () => (await post(m, '/api/v1/scheduler', { type: 'REVIVE', framework_id: { value: s.frameworkId } }, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': s.streamId })).status === 403);
  });

  it('a framework re-subscribing with its id keeps its tasks, and reconciliation reports them', async () => {
    const s = await subscribe();
    s.autoAck();
    const [offer] = await s.nextOffers();
    await s.call(launch([offer.id.value], [commandTask('keep-1', offer.agent_id.value, 'sleep 600')]));
    await s.waitForUpdate('keep-1', 'TASK_RUNNING');
    s.close();
    await eventually(async () => {
      const fws = (await getJson(`http://${cluster.masterAddress}/master/frameworks`)).frameworks;
      return fws.find((f: any) => f.id === s.frameworkId && f.connected === false);
    });
    const again = new RawScheduler(cluster.masterAddress);
    open.push(again);
    await again.subscribe({ ...FRAMEWORK, id: { value: s.frameworkId } });
    assert.equal(again.frameworkId, s.frameworkId);
    const r = await again.call({ type: 'RECONCILE', reconcile: { tasks: [] } });
    assert.equal(r.status, 202, r.text);
    const rec = await again.waitForUpdate('keep-1', 'TASK_RUNNING');
    assert.equal(rec.reason, 'REASON_RECONCILIATION');
    assert.equal(rec.uuid, undefined);
    // Explicit reconciliation of a task the master never saw.
    await again.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'ghost' }, agent_id: offer.agent_id }] } });
    const ghost = await again.waitForUpdate('ghost', 'TASK_LOST');
    assert.equal(ghost.reason, 'REASON_RECONCILIATION');
    await teardown(again);
    // TEARDOWN killed the task.
    await eventually(async () => {
      const tasks = (await getJson(`http://${cluster.masterAddress}/master/tasks`)).tasks;
      return tasks.find((t: any) => t.id === 'keep-1' && t.state === 'TASK_KILLED');
    });
  });

  it('a task whose terminal update is not acknowledged yet is reconciled with how it ended, not as lost', async () => {
    const s = await subscribe();
    const [offer] = await s.nextOffers();
    await s.call(launch([offer.id.value], [commandTask('ended-1', offer.agent_id.value, 'true')]));
    for (const state of ['TASK_STARTING', 'TASK_RUNNING'] as const) await s.ack(await s.waitForUpdate('ended-1', state));
    const finished = await s.waitForUpdate('ended-1', 'TASK_FINISHED'); // not acknowledged
    await s.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'ended-1' }, agent_id: offer.agent_id }] } });
    const rec = await eventually(() => s.updates('ended-1').find((u) => u.reason === 'REASON_RECONCILIATION'));
    assert.equal(rec.state, 'TASK_FINISHED');
    await s.ack(finished);
    await teardown(s);
  });

  it('DECLINE with a filter withholds that agent; REVIVE brings offers back', async () => {
    const s = await subscribe();
    const offers = await s.nextOffers();
    await eventually(() => s.events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers.offers).length >= 2);
    const all = s.events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers.offers);
    const before = s.events.length;
    const r = await s.call({ type: 'DECLINE', decline: { offer_ids: all.map((o) => o.id), filters: { refuse_seconds: 3600 } } });
    assert.equal(r.status, 202, r.text);
    await new Promise((res) => setTimeout(res, 1000)); // five allocation intervals
    assert.equal(s.events.slice(before).filter((e) => e.type === 'OFFERS').length, 0, 'filtered agents are not re-offered');
    await s.call({ type: 'REVIVE' });
    const back = await s.nextOffers(before);
    assert.ok(back.length >= 1 && offers.length >= 1);
    await teardown(s);
  });
});
