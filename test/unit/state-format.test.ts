// State formats: recorded on first start, migrated step by step by a newer binary, refused by an older one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { ensureStateFormat, StateFormatError, type StateMigration } from '../../src/state/state-format.ts';

describe('ensureStateFormat', () => {
  it('records the current format on fresh state and runs no migration', async () => {
    const store = new MemoryStore();
    assert.deepEqual(await ensureStateFormat(store, { key: '/r/format', current: 1, migrations: [] }), []);
    assert.deepEqual((await store.get('/r/format'))?.value, { version: 1 });
  });

  it('migrates older state one step at a time, in order, and records each step', async () => {
    const store = new MemoryStore();
    await store.put('/r/apps/a', { name: 'a', mem: 64 });
    await store.put('/r/format', { version: 1 });
    const migrations: StateMigration[] = [
      { from: 2, description: 'mem to memMb', migrate: async (s) => { for (const e of await s.list<any>('/r/apps/')) { const { mem, ...rest } = e.value; if (mem !== undefined) await s.put(e.key, { ...rest, memMb: mem }); } } },
      { from: 1, description: 'add labels', migrate: async (s) => { for (const e of await s.list<any>('/r/apps/')) await s.put(e.key, { labels: {}, ...e.value }); } },
    ];
    const ran = await ensureStateFormat(store, { key: '/r/format', current: 3, migrations });
    assert.deepEqual(ran.map((m) => m.from), [1, 2]);
    assert.deepEqual((await store.get('/r/apps/a'))?.value, { labels: {}, name: 'a', memMb: 64 });
    assert.deepEqual((await store.get('/r/format'))?.value, { version: 3 });
    assert.deepEqual(await ensureStateFormat(store, { key: '/r/format', current: 3, migrations }), [], 'nothing left to do');
  });

  it('treats state without a recorded format as format 1', async () => {
    const store = new MemoryStore();
    await store.put('/r/apps/a', { name: 'a' });
    let ran = 0;
    await ensureStateFormat(store, { key: '/r/format', current: 2, migrations: [{ from: 1, description: 'x', migrate: async () => { ran++; } }] });
    assert.equal(ran, 1);
  });

  it('refuses state newer than the binary, and a gap in the migrations, leaving the state untouched', async () => {
    const store = new MemoryStore();
    await store.put('/r/format', { version: 5 });
    await assert.rejects(ensureStateFormat(store, { key: '/r/format', current: 2, migrations: [] }), (err: Error) => err instanceof StateFormatError && /format version 5, newer than this binary understands \(2\)/.test(err.message));
    assert.deepEqual((await store.get('/r/format'))?.value, { version: 5 });
    const old = new MemoryStore();
    await old.put('/r/format', { version: 1 });
    await assert.rejects(ensureStateFormat(old, { key: '/r/format', current: 3, migrations: [{ from: 2, description: 'y', migrate: async () => {} }] }), /no migration of state format 1 to 2/);
  });
});
