// ZooKeeperStore against a real 3-node ensemble: what the shared contract cannot show (znode layout, size
// limit, concurrent writers, losing and regaining quorum, watches seeing other clients' writes across restarts).
// The contract itself runs in test/unit/store.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLogger } from '../../src/common/logger.ts';
import { StoreUnavailableError, VersionConflictError, type StoreChange } from '../../src/state/store.ts';
import { eventually, REPO } from '../helpers/processes.ts';
import { ValueTooLargeError, ZooKeeperStore } from '../../src/state/zookeeper-store.ts';
import { ZooKeeperSession } from '../../src/state/zookeeper-session.ts';
import { MarathonRepository } from '../../src/marathon/repository.ts';
import { parseApp } from '../../src/marathon/app-definition.ts';
import { ManualClock } from '../../src/common/clock.ts';
import { ChronosMetrics } from '../../src/chronos/metrics.ts';
import { ChronosScheduler } from '../../src/chronos/scheduler.ts';
import { parseJob } from '../../src/chronos/job.ts';
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

  it('Marathon writes far over 1 MB in one turn land in several transactions, each app with its version entry', async () => {
    // 300 apps of ~6 KB (a long command, as generated apps have) saved in the same turn: about 3.6 MB, which one
    // ZooKeeper multi-operation refuses; the repository packs them in transactions the store's limits allow.
    const store = new ZooKeeperStore(await session(), '/marathon-big');
    const repo = new MarathonRepository(store);
    const version = '2026-01-01T00:00:00.000Z';
    const apps = Array.from({ length: 300 }, (_, i) => ({ ...parseApp({ id: `/gen/app-${i}`, cmd: `echo ${'x'.repeat(6000)}` }), version, versionInfo: { lastConfigChangeAt: version, lastScalingAt: version } }));
    await Promise.all(apps.map((a) => repo.saveApp(a)));
    const state = await new MarathonRepository(store).load();
    assert.equal(state.apps.length, 300);
    assert.equal([...state.versions.values()].filter((v) => v.length === 1).length, 300, 'every app has its version entry');
  });

  it('Chronos: 1,500 jobs falling due at the same instant are all queued and persisted (over 1 MB in one turn)', async () => {
    const store = new ZooKeeperStore(await session(), '/chronos-big');
    const t0 = Date.parse('2026-11-25T12:00:00.000Z');
    const clock = new ManualClock(t0 - 1000);
    const options = { store, clock, logger: createLogger('chronos', 'silent'), metrics: new ChronosMetrics(), historyLimit: 5, failureRetryMs: 1000, disableAfterFailures: 0, role: '*', kill: async () => undefined, wake: () => undefined };
    const scheduler = new ChronosScheduler(options);
    for (let i = 0; i < 1500; i++) {
      const r = parseJob({ name: `job-${i}`, command: `echo ${i}`, schedule: 'R/2026-11-25T12:00:00Z/PT1H', owner: 'ops@example.com' }, 'schedule', { epsilonMs: 60_000, cpus: 0.1, mem: 128, disk: 256, user: 'root' }, clock.now());
      assert.ok(r.ok);
      await scheduler.upsert(r.job, r.given);
    }
    // A job over ZooKeeper's 1 MB is refused before anything changes (it would be lost at the next restart).
    const huge = parseJob({ name: 'huge', command: `echo ${'x'.repeat(1_100_000)}`, schedule: 'R/2026-11-25T12:00:00Z/PT1H', owner: 'ops@example.com' }, 'schedule', { epsilonMs: 60_000, cpus: 0.1, mem: 128, disk: 256, user: 'root' }, clock.now());
    assert.ok(huge.ok);
    await assert.rejects(scheduler.upsert(huge.job, huge.given), /the job definition is \d+ bytes; the state store holds at most 1000000 bytes per record/);
    clock.advance(1000);
    scheduler.advance(); // every job falls due: a job record and a queued task each, in one turn
    await scheduler.flush();
    assert.equal((await store.list('/chronos/tasks/')).length, 1500, 'every due run is persisted, and nothing of the refused job');
    assert.equal((await store.list<{ job: { schedule: string } }>('/chronos/jobs/')).filter((e) => e.value.job.schedule.startsWith('R/2026-11-25T13:00')).length, 1500, 'every job moved on to its next run');
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

/** The state a watcher's changes describe (key → version), to compare with list(). */
function replay(changes: StoreChange[]): Array<[string, number]> {
  const view = new Map<string, number>();
  for (const c of changes) { if (c.type === 'put') view.set(c.key, c.version); else view.delete(c.key); }
  return [...view].sort(([a], [b]) => (a < b ? -1 : 1));
}

async function listed(store: ZooKeeperStore, prefix: string): Promise<Array<[string, number]>> {
  return (await store.list(prefix)).map((e) => [e.key, e.version]);
}

/** Runs test/e2e/fixtures/zookeeper-writer.ts (another process, another session) to completion. */
function writeFromAnotherProcess(connectString: string, root: string, prefix: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/e2e/fixtures/zookeeper-writer.ts'), connectString, root, prefix], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => { clearTimeout(timer); if (code === 0 && out.includes('done')) resolve(); else reject(new Error(`writer exited with ${code}:\n${out}`)); });
  });
}

