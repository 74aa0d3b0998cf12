// The Store contract, run against every embedded implementation, plus SqliteStore's on-disk behaviour.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { SqliteStore, STORE_FORMAT_VERSION } from '../../src/state/sqlite-store.ts';
import { StoreUnavailableError, VersionConflictError, type Store, type StoreChange } from '../../src/state/store.ts';
import { REPO, eventually, tempDir } from '../helpers/processes.ts';
import { ZooKeeperStore } from '../../src/state/zookeeper-store.ts';
import { ZooKeeperSession } from '../../src/state/zookeeper-session.ts';
import { createLogger } from '../../src/common/logger.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';

const dirs: Array<{ remove(): void }> = [];
after(() => { for (const d of dirs) d.remove(); });
function scratch(): string {
  const d = tempDir('trireme-store-');
  dirs.push(d);
  return d.path;
}

// One real 3-node ensemble for the whole file, started on first use; each store gets its own root znode.
let ensemble: Promise<ZooKeeperEnsemble> | undefined;
after(async () => { await (await ensemble)?.close(); });
let zkRoots = 0;
async function zooKeeperStore(): Promise<ZooKeeperStore> {
  const zk = await (ensemble ??= ZooKeeperEnsemble.start());
  const session = new ZooKeeperSession(zk.connectString, { sessionTimeoutMs: 4000, logger: createLogger('test', 'error') });
  await session.waitConnected(20_000);
  return new ZooKeeperStore(session, `/contract/${process.pid}-${zkRoots++}`, true);
}

const backends: Array<[string, () => Promise<Store>]> = [
  ['MemoryStore', async () => new MemoryStore()],
  ['SqliteStore', async () => SqliteStore.open(scratch())],
  ['ZooKeeperStore', zooKeeperStore],
];

