// Marathon on a ZooKeeper store (as in the HA topology), where one znode holds at most 1 MB: an app, or a change
// whose deployment record, is too big for it is refused with 422 before anything changes; hundreds of large apps
// (more than one ZooKeeper transaction holds) are stored, and after a restart exactly what was accepted is there.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';

describe('Marathon on ZooKeeper: records over the znode limit', () => {
  let zk: ZooKeeperEnsemble;
  let cluster: TestCluster;
  let marathon: RoleProcess;
  const start = () => startMarathonRole(cluster.masterAddress, join(cluster.dir, 'marathon'), ['--zk', zk.url('/marathon')]);
  before(async () => {
    zk = await ZooKeeperEnsemble.start({ size: 1 });
    cluster = await startCluster({ agents: 1, agentIpBase: 164 });
    marathon = await start();
  });
  after(async () => {
    await marathon?.stop();
    await cluster?.stop();
    await zk?.close();
  });

  it('an app over 1 MB is refused with 422 naming the limit, and nothing of it is kept', async () => {
    const r = await api(marathon.url, 'POST', '/v2/apps', { id: '/huge', cmd: `echo ${'x'.repeat(1_100_000)}`, cpus: 0.1, mem: 16, instances: 0 });
    assert.equal(r.status, 422, r.text.slice(0, 300));
    assert.match(JSON.stringify(r.body.details), /the app definition is \d+ bytes; the state store holds at most 1000000 bytes per record/);
    assert.equal((await api(marathon.url, 'GET', '/v2/apps/huge')).status, 404);
  });

  it('a 1.2 MB change is refused whole (its deployment record would not fit); in two halves it is stored and survives a restart', async () => {
    const apps = (from: number) => Array.from({ length: 100 }, (_, i) => ({ id: `app-${from + i}`, cmd: `echo ${'y'.repeat(6000)}`, cpus: 0.01, mem: 16, instances: 0 }));
    const whole = await api(marathon.url, 'PUT', '/v2/groups/big', { id: '/big', apps: [...apps(0), ...apps(100)] });
    assert.equal(whole.status, 422, whole.text.slice(0, 300));
    assert.match(JSON.stringify(whole.body.details), /deployment record .* bytes; the state store holds at most 1000000 bytes per record: change fewer apps at a time/);
    assert.equal((await api(marathon.url, 'GET', '/v2/apps?id=/big')).body.apps.length, 0, 'nothing of it was applied');
    for (const [half, from] of [['a', 0], ['b', 100]] as const) {
      const r = await api(marathon.url, 'PUT', `/v2/groups/big/${half}`, { id: `/big/${half}`, apps: apps(from) });
      assert.ok([200, 201].includes(r.status), r.text.slice(0, 300));
    }
    assert.equal((await api(marathon.url, 'GET', '/v2/apps?id=/big')).body.apps.length, 200);
    await marathon.stop();
    marathon = await start();
    const reloaded = await api(marathon.url, 'GET', '/v2/apps?id=/big');
    assert.equal(reloaded.body.apps.length, 200, 'every app came back from ZooKeeper');
    assert.equal((await api(marathon.url, 'GET', '/v2/apps/huge')).status, 404, 'the refused app never reached the store');
  });
});
