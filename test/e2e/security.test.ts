// End to end: a master and agents with --credentials, --authenticate-* and --acls as real processes; schedulers,
// operators and agents presenting (or not) HTTP Basic credentials and bearer tokens.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, oneLine, runCli, startCluster, startRole, tempDir, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch, post } from '../helpers/raw-scheduler.ts';
import { SchedulerClient } from '../../src/scheduler-client/client.ts';
import { startMarathonRole } from '../helpers/marathon.ts';
import { startChronosProcess } from '../helpers/chronos.ts';

const basic = (principal: string, secret: string) => `Basic ${Buffer.from(`${principal}:${secret}`).toString('base64')}`;
const AS = {
  ops: { Authorization: basic('ops', 'ops-pw') },
  alice: { Authorization: basic('alice', 'alice-pw') },
  bob: { Authorization: basic('bob', 'bob-pw') },
  wrong: { Authorization: basic('ops', 'not-the-pw') },
  token: { Authorization: 'Bearer ci-token-0123456789' },
  badToken: { Authorization: 'Bearer not-a-known-token' },
};

const CREDENTIALS = {
  credentials: [
    { principal: 'ops', secret: 'ops-pw' }, { principal: 'alice', secret: 'alice-pw' }, { principal: 'bob', secret: 'bob-pw' },
    { principal: 'agent', secret: 'agent-pw' },
  ],
  tokens: [{ principal: 'ops', token: 'ci-token-0123456789' }],
};