for (const [name, make] of backends) {
  describe(`${name} contract`, () => {
    /** Runs `body` against a fresh store and closes it afterwards, whatever happens. */
    const withStore = (body: (s: Store) => Promise<void>) => async () => {
      const s = await make();
      try { await body(s); } finally { await s.close(); }
    };

    it('puts, gets and bumps versions', withStore(async (s) => {
      assert.equal(await s.get('/a'), undefined);
      assert.equal(await s.put('/a', { x: 1 }), 1);
      assert.equal(await s.put('/a', { x: 2 }), 2);
      assert.equal(await s.put('/a', { x: 3 }), 3);
      assert.deepEqual(await s.get('/a'), { key: '/a', value: { x: 3 }, version: 3 });
      assert.equal(await s.put('/b', [1, 'two', null, true]), 1, 'versions are per key');
      assert.deepEqual((await s.get('/b'))?.value, [1, 'two', null, true]);
      for (const v of ['', 0, false, null, 'ünïcødé 😀']) {
        await s.put('/scalar', v);
        assert.deepEqual((await s.get('/scalar'))?.value, v);
      }
    }));

    it('stores JSON copies: later mutation on either side does not leak', withStore(async (s) => {
      const v = { list: [1], nested: { a: 1 } };
      await s.put('/v', v);
      v.list.push(2);
      v.nested.a = 9;
      const read = await s.get<typeof v>('/v');
      assert.deepEqual(read?.value, { list: [1], nested: { a: 1 } });
      read!.value.list.push(3);
      assert.deepEqual((await s.get('/v'))?.value, { list: [1], nested: { a: 1 } });
    }));

    it('compare-and-set succeeds on the current version and conflicts otherwise, leaving the value untouched', withStore(async (s) => {
      assert.equal(await s.put('/a', 'one'), 1);
      assert.equal(await s.put('/a', 'two', 1), 2);
      await assert.rejects(s.put('/a', 'stale', 1), (err: unknown) => {
        assert.ok(err instanceof VersionConflictError);
        assert.equal(err.name, 'VersionConflictError');
        assert.deepEqual([err.key, err.expected, err.actual], ['/a', 1, 2]);
        assert.match(err.message, /'\/a'.*expected 1, found 2/);
        return true;
      });
      await assert.rejects(s.put('/a', 'future', 5), VersionConflictError);
      assert.deepEqual(await s.get('/a'), { key: '/a', value: 'two', version: 2 });
      await assert.rejects(s.put('/missing', 'x', 1), /expected 1, found 0/);
      assert.equal(await s.get('/missing'), undefined);
    }));

    it('expectedVersion 0 creates only', withStore(async (s) => {
      assert.equal(await s.put('/c', 'first', 0), 1);
      await assert.rejects(s.put('/c', 'second', 0), VersionConflictError);
      assert.equal((await s.get('/c'))?.value, 'first');
    }));

    it('deletes, with and without an expected version', withStore(async (s) => {
      assert.equal(await s.delete('/none'), false);
      assert.equal(await s.delete('/none', 0), false, 'version 0 matches a missing key');
      await assert.rejects(s.delete('/none', 1), VersionConflictError);
      await s.put('/d', 1);
      await s.put('/d', 2);
      await assert.rejects(s.delete('/d', 1), VersionConflictError);
      await assert.rejects(s.delete('/d', 0), VersionConflictError);
      assert.equal((await s.get('/d'))?.version, 2, 'a conflicting delete keeps the key');
      assert.equal(await s.delete('/d', 2), true);
      assert.equal(await s.get('/d'), undefined);
      assert.equal(await s.put('/d', 'again', 0), 1, 're-creating starts over at version 1');
      assert.equal(await s.delete('/d'), true);
      assert.equal(await s.delete('/d'), false);
    }));

    it('lists by plain string prefix, sorted by key', withStore(async (s) => {
      for (const k of ['/a/b/2', '/a/bc', '/a/b/1', '/b/1', '/a/b/10', '/a', '/a/b/\u{1F600}', '/a/b/\uFFFF', '/a/b/\uE000']) await s.put(k, k);
      const keys = async (p: string) => (await s.list(p)).map((e) => e.key);
      // Order is by UTF-8 bytes (SQLite's BINARY collation): U+E000 < U+FFFF < U+1F600.
      assert.deepEqual(await keys('/a/b/'), ['/a/b/1', '/a/b/10', '/a/b/2', '/a/b/\uE000', '/a/b/\uFFFF', '/a/b/\u{1F600}']);
      assert.deepEqual(await keys('/a/b'), ['/a/b/1', '/a/b/10', '/a/b/2', '/a/b/\uE000', '/a/b/\uFFFF', '/a/b/\u{1F600}', '/a/bc']);
      assert.deepEqual(await keys('/a/b/1'), ['/a/b/1', '/a/b/10']);
      assert.deepEqual(await keys('/a/bc'), ['/a/bc']);
      assert.deepEqual(await keys('/c'), []);
      assert.equal((await s.list('/')).length, 9);
      assert.equal((await s.list('')).length, 9);
      const [first] = await s.list<string>('/b/');
      assert.deepEqual(first, { key: '/b/1', value: '/b/1', version: 1 });
    }));

    it('transactions commit all operations in order', withStore(async (s) => {
      await s.put('/x', 'x');
      await s.transaction([
        { op: 'put', key: '/y', value: 'y', expectedVersion: 0 },
        { op: 'put', key: '/y', value: 'y2', expectedVersion: 1 }, // sees the op before it
        { op: 'delete', key: '/x', expectedVersion: 1 },
        { op: 'put', key: '/x', value: 'x-again', expectedVersion: 0 },
        { op: 'put', key: '/z', value: 'z' },
      ]);
      assert.deepEqual(await s.get('/y'), { key: '/y', value: 'y2', version: 2 });
      assert.deepEqual(await s.get('/x'), { key: '/x', value: 'x-again', version: 1 });
      assert.equal((await s.get('/z'))?.version, 1);
      await s.transaction([]);
      assert.equal((await s.list('/')).length, 3);
    }));

    it('a conflicting operation rolls back the whole transaction', withStore(async (s) => {
      await s.put('/x', 1);
      await s.put('/keep', 'k');
      const before = await s.list('/');
      await assert.rejects(s.transaction([
        { op: 'put', key: '/y', value: 1 },
        { op: 'put', key: '/x', value: 2, expectedVersion: 1 },
        { op: 'delete', key: '/keep' },
        { op: 'delete', key: '/x', expectedVersion: 1 }, // /x is at 2 by now
      ]), VersionConflictError);
      assert.deepEqual(await s.list('/'), before);
      await assert.rejects(s.transaction([{ op: 'delete', key: '/keep' }, { op: 'put', key: '/new', value: 1, expectedVersion: 3 }]), VersionConflictError);
      assert.deepEqual(await s.list('/'), before);
    }));

    it('rejects invalid keys, versions and values before writing anything', withStore(async (s) => {
      for (const k of ['', 'a', 'a/b', '/', '/a/', '//a', '/a//b', '/a\0b']) {
        await assert.rejects(s.put(k, 1), TypeError, `key ${JSON.stringify(k)}`);
        await assert.rejects(s.get(k), TypeError);
      }
      for (const v of [-1, 1.5, NaN]) await assert.rejects(s.put('/a', 1, v), TypeError);
      await assert.rejects(s.put('/a', undefined), /not JSON-serialisable/);
      await assert.rejects(s.put('/a', () => 1), TypeError);
      await assert.rejects(s.put('/a', 10n), TypeError);
      await assert.rejects(s.transaction([{ op: 'put', key: '/ok', value: 1 }, { op: 'put', key: '/bad', value: undefined }]), TypeError);
      await assert.rejects(s.transaction([{ op: 'put', key: '/ok', value: 1 }, { op: 'delete', key: 'bad' }]), TypeError);
      await assert.rejects(s.transaction([{ op: 'merge', key: '/ok' } as never]), /unknown store operation/);
      assert.deepEqual(await s.list(''), []);
    }));

    it('rejects every call with StoreUnavailableError once closed', async () => {
      const s = await make();
      await s.put('/a', 1);
      await s.close();
      await s.close(); // idempotent
      await assert.rejects(s.get('/a'), StoreUnavailableError);
      await assert.rejects(s.put('/a', 2), StoreUnavailableError);
      await assert.rejects(s.delete('/a'), StoreUnavailableError);
      await assert.rejects(s.list('/'), StoreUnavailableError);
      await assert.rejects(s.transaction([]), StoreUnavailableError);
      await assert.rejects(s.watch('/', () => {}), StoreUnavailableError);
    });

    it('watch reports later puts and deletes of keys under the prefix, and nothing once stopped', withStore(async (s) => {
      await s.put('/w/a-before', 1);
      const seen: StoreChange[] = [];
      const stop = await s.watch('/w/a', (c) => seen.push(c));
      // One write at a time, each awaited until reported (ZooKeeper may coalesce writes that come faster).
      const expect = async (write: () => Promise<unknown>, change: StoreChange) => {
        const n = seen.length;
        await write();
        await eventually(() => seen.length > n, 10_000, 10);
        assert.deepEqual(seen.slice(n), [change]);
      };
      await expect(() => s.put('/w/a1', 'x'), { type: 'put', key: '/w/a1', version: 1 });
      await expect(() => s.put('/w/a1', 'y', 1), { type: 'put', key: '/w/a1', version: 2 });
      await s.put('/w/b', 'outside the prefix');
      await expect(() => s.put('/w/a/deep/er', 2), { type: 'put', key: '/w/a/deep/er', version: 1 });
      await expect(() => s.delete('/w/a1'), { type: 'delete', key: '/w/a1' });
      await expect(() => s.transaction([{ op: 'put', key: '/w/a2', value: 1 }]), { type: 'put', key: '/w/a2', version: 1 });
      await expect(() => s.put('/w/a', 'the prefix itself'), { type: 'put', key: '/w/a', version: 1 });
      await expect(() => s.delete('/w/a'), { type: 'delete', key: '/w/a' }); // its znode stays for /w/a/deep/er
      await expect(() => s.put('/w/a1', 're-created'), { type: 'put', key: '/w/a1', version: 1 });
      assert.ok(!seen.some((c) => c.key === '/w/b' || c.key === '/w/a-before'), JSON.stringify(seen));

      stop();
      const after: StoreChange[] = [];
      const stopAfter = await s.watch('/w/', (c) => after.push(c));
      await s.put('/w/a3', 1);
      await eventually(() => after.length === 1, 10_000, 10);
      assert.equal(seen.some((c) => c.key === '/w/a3'), false, 'a stopped watch reports nothing');
      stopAfter();
    }));
  });
}

