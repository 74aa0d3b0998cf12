// ZooKeeperStore against a real 3-node ensemble: what the shared contract cannot show (znode layout, size
// limit, concurrent writers, losing and regaining quorum). The contract itself runs in test/unit/store.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/common/logger.ts';
import { StoreUnavailableError, VersionConflictError } from '../../src/state/store.ts';
import { ValueTooLargeError, ZooKeeperStore } from '../../src/state/zookeeper-store.ts';
import { ZooKeeperSession } from '../../src/state/zookeeper-session.ts';
import { freePorts, ZooKeeperEnsemble } from '../helpers/zookeeper.ts';

const logger = createLogger('test', 'error');
let zk: ZooKeeperEnsemble;
const sessions: ZooKeeperSession[] = [];

async function session(connectString = zk.connectString, sessionTimeoutMs = 4000): Promise<ZooKeeperSession> {
  const s = new ZooKeeperSession(connectString, { sessionTimeoutMs, logger });
  sessions.push(s);
  await s.waitConnected(20_000);
  return s;
}

before(async () => { zk = await ZooKeeperEnsemble.start(); });
after(async () => {
  for (const s of sessions) s.close();
  await zk?.close();
});

describe('ZooKeeperStore on a real ensemble', () => {
  it('keeps one znode per key holding the JSON text, visible to any ZooKeeper client', async () => {
    const s = await session();
    const store = new ZooKeeperStore(s, '/layout/state');
    await store.put('/master/registry/agents/a1', { hostname: 'h1' });
    await store.put('/odd/dots/../%/\u{1F600}', 1);
    const raw = await s.getData('/layout/state/master/registry/agents/a1');
    assert.equal(raw?.data.toString(), '{"hostname":"h1"}');
    assert.equal(raw?.stat.version, 1);
    assert.deepEqual(await s.getChildren('/layout/state/master/registry/agents'), ['a1']);
    assert.deepEqual(await s.getChildren('/layout/state/odd/dots'), ['%2E%2E']);
    assert.deepEqual((await store.list('/odd/')).map((e) => e.key), ['/odd/dots/../%/\u{1F600}']);
  });

  it('refuses values over the znode limit with a clear error and writes nothing', async () => {
    const store = new ZooKeeperStore(await session(), '/big');
    const big = 'x'.repeat(1_100_000);
    await assert.rejects(store.put('/v', big), (err: unknown) => {
      assert.ok(err instanceof ValueTooLargeError);
      assert.match(err.message, /value for '\/v' is 1100002 bytes; a ZooKeeper store holds at most 1000000 bytes per key/);
      return true;
    });
    await assert.rejects(store.transaction([{ op: 'put', key: '/a', value: 'y'.repeat(600_000) }, { op: 'put', key: '/b', value: 'y'.repeat(600_000) }]), /transaction writes 1200004 bytes/);
    assert.deepEqual(await store.list('/'), []);
    const fits = 'z'.repeat(900_000);
    await store.put('/v', fits);
    assert.equal((await store.get<string>('/v'))?.value.length, 900_000);
  });

  it('compare-and-set from two sessions loses no update', async () => {
    const stores = [new ZooKeeperStore(await session(), '/race'), new ZooKeeperStore(await session(), '/race')];
    await stores[0]!.put('/counter', 0);
    const increment = async (store: ZooKeeperStore) => {
      for (;;) {
        const cur = (await store.get<number>('/counter'))!;
        try { await store.put('/counter', cur.value + 1, cur.version); return; } catch (err) { if (!(err instanceof VersionConflictError)) throw err; }
      }
    };
    await Promise.all(stores.flatMap((s) => Array.from({ length: 15 }, () => increment(s))));
    // Each session reads from its own server, which may trail the other's last write until synced.
    await stores[1]!.sync();
    assert.deepEqual(await stores[1]!.get('/counter'), { key: '/counter', value: 30, version: 31 });
  });

  it('keeps serving with one node down, fails cleanly without quorum, and recovers', async () => {
    const store = new ZooKeeperStore(await session(zk.connectString, 3000), '/quorum');
    await store.put('/k', 1);
    await zk.stopNode(1);
    await eventuallyOk(() => store.put('/k', 2));
    assert.equal((await store.get('/k'))?.value, 2);
    await zk.stopNode(2);
    await eventuallyRejects(() => store.put('/k', 3), StoreUnavailableError);
    await assert.rejects(store.get('/k'), StoreUnavailableError);
    await zk.startNode(1);
    await zk.startNode(2);
    await zk.waitServing();
    await eventuallyOk(() => store.put('/k', 4));
    assert.equal((await store.get('/k'))?.value, 4, 'no write was lost or half-applied');
  });

  it('answers StoreUnavailableError when no ensemble member is reachable', async () => {
    const [port] = await freePorts(1);
    const s = new ZooKeeperSession(`127.0.0.1:${port}`, { sessionTimeoutMs: 2000, logger });
    sessions.push(s);
    s.start();
    const store = new ZooKeeperStore(s, '/nowhere');
    await assert.rejects(store.put('/a', 1), (err: unknown) => err instanceof StoreUnavailableError && /127\.0\.0\.1:\d+ is unavailable: not connected/.test(err.message));
    await assert.rejects(store.list('/'), StoreUnavailableError);
    await assert.rejects(s.waitConnected(300), StoreUnavailableError);
  });
});

async function eventuallyOk(fn: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { await fn(); return; } catch (err) { if (Date.now() > deadline) throw err; }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function eventuallyRejects(fn: () => Promise<unknown>, kind: new (...a: never[]) => Error, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { await fn(); } catch (err) { if (err instanceof kind) return; throw err; }
    if (Date.now() > deadline) throw new Error('still succeeding');
    await new Promise((r) => setTimeout(r, 200));
  }
}
