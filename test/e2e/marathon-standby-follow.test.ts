// A Marathon standby on ZooKeeper follows the leader's writes (Store.watch), so what it answers itself, when no
// leader answers (no ZooKeeper quorum), is current: apps created and deleted through the leader after the standby
// started, and their deployments. Two Marathon instances on a real 3-node ensemble; no Mesos master is needed.
// Addresses 127.0.146.x.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, getJson, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';

let zk: ZooKeeperEnsemble;
let dir: { path: string; remove(): void };
const marathons: RoleProcess[] = [];

const startMarathon = (i: number) => startRole(['marathon', '--master', zk.url('/mesos'), '--zk', zk.url('/marathon'), '--zk-session-timeout', '3secs',
  '--http-address', `127.0.146.${i + 2}`, '--hostname', `127.0.146.${i + 2}`, '--http-port', '0', '--work-dir', join(dir.path, `marathon-${i}`)], 'marathon listening');

/** The instance's own state: a request another instance already proxied is answered locally, never proxied again. */
const ownApps = async (m: RoleProcess) => {
  const res = await fetch(`${m.url}/v2/apps`, { headers: { 'x-trireme-proxied-by': 'test' } });
  return ((await res.json()) as { apps: Array<{ id: string }> }).apps.map((a) => a.id).sort();
};
const leads = async (m: RoleProcess) => (await getJson(`${m.url}/v2/info`)).elected === true;

before(async () => {
  zk = await ZooKeeperEnsemble.start();
  dir = tempDir('trireme-standby-follow-');
  marathons.push(await startMarathon(0));
  await eventually(() => leads(marathons[0]!), 30_000, 100);
  marathons.push(await startMarathon(1));
});

after(async () => {
  await Promise.all(marathons.map((m) => m.stop()));
  await zk?.close();
  dir?.remove();
});

describe('Marathon standby following the leader through ZooKeeper watches', () => {
  it('answers reads without a leader from current state, not from the state it started with', async () => {
    const [leader, standby] = marathons as [RoleProcess, RoleProcess];
    assert.equal(await leads(standby), false);
    assert.deepEqual(await ownApps(standby), []);
    for (const id of ['/followed', '/doomed']) {
      const res = await fetch(`${standby.url}/v2/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 2 }) });
      assert.equal(res.status, 201, await res.text()); // proxied to the leader, which writes to ZooKeeper
    }
    assert.equal((await fetch(`${leader.url}/v2/apps/doomed?force=true`, { method: 'DELETE' })).status, 200);
    await eventually(async () => (await ownApps(standby)).join() === '/followed', 20_000, 100);

    // Without a quorum nobody leads and each instance answers reads itself.
    await zk.stopNode(1);
    await zk.stopNode(2);
    try {
      await eventually(async () => !(await leads(leader)) && !(await leads(standby)), 20_000, 200);
      const apps = await getJson(`${standby.url}/v2/apps`);
      assert.deepEqual(apps.apps.map((a: any) => [a.id, a.instances]), [['/followed', 2]]);
      const deployments = await getJson(`${standby.url}/v2/deployments`);
      assert.ok(deployments.some((d: any) => d.affectedApps.includes('/followed')), `the deployment waiting for offers: ${JSON.stringify(deployments)}`);
    } finally {
      await zk.startNode(1);
      await zk.startNode(2);
    }
    await zk.waitServing();
    // Still following after the ensemble comes back: a change made now reaches the standby too.
    const m = await eventually(async () => { for (const x of marathons) if (await leads(x).catch(() => false)) return x; return undefined; }, 60_000, 200);
    const other = marathons.find((x) => x !== m)!;
    await eventually(async () => (await fetch(`${m.url}/v2/apps/followed?force=true`, { method: 'DELETE' })).status === 200, 20_000, 200);
    await eventually(async () => (await ownApps(other)).length === 0, 20_000, 100);
  });
});
