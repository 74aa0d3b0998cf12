import { VersionConflictError, type Store, type StoreOp, type Versioned } from './store.ts';

/** In-process store for tests and `--registry in_memory`: nothing survives a restart. */
export class MemoryStore implements Store {
  private readonly data = new Map<string, { json: string; version: number }>();

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const e = this.data.get(key);
    return e ? { key, value: JSON.parse(e.json) as T, version: e.version } : undefined;
  }

  private check(key: string, expected: number | undefined): number {
    const actual = this.data.get(key)?.version ?? 0;
    if (expected !== undefined && expected !== actual) throw new VersionConflictError(key, expected, actual);
    return actual;
  }

  async put<T>(key: string, value: T, expectedVersion?: number): Promise<number> {
    const version = this.check(key, expectedVersion) + 1;
    this.data.set(key, { json: JSON.stringify(value), version });
    return version;
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    this.check(key, expectedVersion);
    return this.data.delete(key);
  }

  async list<T>(prefix: string): Promise<Versioned<T>[]> {
    return [...this.data].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, e]) => ({ key, value: JSON.parse(e.json) as T, version: e.version }));
  }

  async transaction(ops: StoreOp[]): Promise<void> {
    for (const op of ops) this.check(op.key, op.expectedVersion);
    for (const op of ops) {
      if (op.op === 'put') this.data.set(op.key, { json: JSON.stringify(op.value), version: (this.data.get(op.key)?.version ?? 0) + 1 });
      else this.data.delete(op.key);
    }
  }

  async close(): Promise<void> { /* nothing to release */ }
}
