import {
  StoreUnavailableError, VersionConflictError, checkExpectedVersion, checkKey, checkOps, encodeValue,
  type Store, type StoreOp, type Versioned,
} from './store.ts';

type Entry = { json: string; version: number };

/** In-process store for tests and `--registry in_memory`: same contract as SqliteStore, nothing survives a restart. */
export class MemoryStore implements Store {
  private readonly data = new Map<string, Entry>();
  private closed = false;

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
    return version;
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    this.open();
    checkKey(key);
    MemoryStore.check(key, this.data.get(key), checkExpectedVersion(key, expectedVersion));
    return this.data.delete(key);
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
    ops.forEach((op, i) => {
      const current = staged.has(op.key) ? staged.get(op.key) : this.data.get(op.key);
      const version = MemoryStore.check(op.key, current, op.expectedVersion);
      staged.set(op.key, op.op === 'put' ? { json: jsons[i]!, version: version + 1 } : undefined);
    });
    for (const [key, entry] of staged) {
      if (entry) this.data.set(key, entry);
      else this.data.delete(key);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.data.clear();
  }
}
