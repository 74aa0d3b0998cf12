// The fetcher cache's size limit (--fetcher-cache-size): least recently used entries not in use are evicted to make
// room, and an entry bigger than the whole cache is fetched straight into the sandbox, as Mesos' fetcher does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { planReservation } from '../../../src/agent/fetcher-cache-plan.ts';
import { FetcherCache } from '../../../src/agent/fetcher-cache.ts';
import { Fetcher } from '../../../src/agent/fetcher.ts';
import { tempDir } from '../../helpers/processes.ts';

const entry = (key: string, size: number, lastUsed: number, inUse = false) => ({ key, size, lastUsed, inUse });

describe('fetcher cache reservation plan', () => {
  it('a new entry that fits evicts nothing', () => {
    assert.deepEqual(planReservation([entry('a', 40, 1)], 100, 60), { kind: 'cache', evict: [] });
  });
  it('evicts the least recently used entries, only as many as needed', () => {
    const entries = [entry('new', 30, 9), entry('old', 30, 1), entry('mid', 30, 5)];
    assert.deepEqual(planReservation(entries, 100, 41), { kind: 'cache', evict: ['old', 'mid'] });
    assert.deepEqual(planReservation(entries, 100, 40), { kind: 'cache', evict: ['old'] });
    assert.deepEqual(planReservation(entries, 100, 10), { kind: 'cache', evict: [] });
    assert.deepEqual(planReservation(entries, 100, 11), { kind: 'cache', evict: ['old'] });
  });
  it('entries in use are never evicted; without enough room the URI bypasses the cache', () => {
    const entries = [entry('busy', 60, 1, true), entry('idle', 30, 2)];
    assert.deepEqual(planReservation(entries, 100, 40), { kind: 'cache', evict: ['idle'] });
    const full = planReservation(entries, 100, 50);
    assert.equal(full.kind, 'bypass');
  });
  it('an entry bigger than the whole cache bypasses it and evicts nothing', () => {
    const r = planReservation([entry('a', 10, 1)], 100, 101);
    assert.equal(r.kind, 'bypass');
    assert.match((r as { reason: string }).reason, /more than the whole fetcher cache/);
  });
});

describe('fetcher with a size-limited cache (local files)', () => {
  it('evicts the least recently used file, re-reads an evicted URI and fetches an oversized one without caching', async () => {
    const dir = tempDir('trireme-fcache-');
    try {
      const src = join(dir.path, 'src'); const cacheDir = join(dir.path, 'cache'); const box = join(dir.path, 'sandbox');
      mkdirSync(src); mkdirSync(box);
      for (const [name, size] of [['a', 40], ['b', 40], ['c', 40], ['huge', 150]] as const) writeFileSync(join(src, name), name.repeat(size).slice(0, size));
      const cache = new FetcherCache({ dir: cacheDir, capacity: 100, logger: pino({ level: 'silent' }) });
      const fetcher = new Fetcher({ cache, logger: pino({ level: 'silent' }) });
      const get = (name: string) => fetcher.fetchAll([{ value: join(src, name), cache: true }], box);

      await get('a'); await get('b');
      assert.deepEqual(cache.keys().sort(), [join(src, 'a'), join(src, 'b')]);
      await get('a'); // a is now more recent than b
      await get('c'); // 120 > 100: b, the least recently used, goes
      assert.deepEqual(cache.keys().sort(), [join(src, 'a'), join(src, 'c')]);
      assert.equal(cache.used, 80);
      assert.equal(readdirSync(cacheDir).length, 2, 'the evicted file is gone from disk');

      // A cached copy serves the URI even after the source changed; an evicted one is read again.
      writeFileSync(join(src, 'a'), 'A'.repeat(40)); writeFileSync(join(src, 'b'), 'B'.repeat(40));
      await get('a');
      assert.equal(readFileSync(join(box, 'a'), 'utf8'), 'a'.repeat(40));
      await get('b');
      assert.equal(readFileSync(join(box, 'b'), 'utf8'), 'B'.repeat(40));

      await get('huge');
      assert.equal(readFileSync(join(box, 'huge'), 'utf8').length, 150);
      assert.ok(!cache.keys().includes(join(src, 'huge')));
      assert.ok(cache.used <= 100);

      // A restarted agent starts with an empty cache directory (its own files only).
      writeFileSync(join(cacheDir, 'keep-me'), 'not a cache file');
      await new FetcherCache({ dir: cacheDir, capacity: 100, logger: pino({ level: 'silent' }) }).clear();
      assert.deepEqual(readdirSync(cacheDir), ['keep-me']);
      assert.ok(existsSync(join(box, 'b')));
    } finally {
      dir.remove();
    }
  });
});
