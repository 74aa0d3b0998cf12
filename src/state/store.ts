// Versioned key/value store with compare-and-set: the one interface every role persists through.
// Embedded: SqliteStore (default) and MemoryStore; the HA issue adds ZooKeeper behind the same surface.

export interface Versioned<T = unknown> { key: string; value: T; version: number }

export type StoreOp =
  | { op: 'put'; key: string; value: unknown; expectedVersion?: number }
  | { op: 'delete'; key: string; expectedVersion?: number };

export interface Store {
  get<T = unknown>(key: string): Promise<Versioned<T> | undefined>;
  /** Create or replace; with expectedVersion it is compare-and-set (0 = must not exist). Returns the new version. */
  put<T = unknown>(key: string, value: T, expectedVersion?: number): Promise<number>;
  delete(key: string, expectedVersion?: number): Promise<boolean>;
  /** Entries whose key starts with `prefix` (plain string prefix), sorted by key. */
  list<T = unknown>(prefix: string): Promise<Versioned<T>[]>;
  /** All operations or none. */
  transaction(ops: StoreOp[]): Promise<void>;
  close(): Promise<void>;
}

export class VersionConflictError extends Error {
  constructor(readonly key: string, readonly expected: number, readonly actual: number) {
    super(`version conflict on '${key}': expected ${expected}, found ${actual}`);
  }
}

/** The store cannot take writes (read-only or full disk): callers answer 503. */
export class StoreUnavailableError extends Error {}
