// Marathon placement constraints against a real master and 3 agents with different attributes:
//   127.0.60.2 rack:r1 zone:a · 127.0.60.3 rack:r2 zone:a · 127.0.60.4 rack:r2 zone:b
// Every operator places tasks as Marathon would; an instance no offer may take waits in the queue with
// Marathon's UnfulfilledConstraint reason.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';

const ATTRIBUTES = ['rack:r1;zone:a', 'rack:r2;zone:a', 'rack:r2;zone:b'];
const H = ['127.0.60.2', '127.0.60.3', '127.0.60.4'];

describe('marathon constraints on a real cluster', () => {
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let base: string;

  /** Deploys an app and waits for `running` RUNNING tasks; returns their hosts, sorted. */
  const deploy = async (id: string, instances: number, constraints: unknown[], running = instances): Promise<string[]> => {
    const created = await api(base, 'POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.01, mem: 8, instances, constraints });
    assert.equal(created.status, 201, created.text);
    const app = await eventually(async () => {
      const a = (await api(base, 'GET', `/v2/apps/${id}`)).body.app;
      return a.tasksRunning === running && a.tasks.length === running ? a : undefined;
    }, 30_000);
    return app.tasks.map((t: any) => t.host).sort();
  };
  const destroy = async (id: string) => {
    assert.equal((await api(base, 'DELETE', `/v2/apps/${id}?force=true`)).status, 200);
  };
  /** The queue entry of an app once an offer was declined for a constraint. */
  const waiting = (id: string) => eventually(async () => {
    const q = (await api(base, 'GET', '/v2/queue?embed=lastUnusedOffers')).body.queue.find((e: any) => e.app.id === id);
    return q?.processedOffersSummary.rejectSummaryLastOffers.some((r: any) => r.reason === 'UnfulfilledConstraint') ? q : undefined;
  }, 30_000);

  before(async () => {
    cluster = await startCluster({ agents: 3, agentIpBase: 60, agentArgs: (i) => ['--attributes', ATTRIBUTES[i]!] });
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    base = marathon.url;
  });
  after(async () => {
    await marathon?.stop();
    await cluster?.stop();
  });

  it('UNIQUE hostname: 4 instances on 3 agents → 3 run on distinct agents, the 4th waits with UnfulfilledConstraint', async () => {
    assert.deepEqual(await deploy('/unique', 4, [['hostname', 'UNIQUE']], 3), H);
    const q = await waiting('/unique');
    assert.equal(q.count, 1);
    assert.ok(q.lastUnusedOffers.some((o: any) => o.reason.some((r: string) => /constraint \[hostname, UNIQUE\] not met on 127\.0\.60\.\d/.test(r))), JSON.stringify(q.lastUnusedOffers));
    // Still 3 a moment later: the queue does not squeeze the 4th in.
    assert.equal((await api(base, 'GET', '/v2/apps/unique')).body.app.tasksRunning, 3);
    await destroy('/unique');
  });

  it('CLUSTER rack:r1 puts every instance on the r1 agent; CLUSTER without value follows the first instance', async () => {
    assert.deepEqual(await deploy('/cluster', 3, [['rack', 'CLUSTER', 'r1']]), [H[0], H[0], H[0]]);
    const follow = await deploy('/follow', 3, [['zone', 'cluster']]);
    assert.ok(follow.every((h) => h === H[2]) || follow.every((h) => h !== H[2]), `one zone only: ${follow}`);
    await destroy('/cluster');
    await destroy('/follow');
  });

  it('MAX_PER zone 1: one instance per zone, the third waits', async () => {
    const hosts = await deploy('/maxper', 3, [['zone', 'MAX_PER', '1']], 2);
    assert.equal(hosts.filter((h) => h === H[2]).length, 1, `one in zone b: ${hosts}`);
    assert.equal(hosts.filter((h) => h !== H[2]).length, 1, `one in zone a: ${hosts}`);
    assert.equal((await waiting('/maxper')).count, 1);
    await destroy('/maxper');
  });

  it('GROUP_BY zone 2 spreads evenly over both zones', async () => {
    const hosts = await deploy('/groupby', 4, [['zone', 'GROUP_BY', '2']]);
    assert.equal(hosts.filter((h) => h === H[2]).length, 2, `two in zone b: ${hosts}`);
    await destroy('/groupby');
  });

  it('LIKE and UNLIKE match regular expressions on the hostname; IS matches an attribute exactly', async () => {
    const like = await deploy('/like', 4, [['hostname', 'LIKE', '127\\.0\\.60\\.[34]']]);
    assert.ok(like.every((h) => h === H[1] || h === H[2]), `${like}`);
    const unlike = await deploy('/unlike', 4, [['hostname', 'UNLIKE', '127\\.0\\.60\\.[23]']]);
    assert.deepEqual(unlike, [H[2], H[2], H[2], H[2]]);
    const is = await deploy('/is', 2, [['rack', 'IS', 'r2'], ['zone', 'IS', 'a']]);
    assert.deepEqual(is, [H[1], H[1]]);
    for (const id of ['/like', '/unlike', '/is']) await destroy(id);
  });

  it('a constraint no agent meets keeps every instance waiting; bad constraints are 422 with Marathon\'s messages', async () => {
    const created = await api(base, 'POST', '/v2/apps', { id: '/nowhere', cmd: 'sleep 1000', cpus: 0.01, mem: 8, instances: 2, constraints: [['rack', 'CLUSTER', 'r9']] });
    assert.equal(created.status, 201);
    const q = await waiting('/nowhere');
    assert.equal(q.count, 2);
    assert.equal((await api(base, 'GET', '/v2/apps/nowhere')).body.app.tasksRunning, 0);
    await destroy('/nowhere');

    const bad = await api(base, 'POST', '/v2/apps', { id: '/bad', cmd: 'sleep 1', constraints: [['hostname', 'UNIQUE'], ['zone', 'NEAR', 'a'], ['rack', 'LIKE', '(']] });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(bad.body, {
      message: 'Object is not valid',
      details: [
        { path: '/constraints(1)', errors: ['operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS'] },
        { path: '/constraints(2)', errors: ['is not a valid regular expression'] },
      ],
    });
    const badUpdate = await api(base, 'POST', '/v2/apps', { id: '/bad', cmd: 'sleep 1', constraints: [['zone', 'MAX_PER', 'x']] });
    assert.equal(badUpdate.status, 422);
    assert.deepEqual(badUpdate.body.details, [{ path: '/constraints(0)', errors: ['MAX_PER requires an integer value'] }]);
  });
});
