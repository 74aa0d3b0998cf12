import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { SqliteStore, STORE_FORMAT_VERSION } from '../../src/state/sqlite-store.ts';
import { VersionConflictError, type Store } from '../../src/state/store.ts';
import { SoloElector } from '../../src/state/solo-elector.ts';
import { REPO, tempDir } from '../helpers/processes.ts';

const backends: Array<[string, () => Promise<{ store: Store; done(): Promise<void> }>]> = [
  ['MemoryStore', async () => { const store = new MemoryStore(); return { store, done: () => store.close() }; }],
  ['SqliteStore', async () => { const dir = tempDir(); const store = await SqliteStore.open(dir.path); return { store, done: async () => { await store.close(); dir.remove(); } }; }],
];

for (const [name, make] of backends) {
  describe(`${name} contract`, () => {
    it('puts, gets and bumps versions', async () => {
      const { store, done } = await make();
      assert.equal(await store.get('/a'), undefined);
      assert.equal(await store.put('/a', { x: 1 }), 1);
      assert.equal(await store.put('/a', { x: 2 }), 2);
      assert.deepEqual(await store.get('/a'), { key: '/a', value: { x: 2 }, version: 2 });
      await done();
    });

    it('compare-and-set: create-only with 0, conflicts leave the value untouched', async () => {
      const { store, done } = await make();
      assert.equal(await store.put('/a', 'one', 0), 1);
      await assert.rejects(store.put('/a', 'two', 0), VersionConflictError);
      await assert.rejects(store.put('/a', 'two', 5), /expected 5, found 1/);
      assert.equal(await store.put('/a', 'two', 1), 2);
      await assert.rejects(store.delete('/a', 1), VersionConflictError);
      assert.equal(await store.delete('/a', 2), true);
      assert.equal(await store.get('/a'), undefined);
      await done();
    });

    it('lists by plain string prefix in key order', async () => {
      const { store, done } = await make();
      for (const k of ['/a/b/2', '/a/bc', '/a/b/1', '/b/1']) await store.put(k, k);
      assert.deepEqual((await store.list('/a/b/')).map((e) => e.key), ['/a/b/1', '/a/b/2']);
      assert.deepEqual((await store.list('/a/b')).map((e) => e.key), ['/a/b/1', '/a/b/2', '/a/bc']);
      await done();
    });

    it('transactions are all or nothing', async () => {
      const { store, done } = await make();
      await store.put('/x', 1);
      await assert.rejects(store.transaction([{ op: 'put', key: '/y', value: 1 }, { op: 'delete', key: '/x', expectedVersion: 9 }]), VersionConflictError);
      assert.equal(await store.get('/y'), undefined);
      assert.equal((await store.get('/x'))?.value, 1);
      await store.transaction([{ op: 'put', key: '/y', value: 2 }, { op: 'delete', key: '/x' }]);
      assert.equal((await store.get('/y'))?.value, 2);
      assert.equal(await store.get('/x'), undefined);
      await done();
    });
  });
}

describe('SqliteStore on disk', () => {
  it('keeps data across close and reopen', async () => {
    const dir = tempDir();
    const a = await SqliteStore.open(dir.path);
    await a.put('/keep', { v: 1 });
    await a.close();
    const b = await SqliteStore.open(dir.path);
    assert.deepEqual((await b.get('/keep'))?.value, { v: 1 });
    await b.close();
    dir.remove();
  });

  it('refuses a store written by a newer format, and names the path when the directory is unusable', async () => {
    const dir = tempDir();
    const s = await SqliteStore.open(dir.path);
    await s.close();
    const db = new Database(join(dir.path, 'state.db'));
    db.prepare("UPDATE meta SET value = ? WHERE name = 'format_version'").run(String(STORE_FORMAT_VERSION + 1));
    db.close();
    await assert.rejects(SqliteStore.open(dir.path), /newer than this binary/);
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(SqliteStore.open(join(file, 'sub')), new RegExp(`cannot open state store at ${file}/sub`));
    dir.remove();
  });

  it('a writer killed with SIGKILL leaves a store that opens with every committed key', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/fixtures/store-writer.ts'), dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve) => child.stdout.on('data', (c) => { out += c; if (out.split('\n').length > 300) resolve(); }));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const committed = out.split('\n').filter(Boolean).map(Number);
    const store = await SqliteStore.open(dir.path);
    const keys = await store.list('/k/');
    assert.ok(keys.length >= committed.length, `${keys.length} keys readable, ${committed.length} reported committed`);
    for (const i of committed) assert.equal((await store.get<{ i: number }>(`/k/${String(i).padStart(6, '0')}`))?.value.i, i);
    await store.close();
    dir.remove();
  });
});

describe('SoloElector', () => {
  it('leads from start until stop and tells listeners', async () => {
    const e = new SoloElector();
    const seen: boolean[] = [];
    e.onChange((_l, self) => seen.push(self));
    assert.equal(e.isLeader(), false);
    await e.start({ id: 'm1', data: {} });
    assert.equal(e.isLeader(), true);
    assert.equal(e.leader()?.id, 'm1');
    await e.stop();
    assert.equal(e.isLeader(), false);
    assert.deepEqual(seen, [true, false]);
  });
});