/** The state a watcher's changes describe: key → version. */
function replay(changes: StoreChange[]): Map<string, number> {
  const view = new Map<string, number>();
  for (const c of changes) { if (c.type === 'put') view.set(c.key, c.version); else view.delete(c.key); }
  return view;
}

for (const [name, make] of backends.filter(([n]) => n !== 'ZooKeeperStore')) {
  describe(`${name} in-process watch`, () => {
    it('reports every committed change in order, as the write returns, and no failed or empty write', async () => {
      const s = await make();
      try {
        const seen: StoreChange[] = [];
        await s.watch('/', (c) => seen.push(c));
        await s.put('/a', 1);
        await s.put('/a', 2);
        assert.deepEqual(seen, [{ type: 'put', key: '/a', version: 1 }, { type: 'put', key: '/a', version: 2 }], 'delivered before put resolves');
        await assert.rejects(s.put('/a', 3, 1), VersionConflictError);
        assert.equal(await s.delete('/missing'), false);
        await assert.rejects(s.transaction([{ op: 'put', key: '/b', value: 1 }, { op: 'delete', key: '/a', expectedVersion: 9 }]), VersionConflictError);
        assert.equal(seen.length, 2, 'nothing for a conflict, a missing key or a rolled-back transaction');
        await s.transaction([{ op: 'put', key: '/b', value: 1 }, { op: 'put', key: '/b', value: 2 }, { op: 'delete', key: '/a' }, { op: 'delete', key: '/nothing' }]);
        assert.deepEqual(seen.slice(2), [{ type: 'put', key: '/b', version: 1 }, { type: 'put', key: '/b', version: 2 }, { type: 'delete', key: '/a' }]);
        assert.deepEqual([...replay(seen)], (await s.list('/')).map((e) => [e.key, e.version]));
        seen[0]!.key = '/mutated';
        await s.put('/c', 1);
        assert.equal(seen.at(-1)!.key, '/c');
      } finally { await s.close(); }
    });

    it('stops every watch on close', async () => {
      const s = await make();
      const seen: StoreChange[] = [];
      await s.watch('/', (c) => seen.push(c));
      await s.close();
      assert.deepEqual(seen, []);
      await assert.rejects(s.put('/a', 1), StoreUnavailableError);
    });
  });
}

