// The fetcher's agent-level cache of URIs fetched with `cache: true`: one file per URI in --fetcher-cache-dir,
// at most --fetcher-cache-size bytes in all, least recently used entries evicted first (see fetcher-cache-plan.ts).
// As in Mesos the cache does not outlive the agent: its files are removed when the agent starts.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { planReservation } from './fetcher-cache-plan.ts';

/** Mesos' --fetcher_cache_size default: 2 GB. */
export const DEFAULT_FETCHER_CACHE_SIZE = 2 * 1024 ** 3;

/** Cache files are named after the SHA-256 of their URI (a download in progress or of unknown size carries a suffix). */
const CACHE_FILE = /^[0-9a-f]{64}(\.(fetching|staged)-[\d-]+)?$/;

export interface CacheEntry {
  readonly key: string;
  readonly file: string;
  size: number;
  lastUsed: number;
  /** Fetches downloading or copying this entry. */
  refs: number;
  /** Resolves true once the file is complete, false if its download failed (the entry is gone then). */
  readonly ready: Promise<boolean>;
  settle(ok: boolean): void;
}

export interface FetcherCacheOptions { dir: string; capacity: number; logger: Logger }

export class FetcherCache {
  private readonly entries = new Map<string, CacheEntry>();
  private tick = 0;
  private staged = 0;

  constructor(readonly opts: FetcherCacheOptions) {}

  /** Removes the cache files an earlier agent run left (only files named as this cache names them). */
  async clear(): Promise<void> {
    for (const name of await readdir(this.opts.dir).catch(() => [] as string[])) {
      if (CACHE_FILE.test(name)) await rm(join(this.opts.dir, name), { force: true });
    }
  }

  /** Bytes the entries take. */
  get used(): number { let n = 0; for (const e of this.entries.values()) n += e.size; return n; }

  keys(): string[] { return [...this.entries.keys()]; }

  /** The entry for `uri` (complete or still downloading), now in use and most recently used; release it after. */
  acquire(uri: string): CacheEntry | undefined {
    const e = this.entries.get(uri);
    if (!e) return undefined;
    e.refs++;
    e.lastUsed = ++this.tick;
    return e;
  }

  release(entry: CacheEntry): void { entry.refs = Math.max(0, entry.refs - 1); }

  /**
   * Makes room for a new entry of `size` bytes (evicting least recently used entries not in use) and returns it,
   * in use; or says why the URI must bypass the cache.
   */
  async reserve(uri: string, size: number): Promise<CacheEntry | { bypass: string }> {
    const plan = planReservation([...this.entries.values()].map((e) => ({ key: e.key, size: e.size, lastUsed: e.lastUsed, inUse: e.refs > 0 })), this.opts.capacity, size);
    if (plan.kind === 'bypass') return { bypass: plan.reason };
    // Two fetches of a URI of unknown size may both finish downloading: the first one to finish caches it.
    if (this.entries.has(uri)) return { bypass: 'another fetch cached it meanwhile' };
    for (const key of plan.evict) {
      const victim = this.entries.get(key)!;
      this.entries.delete(key);
      this.opts.logger.info({ uri: key, bytes: victim.size }, 'fetcher cache: evicted');
      await rm(victim.file, { force: true });
    }
    await mkdir(this.opts.dir, { recursive: true });
    let settle!: (ok: boolean) => void;
    const ready = new Promise<boolean>((r) => { settle = r; });
    const entry: CacheEntry = { key: uri, file: this.fileFor(uri), size, lastUsed: ++this.tick, refs: 1, ready, settle };
    this.entries.set(uri, entry);
    return entry;
  }

  /** A fresh file in the cache directory for a download whose size is only known once it is done. */
  async stagingFile(uri: string): Promise<string> {
    await mkdir(this.opts.dir, { recursive: true });
    return `${this.fileFor(uri)}.staged-${process.pid}-${++this.staged}`;
  }

  private fileFor(uri: string): string { return join(this.opts.dir, createHash('sha256').update(uri).digest('hex')); }

  /** The entry's file is complete: its real size replaces the announced one. */
  async completed(entry: CacheEntry): Promise<void> {
    entry.size = (await stat(entry.file)).size;
    entry.settle(true);
  }

  /** The entry's download failed: it is dropped so that a later fetch tries again. */
  async failed(entry: CacheEntry): Promise<void> {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    await rm(entry.file, { force: true });
    entry.settle(false);
  }
}
