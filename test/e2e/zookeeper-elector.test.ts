// ZooKeeperLeaderElector and LeaderWatch against a real 3-node ensemble.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/common/logger.ts';
import { LeaderWatch, lowestContender, MESOS_MASTER_PREFIX, ZooKeeperLeaderElector } from '../../src/state/zookeeper-elector.ts';
import { ZooKeeperSession } from '../../src/state/zookeeper-session.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';
import { eventually } from '../helpers/processes.ts';

const logger = createLogger('test');
let zk: ZooKeeperEnsemble;
const sessions: ZooKeeperSession[] = [];

async function session(sessionTimeoutMs = 3000): Promise<ZooKeeperSession> {
  const s = new ZooKeeperSession(zk.connectString, { sessionTimeoutMs, logger });
  sessions.push(s);
  await s.waitConnected(20_000);
  return s;
}

const info = (n: number) => ({ id: `master-${n}`, data: { id: `master-${n}`, hostname: `m${n}`, port: 5050 + n, address: { hostname: `m${n}`, ip: '127.0.0.1', port: 5050 + n } } });

async function contenders(dir: string, n: number, sessionTimeoutMs = 3000) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    const s = await session(sessionTimeoutMs);
    const e = new ZooKeeperLeaderElector(s, dir, { logger });
    const seen: Array<[string | undefined, boolean]> = [];
    e.onChange((l, isSelf) => seen.push([l?.id, isSelf]));
    await e.start(info(i));
    out.push({ s, e, seen, id: `master-${i}` });
  }
  return out;
}

before(async () => { zk = await ZooKeeperEnsemble.start(); });
after(async () => {
  for (const s of sessions) s.close();
  await zk?.close();
});

describe('lowestContender', () => {
  it('picks the lowest sequence among names with the prefix', () => {
    assert.equal(lowestContender(['json.info_0000000012', 'info_0000000001', 'json.info_0000000009', 'log_replicas'], MESOS_MASTER_PREFIX), 'json.info_0000000009');
    assert.equal(lowestContender(['log_replicas'], MESOS_MASTER_PREFIX), undefined);
  });
});

describe('ZooKeeperLeaderElector', () => {
  it("elects exactly one leader in Mesos's layout; the next one takes over when it leaves", async () => {
    const [a, b, c] = await contenders('/elect1/mesos', 3);
    await eventually(() => [a, b, c].every((x) => x!.e.leader()?.id === 'master-1'));
    assert.deepEqual([a, b, c].map((x) => x!.e.isLeader()), [true, false, false]);
    const children = (await a!.s.getChildren('/elect1/mesos'))!.sort();
    assert.equal(children.length, 3);
    for (const c of children) assert.match(c, /^json\.info_\d{10}$/);
    const head = await a!.s.getData(`/elect1/mesos/${children[0]}`);
    assert.deepEqual(JSON.parse(head!.data.toString()), info(1).data);
    assert.deepEqual(b!.e.leader()?.data, info(1).data);

    await a!.e.stop();
    await eventually(() => b!.e.isLeader() && c!.e.leader()?.id === 'master-2');
    assert.deepEqual(a!.seen.at(-1), [undefined, false]);
    assert.deepEqual(b!.seen.at(-1), ['master-2', true]);
  });

  it('a crashed leader (its session closed) is replaced', async () => {
    const [a, b] = await contenders('/elect2/mesos', 2);
    await eventually(() => a!.e.isLeader() && b!.e.leader()?.id === 'master-1');
    a!.s.close();
    await eventually(() => b!.e.isLeader());
  });

  it('a contender whose znode is deleted from outside steps down and contends again', async () => {
    const [a, b] = await contenders('/elect5/mesos', 2);
    await eventually(() => a!.e.isLeader() && b!.e.leader()?.id === 'master-1');
    const admin = await session();
    const [first] = ((await admin.getChildren('/elect5/mesos')) ?? []).sort();
    await admin.remove(`/elect5/mesos/${first}`);
    await eventually(() => b!.e.isLeader() && a!.e.leader()?.id === 'master-2');
    await eventually(async () => ((await admin.getChildren('/elect5/mesos')) ?? []).length === 2, 10_000);
    assert.equal(a!.e.isLeader(), false);
  });

  it('keeps its leader while any single ZooKeeper node is stopped (the leader reconnects elsewhere)', async () => {
    // 6 s sessions: a 2 s grace, so a reconnection slowed by a busy machine still fits.
    const [a, b] = await contenders('/elect4/mesos', 2, 6000);
    await eventually(() => a!.e.isLeader() && b!.e.leader()?.id === 'master-1');
    const heard = a!.seen.length;
    for (const node of [1, 2, 3]) {
      await zk.stopNode(node);
      // Whichever node the leader was connected to, it must ride through the reconnection.
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(a!.e.isLeader(), true, `leader kept while node ${node} is down`);
      assert.equal(b!.e.isLeader(), false);
      await zk.startNode(node);
      await zk.waitServing();
    }
    assert.equal(a!.seen.length, heard, `no leadership change was announced: ${JSON.stringify(a!.seen.slice(heard))}`);
  });

  it('steps down without quorum, and leads again when the ensemble is back', async () => {
    const [a, b] = await contenders('/elect3/mesos', 2);
    const watcher = new LeaderWatch(await session(), '/elect3/mesos', MESOS_MASTER_PREFIX, logger);
    watcher.start();
    await eventually(() => a!.e.isLeader() && watcher.current()?.info.id === 'master-1', 30_000)
      .catch((err) => { throw new Error(`no leader before the test (a ${a!.e.isLeader()}, b ${b!.e.isLeader()}, watcher sees ${watcher.current()?.info.id}): ${err.message}`); });
    await zk.stopNode(1);
    await zk.stopNode(2);
    await eventually(() => !a!.e.isLeader() && !b!.e.isLeader(), 30_000)
      .catch(async (err) => { throw new Error(`still leading without quorum (a ${a!.e.isLeader()}, b ${b!.e.isLeader()}; node 3: ${await zk.mode(3)}): ${err.message}`); });
    assert.deepEqual(a!.seen.at(-1), [undefined, false]);
    await zk.startNode(1);
    await zk.startNode(2);
    await zk.waitServing();
    await eventually(() => [a, b].filter((x) => x!.e.isLeader()).length === 1, 60_000);
    const leader = [a, b].find((x) => x!.e.isLeader())!;
    await eventually(() => watcher.current()?.info.id === leader.id && [a, b].every((x) => x!.e.leader()?.id === leader.id), 30_000);
    watcher.stop();
  });
});
