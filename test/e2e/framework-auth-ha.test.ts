// Standbys and authentication: two Marathon and two Chronos instances sharing a one-node ZooKeeper, all with the
// same credentials. A standby checks credentials itself, then forwards them to the leader, which authenticates
// the request again and applies the user's permissions. No master is needed: the API is what is under test.
// Addresses: Marathon 127.0.95.x, Chronos 127.0.96.x.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { api } from '../helpers/marathon.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const TEAM_A = basic('team-a', 'a-pw');
const TOKEN = { Authorization: 'Bearer team-a-token-0123' };

let zk: ZooKeeperEnsemble;
let dir: { path: string; remove(): void };
const marathons: RoleProcess[] = [];
const chronoses: RoleProcess[] = [];

before(async () => {
  zk = await ZooKeeperEnsemble.start({ size: 1 });
  dir = tempDir();
  const credentials = join(dir.path, 'credentials.json');
  writeFileSync(credentials, JSON.stringify({ credentials: [{ principal: 'team-a', secret: 'a-pw' }], tokens: [{ principal: 'team-a', token: 'team-a-token-0123' }] }), { mode: 0o600 });
  const permissions = join(dir.path, 'permissions.json');
  writeFileSync(permissions, JSON.stringify({ users: { 'team-a': [{ path: '/team-a', actions: ['*'] }] } }));
  // One instance after the other, so the first one leads.
  for (let i = 0; i < 2; i++) {
    const ip = `127.0.95.${i + 2}`;
    marathons.push(await startRole(['marathon', '--master', '127.0.0.1:1', '--zk', zk.url('/marathon'), '--http-address', ip, '--hostname', ip, '--http-port', '0',
      '--http-credentials-file', credentials, '--http-permissions', permissions], 'marathon listening'));
  }
  for (let i = 0; i < 2; i++) {
    const ip = `127.0.96.${i + 2}`;
    chronoses.push(await startRole(['chronos', '--master', '127.0.0.1:1', '--zk', zk.url('/chronos'), '--http-address', ip, '--hostname', ip, '--http-port', '0',
      '--http-credentials-file', credentials], 'chronos listening'));
  }
});

after(async () => {
  for (const p of [...marathons, ...chronoses]) await p.stop();
  await zk?.close();
  dir?.remove();
});

describe('standbys with authentication', () => {
  it('a Marathon standby refuses anonymous calls itself and proxies authenticated ones to the leader', async () => {
    const [leader, standby] = marathons as [RoleProcess, RoleProcess];
    const info = await eventually(async () => {
      const i = (await api(standby.url, 'GET', '/v2/info', undefined, TEAM_A)).body;
      return i?.elected === false && i.leader === new URL(leader.url).host && i;
    });
    assert.equal(info.elected, false);
    const anonymous = await api(standby.url, 'GET', '/v2/apps');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Mesosphere"');

    // The write reaches the leader with the user's credentials: it is created there and judged by team-a's permissions.
    const created = await api(standby.url, 'POST', '/v2/apps', { id: '/team-a/web', cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 0 }, TEAM_A);
    assert.equal(created.status, 201, created.text);
    assert.equal((await api(leader.url, 'GET', '/v2/apps/team-a/web', undefined, TOKEN)).status, 200);
    const forbidden = await api(standby.url, 'POST', '/v2/apps', { id: '/team-b/web', cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 0 }, TOKEN);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.message, /user 'team-a' may not create \/team-b\/web/);
    assert.equal((await api(standby.url, 'GET', '/ping')).status, 200);
  });

  it('a Chronos standby forwards credentials to the leader too', async () => {
    const [leader, standby] = chronoses as [RoleProcess, RoleProcess];
    await eventually(async () => (await api(leader.url, 'GET', '/v1/scheduler/leader', undefined, TEAM_A)).body?.leader === new URL(leader.url).host);
    assert.equal((await api(standby.url, 'GET', '/v1/scheduler/jobs')).status, 401);
    const job = { name: 'via-standby', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/PT1H' };
    assert.equal((await api(standby.url, 'POST', '/v1/scheduler/iso8601', job, TOKEN)).status, 204);
    const jobs = await api(leader.url, 'GET', '/v1/scheduler/jobs', undefined, TEAM_A);
    assert.deepEqual(jobs.body.map((j: { name: string }) => j.name), ['via-standby']);
  });
});