describe('SqliteStore watch and other processes', () => {
  it('sees writes through this store object only, not those of another connection to the same file', async () => {
    const dir = scratch();
    const [mine, other] = [await SqliteStore.open(dir), await SqliteStore.open(dir)];
    try {
      const seen: StoreChange[] = [];
      await mine.watch('/', (c) => seen.push(c));
      await other.put('/theirs', 1);
      await mine.put('/mine', 1);
      assert.deepEqual(seen, [{ type: 'put', key: '/mine', version: 1 }]);
      assert.equal((await mine.get('/theirs'))?.version, 1, 'although reads see them');
    } finally { await mine.close(); await other.close(); }
  });
});

describe('SqliteStore on disk', () => {
  it('keeps keys, values and versions across close and reopen', async () => {
    const dir = scratch();
    const a = await SqliteStore.open(dir);
    await a.put('/keep', { v: 1 });
    await a.put('/keep', { v: 2 });
    await a.transaction([{ op: 'put', key: '/t/1', value: 1 }, { op: 'put', key: '/t/2', value: 2 }]);
    await a.put('/gone', 1);
    await a.delete('/gone');
    await a.close();
    const b = await SqliteStore.open(dir);
    assert.deepEqual(await b.get('/keep'), { key: '/keep', value: { v: 2 }, version: 2 });
    assert.deepEqual((await b.list('/')).map((e) => e.key), ['/keep', '/t/1', '/t/2']);
    assert.equal(await b.put('/keep', { v: 3 }, 2), 3);
    await b.close();
  });

  it('creates missing directories, uses WAL and records format version 1 in meta', async () => {
    const dir = join(scratch(), 'deep', 'er');
    const s = await SqliteStore.open(dir, 'custom.db');
    assert.equal(s.path, join(dir, 'custom.db'));
    await s.put('/a', 1);
    await s.close();
    const db = new Database(join(dir, 'custom.db'), { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT name, value FROM meta').all(), [{ name: 'format_version', value: '1' }]);
      assert.deepEqual(db.prepare('SELECT key, value, version FROM kv').all(), [{ key: '/a', value: '1', version: 1 }]);
    } finally { db.close(); }
    assert.equal(STORE_FORMAT_VERSION, 1);
  });

  it('refuses a store written by a newer format version, and one with a garbled version', async () => {
    const dir = scratch();
    await (await SqliteStore.open(dir)).close();
    const setVersion = (v: string) => {
      const db = new Database(join(dir, 'state.db'));
      db.prepare("UPDATE meta SET value = ? WHERE name = 'format_version'").run(v);
      db.close();
    };
    setVersion(String(STORE_FORMAT_VERSION + 1));
    await assert.rejects(SqliteStore.open(dir), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError);
      assert.ok(err.message.includes(join(dir, 'state.db')), err.message);
      assert.match(err.message, /format version 2, newer than this binary understands \(1\); upgrade trireme/);
      return true;
    });
    setVersion('banana');
    await assert.rejects(SqliteStore.open(dir), /unreadable format version "banana"/);
    setVersion(String(STORE_FORMAT_VERSION));
    await (await SqliteStore.open(dir)).close();
  });

  it('names the path when the directory cannot be created or written', async () => {
    const file = join(scratch(), 'a-file');
    writeFileSync(file, 'x');
    const target = join(file, 'sub'); // a directory under a regular file cannot exist, even for root
    await assert.rejects(SqliteStore.open(target), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError);
      assert.ok(err.message.startsWith(`cannot open state store at ${join(target, 'state.db')}: `), err.message);
      assert.ok(err.message.includes(`check that ${target} is a writable directory`), err.message);
      assert.ok(err.cause, 'the underlying error is kept as cause');
      return true;
    });
    await assert.rejects(SqliteStore.open(file), (err: unknown) => err instanceof StoreUnavailableError && err.message.includes(file));
  });

  it('names the path when the file is not a database', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'state.db'), 'this is not an SQLite database, just text that is long enough to have a header'.repeat(20));
    await assert.rejects(SqliteStore.open(dir), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError);
      assert.ok(err.message.includes(join(dir, 'state.db')), err.message);
      assert.match(err.message, /not a trireme state database/);
      return true;
    });
  });

  it('turns a write blocked by another connection into StoreUnavailableError, while reads go on', async () => {
    const dir = scratch();
    const s = await SqliteStore.open(dir, 'state.db', { busyTimeoutMs: 50 });
    await s.put('/a', 1);
    const other = new Database(join(dir, 'state.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(s.put('/a', 2), (err: unknown) => err instanceof StoreUnavailableError && /is unavailable: database is locked/.test(err.message));
      await assert.rejects(s.transaction([{ op: 'put', key: '/b', value: 1 }]), StoreUnavailableError);
      assert.equal((await s.get('/a'))?.value, 1, 'WAL readers are not blocked by a writer');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.equal(await s.put('/a', 2, 1), 2);
    await s.close();
  });

  it('after a SIGKILLed writer, reopens with every committed transaction and no partial one', async () => {
    const dir = scratch();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/unit/fixtures/store-writer.ts'), dir], {
      cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer too slow; stdout ${out.length} bytes; stderr:\n${err}`)), 60_000);
      child.stdout.on('data', (c) => {
        out += c;
        if (out.split('\n').length > 300) { clearTimeout(timer); resolve(); }
      });
      child.on('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`writer exited early (${code ?? signal}):\n${err}`)); });
    }).finally(() => child.kill('SIGKILL'));
    await exited;
    const committed = out.split('\n').slice(0, -1).map(Number); // the text after the last newline may be cut short
    const last = committed.at(-1)!;
    assert.deepEqual(committed, committed.map((_, i) => i));

    const store = await SqliteStore.open(dir);
    try {
      const keys = await store.list<{ i: number; pad: string }>('/k/');
      const pairs = await store.list<number>('/pair/');
      const n = keys.length;
      assert.ok(n === last + 1 || n === last + 2, `${n} transactions readable, ${last + 1} reported committed (at most one more may have committed unreported)`);
      keys.forEach((e, i) => {
        assert.equal(e.key, `/k/${String(i).padStart(6, '0')}`);
        assert.equal(e.value.i, i);
        assert.equal(e.value.pad.length, 16_384);
      });
      assert.deepEqual(pairs.map((e) => e.value), keys.map((e) => e.value.i), 'each transaction is wholly present or wholly absent');
      assert.deepEqual(await store.get('/counter'), { key: '/counter', value: n - 1, version: n });
    } finally { await store.close(); }
    const db = new Database(join(dir, 'state.db'), { readonly: true });
    try { assert.equal(db.pragma('integrity_check', { simple: true }), 'ok'); } finally { db.close(); }
  });
});
