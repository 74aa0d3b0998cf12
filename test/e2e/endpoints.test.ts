// End to end: the read endpoints, the operator API, metrics and the agent's files API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startCluster, getJson, eventually, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch, post } from '../helpers/raw-scheduler.ts';

describe('master and agent endpoints', () => {
  let cluster: TestCluster;
  let s: RawScheduler;
  let agentUrl: string;
  let sandbox: string;
  let m: string;

  before(async () => {
    cluster = await startCluster({ agents: 2, agentIpBase: 5, agentArgs: (i) => ['--attributes', `rack:r${i + 1};zone:a`] });
    m = `http://${cluster.masterAddress}`;
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'endpoints', roles: ['web'], capabilities: [{ type: 'MULTI_ROLE' }] });
    s.autoAck();
    const [offer] = await s.nextOffers();
    await s.call(launch([offer.id.value], [commandTask('svc-1', offer.agent_id.value, 'echo line1; echo line2; sleep 600', 'cpus:0.5;mem:64', { labels: { labels: [{ key: 'team', value: 'a' }] } })]));
    await s.waitForUpdate('svc-1', 'TASK_RUNNING');
    agentUrl = `http://${offer.hostname}:${offer.url.address.port}`;
    const st = await getJson(`${agentUrl}/state`);
    sandbox = st.frameworks[0].executors[0].directory;
  });
  after(async () => {
    await s?.call({ type: 'TEARDOWN' }).catch(() => undefined);
    s?.close();
    await cluster?.stop();
  });

  it('/master/state has Mesos field names for slaves, frameworks and tasks', async () => {
    const st = await getJson(`${m}/master/state`);
    for (const k of ['version', 'start_time', 'elected_time', 'id', 'pid', 'hostname', 'leader', 'leader_info', 'flags', 'activated_slaves', 'deactivated_slaves', 'slaves', 'frameworks', 'completed_frameworks', 'unregistered_frameworks']) assert.ok(k in st, k);
    assert.equal(st.leader, st.pid);
    assert.equal(st.leader_info.id, st.id);
    assert.equal(st.deactivated_slaves, 0);
    for (const x of st.slaves) for (const k of ['resources', 'used_resources', 'offered_resources', 'unreserved_resources', 'active']) assert.ok(k in x, `slave.${k}`);
    assert.equal(st.slaves.reduce((n: number, x: any) => n + x.used_resources.cpus, 0), 0.5, 'the running task is used on its agent');
    assert.equal(st.activated_slaves, 2);
    const slave = st.slaves.find((x: any) => x.hostname === '127.0.5.2');
    assert.deepEqual(slave.attributes, { rack: 'r1', zone: 'a' });
    assert.equal(slave.resources.cpus, 2);
    assert.equal(slave.resources.ports, '[31000-32000]');
    assert.match(slave.pid, /^slave\(1\)@127\.0\.5\.2:\d+$/);
    const fw = st.frameworks.find((f: any) => f.name === 'endpoints');
    assert.deepEqual(fw.roles, ['web']);
    assert.equal(fw.active, true);
    const task = fw.tasks.find((t: any) => t.id === 'svc-1');
    assert.equal(task.state, 'TASK_RUNNING');
    assert.equal(task.role, 'web');
    assert.equal(task.resources.cpus, 0.5);
    assert.deepEqual(task.labels, [{ key: 'team', value: 'a' }]);
    assert.deepEqual(task.statuses.map((x: any) => x.state), ['TASK_STARTING', 'TASK_RUNNING']);
    assert.equal(fw.used_resources.cpus, 0.5);
    assert.deepEqual(await getJson(`${m}/state`).then((x) => x.id), st.id, '/state is an alias of /master/state');
    const jsonp = await fetch(`${m}/master/state?jsonp=cb`);
    assert.match(jsonp.headers.get('content-type') ?? '', /javascript/);
    const text = await jsonp.text();
    assert.ok(text.startsWith('cb(') && text.endsWith(');'));
    assert.equal(JSON.parse(text.slice(3, -2)).id, st.id);
  });

  it('state-summary, frameworks, slaves, tasks and roles', async () => {
    const summary = await getJson(`${m}/master/state-summary`);
    assert.equal(summary.slaves.length, 2);
    assert.equal(summary.frameworks.find((f: any) => f.name === 'endpoints').TASK_RUNNING, 1);
    const fws = await getJson(`${m}/master/frameworks?framework_id=${s.frameworkId}`);
    assert.equal(fws.frameworks.length, 1);
    const slaves = await getJson(`${m}/master/slaves`);
    assert.equal(slaves.slaves.length, 2);
    const tasks = await getJson(`${m}/master/tasks?limit=1`);
    assert.equal(tasks.tasks.length, 1);
    const bad = await fetch(`${m}/master/tasks?limit=-1`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /limit/);
    const roles = await getJson(`${m}/master/roles`);
    assert.ok(roles.roles.some((r: any) => r.name === 'web' && r.frameworks.includes(s.frameworkId)));
  });

  it('/health, /version, /master/redirect, /metrics/snapshot and Prometheus /metrics', async () => {
    assert.equal((await fetch(`${m}/health`)).status, 200);
    assert.equal((await getJson(`${m}/version`)).version, '1.11.0');
    const redirect = await fetch(`${m}/master/redirect`, { redirect: 'manual' });
    assert.equal(redirect.status, 307);
    assert.equal(redirect.headers.get('location'), `//127.0.0.1:${cluster.master.port}`);
    const snap = await getJson(`${m}/metrics/snapshot`);
    assert.equal(snap['master/elected'], 1);
    assert.equal(snap['master/slaves_active'], 2);
    assert.equal(snap['master/frameworks_active'], 1);
    assert.equal(snap['master/tasks_running'], 1);
    assert.equal(snap['master/cpus_total'], 4);
    assert.equal(snap['master/cpus_used'], 0.5);
    assert.equal(snap['master/mem_total'], 2048);
    for (const k of ['master/tasks_finished', 'master/tasks_failed', 'master/tasks_killed', 'master/tasks_lost', 'master/mem_used', 'master/frameworks_inactive', 'master/slaves_inactive']) assert.equal(typeof snap[k], 'number', k);
    assert.ok(snap['master/uptime_secs'] > 0);
    const prom = await (await fetch(`${m}/metrics`)).text();
    assert.match(prom, /mesos_master_state\{name="master\/tasks_running"\} 1/);
    assert.match(prom, /mesos_master_slave_registrations_total 2/);
  });

  it('v1 operator API: GET_* calls and a SUBSCRIBE stream that sees new tasks', async () => {
    const call = async (type: string) => {
      const r = await post(cluster.masterAddress, '/api/v1', { type }, { 'Content-Type': 'application/json', Accept: 'application/json' });
      assert.equal(r.status, 200, r.text);
      return JSON.parse(r.text);
    };
    assert.deepEqual(await call('GET_HEALTH'), { type: 'GET_HEALTH', get_health: { healthy: true } });
    assert.equal((await call('GET_VERSION')).get_version.version_info.version, '1.11.0');
    assert.equal((await call('GET_AGENTS')).get_agents.agents.length, 2);
    assert.equal((await call('GET_FRAMEWORKS')).get_frameworks.frameworks[0].framework_info.name, 'endpoints');
    assert.equal((await call('GET_TASKS')).get_tasks.tasks[0].task_id.value, 'svc-1');
    assert.equal((await call('GET_MASTER')).get_master.master_info.port, cluster.master.port);
    const state = await call('GET_STATE');
    assert.ok(state.get_state.get_tasks && state.get_state.get_agents && state.get_state.get_frameworks);
    const notAcceptable = await post(cluster.masterAddress, '/api/v1', { type: 'GET_HEALTH' }, { 'Content-Type': 'application/json', Accept: 'text/html' });
    assert.equal(notAcceptable.status, 406);

    // SUBSCRIBE: a RecordIO stream that starts with SUBSCRIBED and then reports TASK_ADDED.
    const events: any[] = [];
    const req = http.request({ host: '127.0.0.1', port: cluster.master.port, path: '/api/v1', method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' } });
    req.on('response', (res) => {
      let buf = '';
      res.on('data', (c) => {
        buf += c;
        for (;;) {
          const nl = buf.indexOf('\n');
          if (nl < 0) break;
          const len = Number(buf.slice(0, nl));
          if (Buffer.byteLength(buf.slice(nl + 1)) < len) break;
          events.push(JSON.parse(buf.slice(nl + 1, nl + 1 + len)));
          buf = buf.slice(nl + 1 + len);
        }
      });
    });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ type: 'SUBSCRIBE' }));
    try {
      await eventually(() => events[0]?.type === 'SUBSCRIBED');
      const from = s.events.length;
      const [offer] = await s.nextOffers(from).catch(async () => { await s.call({ type: 'REVIVE' }); return s.nextOffers(from); });
      await s.call(launch([offer.id.value], [commandTask('svc-2', offer.agent_id.value, 'true')]));
      await eventually(() => events.some((e) => e.type === 'TASK_ADDED' && e.task_added.task.task_id.value === 'svc-2'));
      await eventually(() => events.some((e) => e.type === 'TASK_UPDATED' && e.task_updated.status.task_id.value === 'svc-2' && e.task_updated.state === 'TASK_FINISHED'));
    } finally {
      req.destroy();
    }
  });

  it('agent /state, /health, /monitor/statistics and the files API on the sandbox', async () => {
    const st = await getJson(`${agentUrl}/state`);
    assert.equal(st.hostname, new URL(agentUrl).hostname);
    assert.deepEqual(st.attributes.rack.startsWith('r'), true);
    assert.equal((await fetch(`${agentUrl}/health`)).status, 200);
    const browse = await getJson(`${agentUrl}/files/browse?path=${encodeURIComponent(sandbox)}`);
    assert.deepEqual(browse.map((f: any) => f.path.split('/').pop()).sort(), ['stderr', 'stdout']);
    const read = await getJson(`${agentUrl}/files/read?path=${encodeURIComponent(sandbox + '/stdout')}&offset=6&length=5`);
    assert.deepEqual(read, { data: 'line2', offset: 6 });
    const probe = await getJson(`${agentUrl}/files/read?path=${encodeURIComponent(sandbox + '/stdout')}&offset=-1`);
    assert.deepEqual(probe, { data: '', offset: 12 });
    const dl = await fetch(`${agentUrl}/files/download?path=${encodeURIComponent(sandbox + '/stdout')}`);
    assert.match(dl.headers.get('content-disposition') ?? '', /attachment; filename=.*stdout/);
    assert.equal(await dl.text(), 'line1\nline2\n');
    const escape = await fetch(`${agentUrl}/files/read?path=${encodeURIComponent(sandbox + '/../../../../../../../../etc/passwd')}&offset=0`);
    assert.ok(escape.status === 403 || escape.status === 404, `escape answered ${escape.status}`);
    const stats = await getJson(`${agentUrl}/monitor/statistics`);
    const entry = stats.find((x: any) => x.executor_id === 'svc-1');
    assert.ok(entry, 'running task has statistics');
    assert.ok(entry.statistics.mem_rss_bytes > 0);
  });
});
