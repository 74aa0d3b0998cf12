import {
  StoreUnavailableError, VersionConflictError, checkExpectedVersion, checkKey, checkOps, encodeValue,
  type Store, type StoreChange, type StoreOp, type StoreUnwatch, type StoreWatchListener, type Versioned,
} from './store.ts';
import { LocalWatchers } from './local-watchers.ts';

type Entry = { json: string; version: number };

/** In-process store for tests and `--registry in_memory`: same contract as SqliteStore, nothing survives a restart. */
export class MemoryStore implements Store {
  private readonly data = new Map<string, Entry>();
  private closed = false;
  private readonly watchers = new LocalWatchers();

  private open(): void {
    if (this.closed) throw new StoreUnavailableError('in-memory store is closed');
  }

  private static check(key: string, entry: Entry | undefined, expected: number | undefined): number {
    const actual = entry?.version ?? 0;
    if (expected !== undefined && expected !== actual) throw new VersionConflictError(key, expected, actual);
    return actual;
  }

  async get<T = unknown>(key: string): Promise<Versioned<T> | undefined> {
    this.open();
    checkKey(key);
    const e = this.data.get(key);
    return e ? { key, value: JSON.parse(e.json) as T, version: e.version } : undefined;
  }

  async put<T = unknown>(key: string, value: T, expectedVersion?: number): Promise<number> {
    this.open();
    checkKey(key);
    const expected = checkExpectedVersion(key, expectedVersion);
    const json = encodeValue(key, value);
    const version = MemoryStore.check(key, this.data.get(key), expected) + 1;
    this.data.set(key, { json, version });
    this.watchers.notify([{ type: 'put', key, version }]);
    return version;
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    this.open();
    checkKey(key);
    MemoryStore.check(key, this.data.get(key), checkExpectedVersion(key, expectedVersion));
    const existed = this.data.delete(key);
    if (existed) this.watchers.notify([{ type: 'delete', key }]);
    return existed;
  }

  async list<T = unknown>(prefix: string): Promise<Versioned<T>[]> {
    this.open();
    if (typeof prefix !== 'string') throw new TypeError('list expects a string prefix');
    // Order by UTF-16 code units would differ from SQLite's (UTF-8 bytes) for keys mixing characters above
    // U+FFFF with U+E000..U+FFFF; Buffer.compare keeps both implementations in the same order.
    return [...this.data]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, e]) => ({ k, e, b: Buffer.from(k, 'utf8') }))
      .sort((x, y) => Buffer.compare(x.b, y.b))
      .map(({ k, e }) => ({ key: k, value: JSON.parse(e.json) as T, version: e.version }));
  }

  async transaction(ops: StoreOp[]): Promise<void> {
    this.open();
    const jsons = checkOps(ops);
    // Stage every change first (each op sees the earlier ones), then apply: a conflict changes nothing.
    const staged = new Map<string, Entry | undefined>();
    const changes: StoreChange[] = [];
    ops.forEach((op, i) => {
      const current = staged.has(op.key) ? staged.get(op.key) : this.data.get(op.key);
      const version = MemoryStore.check(op.key, current, op.expectedVersion);
      staged.set(op.key, op.op === 'put' ? { json: jsons[i]!, version: version + 1 } : undefined);
      if (op.op === 'put') changes.push({ type: 'put', key: op.key, version: version + 1 });
      else if (current) changes.push({ type: 'delete', key: op.key });
    });
    for (const [key, entry] of staged) {
      if (entry) this.data.set(key, entry);
      else this.data.delete(key);
    }
    this.watchers.notify(changes);
  }

  async watch(prefix: string, listener: StoreWatchListener): Promise<StoreUnwatch> {
    this.open();
    return this.watchers.add(prefix, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    this.data.clear();
  }
}