// alice and bob each see only frameworks and tasks of their own user; ops sees everything. alice may run tasks
// only as alice; only ops may tear frameworks down; bob may not use role "prod"; only ops reads /metrics/snapshot.
const ACLS = {
  permissive: true,
  register_frameworks: [{ principals: { values: ['bob'] }, roles: { values: ['*'] } }, { principals: { values: ['bob'] }, roles: { type: 'NONE' } }],
  run_tasks: [{ principals: { values: ['alice'] }, users: { values: ['alice'] } }, { principals: { values: ['alice'] }, users: { type: 'NONE' } }],
  teardown_frameworks: [{ principals: { values: ['ops'] }, framework_principals: { type: 'ANY' } }, { principals: { type: 'ANY' }, framework_principals: { type: 'NONE' } }],
  view_frameworks: [
    { principals: { values: ['ops'] }, users: { type: 'ANY' } }, { principals: { values: ['alice'] }, users: { values: ['alice'] } },
    { principals: { values: ['bob'] }, users: { values: ['bob'] } }, { principals: { type: 'ANY' }, users: { type: 'NONE' } },
  ],
  view_tasks: [
    { principals: { values: ['ops'] }, users: { type: 'ANY' } }, { principals: { values: ['alice'] }, users: { values: ['alice'] } },
    { principals: { values: ['bob'] }, users: { values: ['bob'] } }, { principals: { type: 'ANY' }, users: { type: 'NONE' } },
  ],
  access_sandboxes: [{ principals: { values: ['alice'] }, users: { values: ['alice'] } }, { principals: { values: ['ops'] }, users: { type: 'ANY' } }, { principals: { type: 'ANY' }, users: { type: 'NONE' } }],
  get_endpoints: [{ principals: { values: ['ops'] }, paths: { values: ['/metrics/snapshot', '/metrics'] } }, { principals: { type: 'ANY' }, paths: { type: 'NONE' } }],
};

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('authentication and authorization on the master and agents', () => {
  let cluster: TestCluster;
  let files: { credentials: string; acls: string; agentCredential: string; dir: { path: string; remove(): void } };
  const schedulers: RawScheduler[] = [];

  before(async () => {
    const dir = tempDir('trireme-security-');
    files = { credentials: join(dir.path, 'credentials.json'), acls: join(dir.path, 'acls.json'), agentCredential: join(dir.path, 'agent-credential'), dir };
    writeFileSync(files.credentials, JSON.stringify(CREDENTIALS));
    writeFileSync(files.acls, JSON.stringify(ACLS));
    writeFileSync(files.agentCredential, 'agent agent-pw\n');
    cluster = await startCluster({
      agents: 1, agentIpBase: 90,
      masterArgs: ['--credentials', files.credentials, '--acls', files.acls, '--authenticate-frameworks', '--authenticate-agents',
        '--authenticate-http-readonly', '--authenticate-http-readwrite'],
      // alice and bob are principals (and run_tasks users), not accounts on this machine: tasks run as the agent's user.
      agentArgs: ['--credential', files.agentCredential, '--http-credentials', files.credentials, '--acls', files.acls, '--authenticate-http-readonly', '--no-switch-user'],
    });
  });

  after(async () => {
    for (const s of schedulers) s.close();
    await cluster?.stop();
    files?.dir.remove();
  });

  async function subscribe(principal: 'alice' | 'bob', info: object = {}): Promise<RawScheduler> {
    const s = new RawScheduler(cluster.masterAddress, AS[principal]);
    schedulers.push(s);
    await s.subscribe({ user: principal, name: `${principal}-fw`, principal, failover_timeout: 0, ...info });
    return s;
  }

  /**
   * Launches `tasks` (id → extra TaskInfo fields) on the first offer and declines the rest, filtering the agent
   * for an hour, so one framework never sits on offers another test's framework waits for.
   */
  async function launchOnce(s: RawScheduler, tasks: Record<string, object>): Promise<void> {
    const [offer, ...rest] = await s.nextOffers();
    const hour = { refuse_seconds: 3600 };
    const infos = Object.entries(tasks).map(([id, extra]) => commandTask(id, offer.agent_id.value, 'sleep 30', 'cpus:0.1;mem:16', extra));
    const r = await s.call(launch([offer.id.value], infos, hour));
    assert.equal(r.status, 202, r.text);
    if (rest.length) await s.call({ type: 'DECLINE', decline: { offer_ids: rest.map((o: any) => o.id), filters: hour } });
  }

  it('read-only endpoints: 401 with the Basic challenge for anonymous or wrong credentials, 200 for right Basic or a bearer token', async () => {
    const url = `${cluster.master.url}/master/state`;
    const anonymous = await get(url);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /Basic realm="mesos"/);
    assert.match(anonymous.text, /Authentication required/);
    assert.equal((await get(url, AS.wrong)).status, 401);
    assert.equal((await get(url, AS.badToken)).status, 401);
    assert.equal((await get(url, AS.ops)).status, 200);
    assert.equal((await get(url, AS.token)).status, 200);
    assert.equal((await get(`${cluster.master.url}/master/tasks`)).status, 401);
    // Health checks and the leader redirect stay open, as in Mesos.
    assert.equal((await get(`${cluster.master.url}/health`)).status, 200);
  });

  it('read-write endpoints (operator API): 401 anonymous or wrong, 200 with credentials', async () => {
    const call = { type: 'GET_HEALTH' };
    assert.equal((await post(cluster.masterAddress, '/api/v1', call)).status, 401);
    assert.equal((await post(cluster.masterAddress, '/api/v1', call, { 'Content-Type': 'application/json', ...AS.wrong })).status, 401);
    const ok = await post(cluster.masterAddress, '/api/v1', call, { 'Content-Type': 'application/json', ...AS.token });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(JSON.parse(ok.text).get_health.healthy, true);
  });

  it('the agent registered with its --credential; one without a credential is refused at start-up', async () => {
    const state = JSON.parse((await get(`${cluster.master.url}/master/slaves`, AS.ops)).text);
    assert.equal(state.slaves.length, 1);
    const r = await runCli(['agent', '--master', cluster.masterAddress, '--ip', '127.0.90.9', '--hostname', '127.0.90.9', '--port', '0',
      '--work-dir', join(files.dir.path, 'anonymous-agent'), '--resources', 'cpus:1;mem:128;disk:100;ports:[31000-31010]'], 30_000);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /^trireme: agent: master at 127\.0\.0\.1:\d+ refused registration \(401: Authentication required.*\); the master requires --credential$/);
    const after = JSON.parse((await get(`${cluster.master.url}/master/slaves`, AS.ops)).text);
    assert.equal(after.slaves.length, 1);
  });

  it('schedulers: anonymous 401, a FrameworkInfo.principal other than the authenticated one 400, the right one subscribes and launches', async () => {
    const anonymous = new RawScheduler(cluster.masterAddress);
    await assert.rejects(anonymous.subscribe({ user: 'alice', name: 'x', principal: 'alice' }), /SUBSCRIBE → 401/);
    const impostor = new RawScheduler(cluster.masterAddress, AS.bob);
    await assert.rejects(impostor.subscribe({ user: 'alice', name: 'x', principal: 'alice' }),
      /SUBSCRIBE → 400: Authenticated principal 'bob' does not match principal 'alice' set in `FrameworkInfo`/);

    const alice = await subscribe('alice');
    assert.equal(alice.events[0]!.type, 'SUBSCRIBED');
    alice.autoAck();
    // Two of these are refused by run_tasks (next test); alice-task runs.
    await launchOnce(alice, { 'alice-task': {}, 'as-root': { command: { value: 'true', user: 'root' } }, 'as-bob': { command: { value: 'true', user: 'bob' } } });
    await alice.waitForUpdate('alice-task', 'TASK_RUNNING');
    // Calls on alice's stream with bob's credentials are refused.
    const hijack = await alice.call({ type: 'REVIVE' }, AS.bob);
    assert.equal(hijack.status, 400);
    assert.match(hijack.text, /Authenticated principal 'bob' does not match principal 'alice' used to subscribe/);
  });

  it('run_tasks: a task as a user the principal may not use ends TASK_ERROR with REASON_TASK_UNAUTHORIZED', async () => {
    const alice = schedulers.find((s) => s.frameworkId && s.requestHeaders === AS.alice)!;
    const root = await alice.waitForUpdate('as-root', 'TASK_ERROR');
    assert.equal(root.reason, 'REASON_TASK_UNAUTHORIZED');
    assert.match(root.message, /Not authorized to launch as user 'root'/);
    const bob = await alice.waitForUpdate('as-bob', 'TASK_ERROR');
    assert.equal(bob.reason, 'REASON_TASK_UNAUTHORIZED');
    assert.match(bob.message, /Not authorized to launch as user 'bob' \(principal 'alice', run_tasks ACL\)/);
  });

  it('register_frameworks: a role the principal may not use gets an ERROR event', async () => {
    const s = new RawScheduler(cluster.masterAddress, AS.bob);
    schedulers.push(s);
    const first = await s.subscribe({ user: 'bob', name: 'bob-prod', principal: 'bob', roles: ['prod'], capabilities: [{ type: 'MULTI_ROLE' }] });
    assert.equal(first.type, 'ERROR');
    assert.match(first.error.message, /Not authorized to use role 'prod'/);
  });

  it("view ACLs: each principal's /master/state, /master/tasks, /master/frameworks and GET_TASKS show only what it may see", async () => {
    const bob = await subscribe('bob');
    bob.autoAck();
    await launchOnce(bob, { 'bob-task': {} });
    await bob.waitForUpdate('bob-task', 'TASK_RUNNING');
    const json = async (path: string, who: Record<string, string>) => JSON.parse((await get(`${cluster.master.url}${path}`, who)).text);

    const asAlice = await json('/master/state', AS.alice);
    assert.deepEqual(asAlice.frameworks.map((f: any) => f.name), ['alice-fw']);
    assert.ok(asAlice.frameworks[0].tasks.some((t: any) => t.id === 'alice-task'));
    assert.deepEqual((await json('/master/state', AS.bob)).frameworks.map((f: any) => f.name), ['bob-fw']);
    assert.deepEqual((await json('/master/state', AS.ops)).frameworks.map((f: any) => f.name).sort(), ['alice-fw', 'bob-fw']);

    const aliceTasks = (await json('/master/tasks', AS.alice)).tasks.map((t: any) => t.id);
    assert.ok(aliceTasks.includes('alice-task') && !aliceTasks.includes('bob-task'), aliceTasks.join());
    const opsTasks = (await json('/master/tasks', AS.ops)).tasks.map((t: any) => t.id);
    assert.ok(opsTasks.includes('alice-task') && opsTasks.includes('bob-task'), opsTasks.join());
    assert.deepEqual((await json('/master/frameworks', AS.bob)).frameworks.map((f: any) => f.name), ['bob-fw']);

    const getTasks = await post(cluster.masterAddress, '/api/v1', { type: 'GET_TASKS' }, { 'Content-Type': 'application/json', ...AS.bob });
    const v1 = JSON.parse(getTasks.text).get_tasks.tasks.map((t: any) => t.task_id.value);
    assert.deepEqual(v1, ['bob-task']);

    // The operator event stream starts from the same filtered state.
    const controller = new AbortController();
    const res = await fetch(`${cluster.master.url}/api/v1`, {
      method: 'POST', body: JSON.stringify({ type: 'SUBSCRIBE' }), signal: controller.signal,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...AS.alice },
    });
    assert.equal(res.status, 200);
    let text = '';
    const reader = res.body!.getReader();
    let subscribed: any;
    while (!subscribed) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
      const nl = text.indexOf('\n');
      const len = nl > 0 ? Number(text.slice(0, nl)) : -1;
      if (len > 0 && Buffer.byteLength(text.slice(nl + 1)) >= len) subscribed = JSON.parse(text.slice(nl + 1, nl + 1 + len));
    }
    controller.abort();
    const names = subscribed.subscribed.get_state.get_frameworks.frameworks.map((f: any) => f.framework_info.name);
    assert.deepEqual(names, ['alice-fw']);
  });

  it('teardown_frameworks: only ops may tear down; others get 403 with a message', async () => {
    const bob = schedulers.find((s) => s.frameworkId && s.requestHeaders === AS.bob && !s.closed)!;
    const call = { type: 'TEARDOWN', teardown: { framework_id: { value: bob.frameworkId } } };
    const denied = await post(cluster.masterAddress, '/api/v1', call, { 'Content-Type': 'application/json', ...AS.alice });
    assert.equal(denied.status, 403);
    assert.match(denied.text, /Principal 'alice' is not authorized to teardown framework/);
    const legacy = await post(cluster.masterAddress, '/master/teardown', `frameworkId=${bob.frameworkId}`, { 'Content-Type': 'application/x-www-form-urlencoded', ...AS.bob });
    assert.equal(legacy.status, 403);
    const ok = await post(cluster.masterAddress, '/api/v1', call, { 'Content-Type': 'application/json', ...AS.ops });
    assert.equal(ok.status, 200, ok.text);
    await eventually(async () => {
      const fws = JSON.parse((await get(`${cluster.master.url}/master/frameworks`, AS.ops)).text);
      return fws.completed_frameworks.some((f: any) => f.id === bob.frameworkId) && !fws.frameworks.some((f: any) => f.id === bob.frameworkId);
    });
  });

  it('get_endpoints: /metrics/snapshot only for ops; auth failures are counted', async () => {
    assert.equal((await get(`${cluster.master.url}/metrics/snapshot`, AS.alice)).status, 403);
    assert.equal((await get(`${cluster.master.url}/metrics/snapshot`, AS.ops)).status, 200);
    const prom = await get(`${cluster.master.url}/metrics`, AS.alice);
    assert.equal(prom.status, 403, 'the Prometheus twin is governed the same way');
    const metrics = (await get(`${cluster.master.url}/metrics`, AS.token)).text;
    const count = (reason: string) => Number(new RegExp(`trireme_master_http_auth_failures_total\\{realm="readonly",reason="${reason}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    assert.ok(count('missing') >= 2, metrics);
    assert.ok(count('wrong-secret') >= 1, metrics);
    assert.ok(count('forbidden') >= 2, metrics);
  });

  it("agent endpoints: /state needs credentials; access_sandboxes guards another user's sandbox on the files API", async () => {
    const agentUrl = cluster.agents[0]!.url;
    assert.equal((await get(`${agentUrl}/state`)).status, 401);
    assert.equal((await get(`${agentUrl}/health`)).status, 200);
    const state = JSON.parse((await get(`${agentUrl}/state`, AS.ops)).text);
    const fw = state.frameworks.find((f: any) => f.name === 'alice-fw');
    assert.ok(fw, 'alice framework on the agent');
    // The agent's /state hides other users' frameworks and tasks too (view_* ACLs in the agent's --acls).
    const bobSees = JSON.parse((await get(`${agentUrl}/state`, AS.bob)).text).frameworks.map((f: any) => f.id);
    assert.ok(!bobSees.includes(fw.id), bobSees.join());
    assert.ok(JSON.parse((await get(`${agentUrl}/state`, AS.alice)).text).frameworks.some((f: any) => f.id === fw.id));
    const path = `/frameworks/${fw.id}/executors/alice-task/runs/latest`;
    const browse = (who: Record<string, string>) => get(`${agentUrl}/files/browse?path=${encodeURIComponent(path)}`, who);
    const asBob = await browse(AS.bob);
    assert.equal(asBob.status, 403);
    assert.match(asBob.text, /Principal 'bob' is not authorized to access the sandbox of executor 'alice-task'/);
    assert.equal((await browse(AS.alice)).status, 200);
    assert.equal((await browse(AS.ops)).status, 200);
  });

  it('the shared scheduler client presents its principal and secret (and is refused without the secret)', async () => {
    const good = new SchedulerClient({ master: cluster.masterAddress, frameworkInfo: { user: 'alice', name: 'client-fw', failover_timeout: 0 }, credential: { principal: 'alice', secret: 'alice-pw' }, reconnectBackoffMs: { min: 100, max: 200 } });
    const bad = new SchedulerClient({ master: cluster.masterAddress, frameworkInfo: { user: 'alice', name: 'client-nopw', failover_timeout: 0 }, credential: { principal: 'alice' }, reconnectBackoffMs: { min: 100, max: 200 } });
    try {
      const subscribed = new Promise((r) => good.once('subscribed', r));
      good.start();
      bad.start();
      await subscribed;
      const names = JSON.parse((await get(`${cluster.master.url}/master/frameworks`, AS.ops)).text).frameworks.map((f: any) => `${f.name}:${f.principal}`);
      assert.ok(names.includes('client-fw:alice'), names.join());
      assert.ok(!names.some((n: string) => n.startsWith('client-nopw')), names.join());
    } finally {
      await good.stop();
      await bad.stop();
    }
  });

  it('Marathon (--mesos-authentication-secret-file) and Chronos (secret in the environment) register with their principal', async () => {
    const secretFile = join(files.dir.path, 'ops-secret');
    writeFileSync(secretFile, 'ops-pw\n');
    const marathon = await startMarathonRole(cluster.masterAddress, files.dir.path, ['--mesos-authentication-principal', 'ops', '--mesos-authentication-secret-file', secretFile]);
    process.env.TRIREME_CHRONOS_MESOS_AUTHENTICATION_SECRET = 'ops-pw';
    const chronos = await startChronosProcess(cluster.masterAddress, files.dir.path, ['--mesos-authentication-principal', 'ops']).finally(() => { delete process.env.TRIREME_CHRONOS_MESOS_AUTHENTICATION_SECRET; });
    try {
      assert.ok(!marathon.proc.spawnargs.join(' ').includes('ops-pw'), 'no secret in the process list');
      await eventually(async () => {
        const fws = JSON.parse((await get(`${cluster.master.url}/master/frameworks`, AS.ops)).text).frameworks;
        const by = (name: string) => fws.find((f: any) => f.name === name && f.active);
        return by('marathon')?.principal === 'ops' && by('chronos')?.principal === 'ops';
      }, 20_000);
    } finally {
      await marathon.stop();
      await chronos.stop();
    }
  });
});

describe('security start-up checks', () => {
  it('a master with a bad --acls or --credentials file stops with one line naming the flag', async () => {
    const dir = tempDir();
    try {
      const acls = join(dir.path, 'acls.json');
      writeFileSync(acls, JSON.stringify({ run_tasks: [{ principals: { values: ['a'] }, roles: { values: ['r'] } }] }));
      const r = await runCli(['master', '--ip', '127.0.91.1', '--port', '0', '--work-dir', join(dir.path, 'm'), '--acls', acls]);
      assert.equal(r.code, 1);
      assert.match(oneLine(r.stderr), /^trireme: master: --acls .*acls\.json: 'run_tasks\.0'.*roles/);
      const r2 = await runCli(['master', '--ip', '127.0.91.1', '--port', '0', '--work-dir', join(dir.path, 'm'), '--authenticate-http-readonly']);
      assert.equal(r2.code, 1);
      assert.equal(oneLine(r2.stderr), 'trireme: master: --authenticate-http-readonly needs --credentials FILE (the principals and secrets to check against)');
    } finally { dir.remove(); }
  });

  it('without security flags nothing changes: anonymous requests are served', async () => {
    const dir = tempDir();
    const master = await startRole(['master', '--ip', '127.0.91.1', '--port', '0', '--work-dir', join(dir.path, 'm')], 'master listening');
    try {
      assert.equal((await get(`${master.url}/master/state`)).status, 200);
      // Credentials sent to a master that has none configured are ignored rather than refused.
      assert.equal((await get(`${master.url}/master/state`, AS.ops)).status, 200);
    } finally {
      await master.stop();
      dir.remove();
    }
  });
});