describe('ZooKeeperStore watches on a real ensemble', () => {
  it('deliver changes made by another process, under the prefix only, converging on what list() shows', async () => {
    const store = new ZooKeeperStore(await session(), '/watch-proc');
    await store.put('/apps/app-0', 'before the watch');
    const seen: StoreChange[] = [];
    const stop = await store.watch('/apps/', (c) => seen.push(c));
    await writeFromAnotherProcess(zk.connectString, '/watch-proc', '/apps');
    await store.sync();
    const want = await listed(store, '/apps/');
    assert.deepEqual(want.map(([k]) => k), ['/apps/app-0', '/apps/app-1', '/apps/app-2', '/apps/group/nested/app', '/apps/txn-1']);
    await eventually(() => JSON.stringify(replay(seen)) === JSON.stringify(want), 20_000, 50)
      .catch(() => assert.fail(`watch saw ${JSON.stringify(replay(seen))}, store holds ${JSON.stringify(want)}`));
    assert.ok(seen.every((c) => c.key.startsWith('/apps/')), 'nothing outside the prefix');
    assert.ok(seen.some((c) => c.type === 'delete' && c.key === '/apps/app-4'), 'deletes are reported');
    assert.ok(seen.filter((c) => c.key === '/apps/app-1').length >= 1);
    stop();
  });

  for (const [what, sessionTimeoutMs] of [['resumes its session', 30_000], ['loses its session', 2000]] as const) {
    it(`deliver every change made while the watcher's ZooKeeper node restarts (the watcher ${what})`, async () => {
      // The watcher talks to node 1 only, the writer to nodes 2 and 3: stopping node 1 cuts the watcher off.
      const node1 = `127.0.0.1:${zk.clientPort(1)}`;
      const watcherSession = await session(node1, sessionTimeoutMs);
      let expired = 0;
      watcherSession.on('expired', () => { expired++; });
      const root = `/watch-restart-${sessionTimeoutMs}`;
      const watcher = new ZooKeeperStore(watcherSession, root);
      const writer = new ZooKeeperStore(await session(`127.0.0.1:${zk.clientPort(2)},127.0.0.1:${zk.clientPort(3)}`), root);
      await writer.put('/jobs/kept', 1);
      await writer.put('/jobs/changed', 1);
      await writer.put('/jobs/removed', 1);
      const seen: StoreChange[] = [];
      await watcher.watch('/jobs', (c) => seen.push(c));
      await writer.put('/jobs/changed', 2);
      await eventually(() => seen.length === 1, 10_000, 20);
      assert.deepEqual(seen, [{ type: 'put', key: '/jobs/changed', version: 2 }]);

      await zk.stopNode(1);
      await writer.put('/jobs/changed', 3);
      await writer.delete('/jobs/removed');
      await writer.put('/jobs/added/deep', 'new');
      await writer.delete('/jobs/kept');
      await writer.put('/jobs/kept', 'again'); // deleted and re-created: version 1 again, a different znode
      if (sessionTimeoutMs < 10_000) await new Promise((r) => setTimeout(r, sessionTimeoutMs * 2)); // let the session expire
      await zk.startNode(1);
      await zk.waitServing();
      await writer.sync();
      const want = await listed(writer, '/jobs');
      assert.deepEqual(want, [['/jobs/added/deep', 1], ['/jobs/changed', 3], ['/jobs/kept', 1]]);
      await eventually(() => JSON.stringify(replay(seen)) === JSON.stringify(want), 60_000, 50)
        .catch(() => assert.fail(`watch saw ${JSON.stringify(seen)}, store holds ${JSON.stringify(want)}`));
      assert.ok(seen.some((c) => c.type === 'put' && c.key === '/jobs/kept' && c.version === 1), 'the re-created key is reported');
      assert.equal(expired > 0, sessionTimeoutMs < 10_000, `session expired ${expired} times`);

      // Watches are armed again afterwards: a later change arrives too.
      const n = seen.length;
      await writer.put('/jobs/after', 1);
      await eventually(() => seen.length > n, 20_000, 20);
      assert.deepEqual(seen.slice(n), [{ type: 'put', key: '/jobs/after', version: 1 }]);
      await watcher.close();
    });
  }
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
