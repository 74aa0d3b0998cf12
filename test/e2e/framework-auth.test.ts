// Authentication and authorization of Marathon and Chronos with real processes: a master and one agent
// (127.0.94.x), Marathon with --http-credentials, a credentials file (users and a bearer token) and per-user
// permissions on app id prefixes, Chronos with a credentials file, and the operator CLI with credentials from
// the environment and a config file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, killSandboxProcesses, oneLine, runCli, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, openEvents, startMarathonRole } from '../helpers/marathon.ts';
import { startChronosProcess } from '../helpers/chronos.ts';

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const ADMIN = basic('admin', 'admin-pw');
const TEAM_A = basic('team-a', 'a-pw');
const CI_TOKEN = 'ci-token-0123456789';
const CI = { Authorization: `Bearer ${CI_TOKEN}` };
const app = (id: string) => ({ id, cmd: 'sleep 300', cpus: 0.1, mem: 16, instances: 1 });

let cluster: TestCluster;
let marathon: RoleProcess;
let chronos: RoleProcess;
let base: string;

before(async () => {
  cluster = await startCluster({ agents: 1, agentIpBase: 94 });
  const secrets = (name: string, value: unknown) => {
    const path = join(cluster.dir, name);
    writeFileSync(path, JSON.stringify(value));
    chmodSync(path, 0o600);
    return path;
  };
  const credentials = secrets('credentials.json', { credentials: [{ principal: 'team-a', secret: 'a-pw' }], tokens: [{ principal: 'ci', token: CI_TOKEN }] });
  const permissions = secrets('permissions.json', { users: { admin: [{ path: '/', actions: ['*'] }], 'team-a': [{ path: '/team-a/*', actions: ['*'] }], ci: [{ path: '/', actions: ['view'] }] } });
  marathon = await startMarathonRole(cluster.masterAddress, cluster.dir, ['--http-credentials', 'admin:admin-pw', '--http-credentials-file', credentials, '--http-permissions', permissions, '--decline-offer-duration', '1secs']);
  base = marathon.url;
  const jobPermissions = secrets('job-permissions.json', { users: { admin: [{ prefix: '', actions: ['*'] }], 'team-a': [{ prefix: 'team-a-', actions: ['*'] }], ci: [{ prefix: '', actions: ['view'] }] } });
  chronos = await startChronosProcess(cluster.masterAddress, join(cluster.dir, 'chronos'), ['--http-credentials', 'admin:admin-pw', '--http-credentials-file', credentials, '--http-permissions', jobPermissions]);
});

after(async () => {
  await marathon?.stop();
  await chronos?.stop();
  await cluster?.stop();
  if (cluster) killSandboxProcesses(cluster.dir);
});

describe('Marathon authentication', () => {
  it('answers /ping to anyone and refuses anonymous or wrong credentials with a Basic challenge', async () => {
    const ping = await api(base, 'GET', '/ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.text, 'pong');
    for (const path of ['/v2/apps', '/v2/info', '/metrics', '/v2/events', '/v2/deployments']) {
      const anonymous = await api(base, 'GET', path);
      assert.equal(anonymous.status, 401, path);
      assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Mesosphere"', path);
      assert.match(anonymous.body.message, /Authentication required/);
    }
    const wrong = await api(base, 'GET', '/v2/apps', undefined, basic('admin', 'guess'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.message, 'Invalid username or password');
    assert.equal((await api(base, 'GET', '/v2/apps', undefined, basic('nobody', 'admin-pw'))).body.message, 'Invalid username or password');
    assert.equal((await api(base, 'GET', '/v2/apps', undefined, { Authorization: 'Bearer not-a-token' })).status, 401);
    assert.equal((await api(base, 'POST', '/v2/apps', app('/sneaky'))).status, 401);
  });

  it('serves the flag user, file users and bearer tokens', async () => {
    assert.equal((await api(base, 'GET', '/v2/apps', undefined, ADMIN)).status, 200);
    assert.equal((await api(base, 'GET', '/v2/info', undefined, TEAM_A)).status, 200);
    const info = await api(base, 'GET', '/v2/info', undefined, CI);
    assert.equal(info.status, 200);
    assert.equal(info.body.name, 'marathon');
    const metrics = await api(base, 'GET', '/metrics', undefined, ADMIN);
    assert.match(metrics.text, /marathon_http_auth_failures_total\{reason="missing"\} [1-9]/);
  });

  it('lets the web UI\'s pages through and spares its scripts the browser\'s Basic popup', async () => {
    const page = await api(base, 'GET', '/');
    assert.notEqual(page.status, 401);
    assert.equal(page.headers.get('www-authenticate'), null);
    const xhr = await api(base, 'GET', '/v2/apps', undefined, { 'X-Requested-With': 'XMLHttpRequest' });
    assert.equal(xhr.status, 401);
    assert.equal(xhr.headers.get('www-authenticate'), null);
  });
});

describe('Marathon permissions on app id prefixes', () => {
  it('team-a works under /team-a only and sees nothing of /team-b, in lists and on the event stream', async () => {
    const adminEvents = await openEvents(base, '?event_type=status_update_event', ADMIN);
    const teamEvents = await openEvents(base, '', TEAM_A);
    try {
      const forbidden = await api(base, 'POST', '/v2/apps', app('/team-b/web'), TEAM_A);
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.message, "Not authorized: user 'team-a' may not create /team-b/web");
      assert.equal((await api(base, 'POST', '/v2/apps', app('/team-b/web'), ADMIN)).status, 201);
      assert.equal((await api(base, 'POST', '/v2/apps', app('/team-a/web'), TEAM_A)).status, 201);
      assert.equal((await api(base, 'POST', '/v2/apps', app('/team-a/other'), CI)).status, 403, 'a view-only token cannot create');

      const running = await eventually(async () => {
        const tasks = (await api(base, 'GET', '/v2/tasks', undefined, ADMIN)).body.tasks as Array<{ appId: string; state: string }>;
        return tasks.filter((t) => t.state === 'TASK_RUNNING').length === 2 && tasks;
      }, 30_000);
      assert.deepEqual(running.map((t) => t.appId).sort(), ['/team-a/web', '/team-b/web']);

      const apps = (await api(base, 'GET', '/v2/apps', undefined, TEAM_A)).body.apps as Array<{ id: string }>;
      assert.deepEqual(apps.map((a) => a.id), ['/team-a/web']);
      const tasks = (await api(base, 'GET', '/v2/tasks', undefined, TEAM_A)).body.tasks as Array<{ appId: string }>;
      assert.deepEqual(tasks.map((t) => t.appId), ['/team-a/web']);
      const root = (await api(base, 'GET', '/v2/groups', undefined, TEAM_A)).body;
      assert.deepEqual(root.groups.map((g: { id: string }) => g.id), ['/team-a']);
      assert.doesNotMatch(JSON.stringify(root), /team-b/);
      assert.doesNotMatch((await api(base, 'GET', '/v2/apps/*', undefined, TEAM_A)).text, /team-b/);
      assert.doesNotMatch((await api(base, 'GET', '/v2/tasks', undefined, { ...TEAM_A, Accept: 'text/plain' })).text, /team-b/);
      assert.doesNotMatch((await api(base, 'GET', '/v2/deployments', undefined, TEAM_A)).text, /team-b/);
      assert.doesNotMatch((await api(base, 'GET', '/v2/queue', undefined, TEAM_A)).text, /team-b/);
      assert.deepEqual((await api(base, 'GET', '/v2/apps', undefined, CI)).body.apps.map((a: { id: string }) => a.id), ['/team-a/web', '/team-b/web']);

      // Asking for /team-b by name: 403, whether or not the app exists.
      assert.equal((await api(base, 'GET', '/v2/apps/team-b/web', undefined, TEAM_A)).status, 403);
      assert.equal((await api(base, 'GET', '/v2/apps/team-b/nothing', undefined, TEAM_A)).status, 403);
      assert.equal((await api(base, 'GET', '/v2/groups/team-b', undefined, TEAM_A)).status, 403);
      assert.equal((await api(base, 'PUT', '/v2/apps/team-b/web', { instances: 0 }, TEAM_A)).status, 403);
      assert.equal((await api(base, 'DELETE', '/v2/apps/team-b/web', undefined, TEAM_A)).status, 403);
      assert.equal((await api(base, 'DELETE', '/v2/groups/team-b', undefined, TEAM_A)).status, 403);
      assert.equal((await api(base, 'POST', '/v2/groups', { id: '/team-b/more', apps: [app('/team-b/more/x')] }, TEAM_A)).status, 403);
      const teamBTask = running.find((t) => t.appId === '/team-b/web') as unknown as { id: string };
      assert.equal((await api(base, 'POST', '/v2/tasks/delete', { ids: [teamBTask.id] }, TEAM_A)).status, 403);
      assert.equal((await api(base, 'DELETE', '/v2/leader', undefined, TEAM_A)).status, 403);
      assert.equal((await api(base, 'GET', '/v2/apps/team-b/web', undefined, ADMIN)).body.app.tasksRunning, 1, 'the refused calls changed nothing');

      // The admin's stream saw both apps' tasks start; team-a's saw its own and never /team-b.
      await eventually(() => {
        const appIds = new Set(adminEvents.events.map((e) => e.data.appId));
        return appIds.has('/team-a/web') && appIds.has('/team-b/web');
      });
      await eventually(() => teamEvents.events.some((e) => e.type === 'status_update_event' && e.data.appId === '/team-a/web'));
      assert.ok(teamEvents.events.some((e) => e.type === 'deployment_success'), 'team-a sees its own deployments finish');
      assert.doesNotMatch(JSON.stringify(teamEvents.events), /team-b/);
    } finally {
      adminEvents.close();
      teamEvents.close();
    }
  });
});

describe('Chronos authentication', () => {
  it('answers /ping to anyone and needs Basic or bearer credentials on its API', async () => {
    const url = chronos.url;
    assert.equal((await api(url, 'GET', '/ping')).status, 200);
    for (const path of ['/v1/scheduler/jobs', '/scheduler/jobs', '/v1/scheduler/graph/dot', '/metrics']) {
      const anonymous = await api(url, 'GET', path);
      assert.equal(anonymous.status, 401, path);
      assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Mesosphere"');
      assert.equal(anonymous.body.status, 'Unauthorized');
    }
    assert.equal((await api(url, 'GET', '/v1/scheduler/jobs', undefined, basic('team-a', 'nope'))).status, 401);
    assert.equal((await api(url, 'POST', '/v1/scheduler/iso8601', { name: 'x', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/PT1H' })).status, 401);
    const job = (name: string, parents?: string[]) => ({ name, command: 'true', ...(parents ? { parents } : { schedule: 'R/2030-01-01T00:00:00Z/PT1H' }) });
    assert.equal((await api(url, 'POST', '/v1/scheduler/iso8601', job('team-a-nightly'), TEAM_A)).status, 204);
    const jobs = await api(url, 'GET', '/v1/scheduler/jobs', undefined, CI);
    assert.equal(jobs.status, 200);
    assert.deepEqual(jobs.body.map((j: { name: string }) => j.name), ['team-a-nightly']);
  });
});

describe('Chronos permissions on job name prefixes', () => {
  it('team-a works on team-a-* jobs only and sees no other job in lists or graphs', async () => {
    const url = chronos.url;
    const job = (name: string, parents?: string[]) => ({ name, command: 'true', ...(parents ? { parents } : { schedule: 'R/2030-01-01T00:00:00Z/PT1H' }) });
    // The console's event stream (a Chronos extension) carries only the jobs the user may view.
    const stream = await openEvents(url, '', TEAM_A, '/v1/scheduler/events');
    assert.equal((await api(url, 'POST', '/v1/scheduler/iso8601', job('team-b-report'), ADMIN)).status, 204);
    const forbidden = await api(url, 'POST', '/v1/scheduler/iso8601', job('team-b-sneaky'), TEAM_A);
    assert.equal(forbidden.status, 403);
    assert.deepEqual(forbidden.body, { message: "Not authorized: user 'team-a' may not create team-b-sneaky", status: 'Forbidden' });
    assert.equal((await api(url, 'POST', '/v1/scheduler/dependency', job('team-a-after-b', ['team-b-report']), TEAM_A)).status, 403, 'parents must be visible');
    assert.equal((await api(url, 'POST', '/v1/scheduler/dependency', job('team-a-after', ['team-a-nightly']), TEAM_A)).status, 204);

    const names = async (who: Record<string, string>) => (await api(url, 'GET', '/v1/scheduler/jobs', undefined, who)).body.map((j: { name: string }) => j.name).sort();
    assert.deepEqual(await names(TEAM_A), ['team-a-after', 'team-a-nightly']);
    assert.deepEqual(await names(CI), ['team-a-after', 'team-a-nightly', 'team-b-report']);
    for (const path of ['/v1/scheduler/jobs/summary', '/v1/scheduler/jobs/search?any=team', '/v1/scheduler/graph/csv', '/v1/scheduler/graph/dot', '/scheduler/jobs']) {
      const r = await api(url, 'GET', path, undefined, TEAM_A);
      assert.equal(r.status, 200, path);
      assert.doesNotMatch(r.text, /team-b/, path);
    }
    assert.match((await api(url, 'GET', '/v1/scheduler/graph/csv', undefined, TEAM_A)).text, /link,team-a-nightly,team-a-after/);
    for (const [method, path] of [['GET', '/v1/scheduler/job/team-b-report'], ['GET', '/v1/scheduler/job/team-b-missing'], ['PUT', '/v1/scheduler/job/team-b-report'],
      ['DELETE', '/v1/scheduler/job/team-b-report'], ['DELETE', '/v1/scheduler/task/kill/team-b-report'], ['DELETE', '/v1/scheduler/task/all']] as const) {
      assert.equal((await api(url, method, path, undefined, TEAM_A)).status, 403, `${method} ${path}`);
    }
    assert.equal((await api(url, 'DELETE', '/v1/scheduler/job/team-a-after', undefined, CI)).status, 403, 'a view-only token cannot delete');
    assert.equal((await api(url, 'GET', '/v1/scheduler/job/team-b-report', undefined, ADMIN)).status, 200, 'the refused calls changed nothing');
    await eventually(() => stream.events.some((e) => e.data.jobName === 'team-a-after'));
    stream.close();
    assert.deepEqual([...new Set(stream.events.map((e) => e.data.jobName))].filter((n) => !n.startsWith('team-a-')), [], 'no other team\'s job on the stream');
  });
});

describe('security flags at start-up', () => {
  it('a bad credentials or permissions setting stops the role with one line naming the flag', async () => {
    const file = (name: string, text: string) => { const path = join(cluster.dir, name); writeFileSync(path, text); return path; };
    const goodPermissions = file('ok-permissions.json', '{"users":{"a":[{"path":"/a","actions":["*"]}]}}');
    const cases: Array<[string[], RegExp]> = [
      [['marathon', '--master', '127.0.0.1:1', '--http-permissions', goodPermissions], /^trireme: marathon: --http-permissions needs --http-credentials or --http-credentials-file/],
      [['marathon', '--master', '127.0.0.1:1', '--http-credentials', 'admin'], /^trireme: marathon: --http-credentials: expected 'user:password'$/],
      [['marathon', '--master', '127.0.0.1:1', '--http-credentials', 'a:b', '--http-permissions', file('bad-permissions.json', '{"users":{"a":[{"path":"a","actions":["*"]}]}}')],
        /--http-permissions .*bad-permissions\.json: 'users\.a\.0\.path' must be an absolute app id prefix/],
      [['chronos', '--http-credentials-file', file('bad-credentials.json', '{"credentials":[{"principal":"a"}]}')], /^trireme: chronos: --http-credentials-file .*: 'credentials\.0\.secret'/],
      [['chronos', '--http-credentials-file', join(cluster.dir, 'missing.json')], /^trireme: chronos: --http-credentials-file .*missing\.json: cannot read it: ENOENT$/],
    ];
    for (const [args, expected] of cases) {
      const r = await runCli([...args, '--http-port', '0', '--work-dir', join(cluster.dir, 'startup-work')]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(oneLine(r.stderr), expected);
    }
  });
});

describe('operator CLI credentials', () => {
  const endpoints = () => ['--marathon', base, '--chronos', chronos.url, '--master', cluster.masterAddress];
  // No credentials from the person running the tests leak in: no variables, no config file.
  const noCredentials = () => ({ TRIREME_CONFIG: '', TRIREME_USER: '', TRIREME_PASSWORD: '', TRIREME_TOKEN: '', XDG_CONFIG_HOME: join(cluster.dir, 'no-config') });

  it('without credentials: one line saying how to give them, exit code 6', async () => {
    const r = await runCli(['app', 'list', ...endpoints()], 20_000, noCredentials());
    assert.equal(r.code, 6);
    assert.match(oneLine(r.stderr), /^trireme: 127\.0\.0\.1:\d+ needs credentials \(HTTP 401\): set TRIREME_USER and TRIREME_PASSWORD, or TRIREME_TOKEN/);
    const wrong = await runCli(['job', 'list', ...endpoints()], 20_000, { ...noCredentials(), TRIREME_USER: 'team-a', TRIREME_PASSWORD: 'wrong' });
    assert.equal(wrong.code, 6);
    assert.match(oneLine(wrong.stderr), /authentication failed \(HTTP 401\): Invalid username or password/);
  });

  it('with TRIREME_USER/TRIREME_PASSWORD: lists what the user may see; a forbidden change is exit 6', async () => {
    const env = { ...noCredentials(), TRIREME_USER: 'team-a', TRIREME_PASSWORD: 'a-pw' };
    const list = await runCli(['app', 'list', '--json', ...endpoints()], 20_000, env);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).map((a: { id: string }) => a.id), ['/team-a/web']);
    const jobs = await runCli(['job', 'list', '--json', ...endpoints()], 20_000, env);
    assert.equal(jobs.code, 0, jobs.stderr);
    const destroy = await runCli(['app', 'destroy', '/team-b/web', ...endpoints()], 20_000, env);
    assert.equal(destroy.code, 6);
    assert.match(oneLine(destroy.stderr), /forbidden \(HTTP 403\): Not authorized: user 'team-a' may not delete \/team-b\/web/);
  });

  it('reads a bearer token from a config file with a per-service section', async () => {
    const config = join(cluster.dir, 'cli-config.json');
    writeFileSync(config, JSON.stringify({ user: 'team-a', password: 'a-pw', marathon: { token: CI_TOKEN } }));
    chmodSync(config, 0o600);
    const list = await runCli(['app', 'list', '--json', ...endpoints()], 20_000, { ...noCredentials(), TRIREME_CONFIG: config });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).map((a: { id: string }) => a.id), ['/team-a/web', '/team-b/web'], 'the ci token may view everything');
    const jobs = await runCli(['job', 'list', '--json', ...endpoints()], 20_000, { ...noCredentials(), TRIREME_CONFIG: config });
    assert.equal(jobs.code, 0, jobs.stderr);
  });
});
