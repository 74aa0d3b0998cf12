// Versioned key/value store with compare-and-set: the one interface every role persists through.
// Embedded: SqliteStore (default) and MemoryStore; the HA issue adds ZooKeeper behind the same surface.
//
// Contract shared by every implementation (test/unit/store.test.ts runs it against each):
// - Keys are '/'-separated paths of non-empty segments: '/master/agents/<id>' (see isValidKey). They map
//   one-to-one onto ZooKeeper znode paths, hence no empty segment, no trailing '/', no NUL.
// - Values are JSON: stored as their JSON text, so callers get a fresh copy on every read and later mutation
//   of a value passed to put() does not reach the store. A value JSON.stringify cannot encode (undefined, a
//   function, a symbol, a BigInt) is a TypeError.
// - Versions start at 1 on create and grow by 1 on every put; delete forgets the key, so a re-created key
//   starts again at 1 (as a ZooKeeper znode does). expectedVersion 0 means "must not exist".
// - list(prefix) is a plain string prefix: '/a/b/' finds '/a/b/1' but not '/a/bc'; '/a/b' finds both.
// - transaction() applies its operations in order, each seeing the earlier ones, and commits all or none.
// - After close() every call rejects with StoreUnavailableError.
// - watch(prefix, listener) reports later puts and deletes of keys starting with `prefix` (see StoreChange). What
//   a watcher sees depends on the backend, see Store.watch.

export interface Versioned<T = unknown> { key: string; value: T; version: number }

export type StoreOp =
  | { op: 'put'; key: string; value: unknown; expectedVersion?: number }
  | { op: 'delete'; key: string; expectedVersion?: number };

/**
 * One change seen by a watch: a put (create or update) with the key's version after it, or a delete. Deletes
 * carry no version: ZooKeeper does not say which version a deleted znode had.
 */
export type StoreChange =
  | { type: 'put'; key: string; version: number }
  | { type: 'delete'; key: string };

export type StoreWatchListener = (change: StoreChange) => void;

/** Stops a watch: no listener call after it returns. */
export type StoreUnwatch = () => void;

/**
 * How big one transaction, and one value, may be on a backend that bounds them: commit-units.ts packs writes within
 * maxOps/maxBytes; writers check a record against maxValueBytes before they act on it (a refused write after the
 * change was applied in memory would lose it at the next restart).
 */
export interface TransactionLimits { maxOps: number; maxBytes: number; maxValueBytes: number }

export interface Store {
  /** Set by backends whose transactions are bounded (ZooKeeper); SQLite and memory take any size. */
  readonly transactionLimits?: TransactionLimits;
  get<T = unknown>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Create or replace; with expectedVersion it is compare-and-set (0 = must not exist); throws
   * VersionConflictError on mismatch. Returns the new version.
   */
  put<T = unknown>(key: string, value: T, expectedVersion?: number): Promise<number>;
  /** True when the key existed. With expectedVersion, throws VersionConflictError on mismatch (0 = must not exist). */
  delete(key: string, expectedVersion?: number): Promise<boolean>;
  /** Entries whose key starts with `prefix` (plain string prefix), sorted by key. */
  list<T = unknown>(prefix: string): Promise<Versioned<T>[]>;
  /** Several puts/deletes atomically (all or nothing), applied in order. */
  transaction(ops: StoreOp[]): Promise<void>;
  /**
   * Makes later reads through this store see every write committed anywhere before the call. Only backends whose
   * reads may lag other clients' writes implement it (ZooKeeper: reads are served by the connected server, which
   * may trail the leader). Call it when taking over from another process (a new leader reading state).
   */
  sync?(): Promise<void>;
  /**
   * Calls `listener` for puts and deletes of keys starting with `prefix` (plain string prefix, as list) committed
   * after the returned promise resolves; entries that exist already are not reported (read them with list()
   * after watching, so that nothing falls in between). Resolves once the watch is armed; close() and the returned
   * function stop it. A listener that throws does not undo or fail the write: the error is rethrown on its own.
   *
   * What a watcher sees, per backend:
   * - ZooKeeper: changes by every client of the ensemble (other processes, other masters), through ZooKeeper
   *   watches. Like ZooKeeper's own watches they may coalesce: several puts of a key in quick succession can be
   *   reported once, with the latest version, and a key deleted and re-created in between as one put. No final
   *   state is lost: watches are re-armed after each trigger, and after a reconnect or a new session the watch
   *   re-reads the prefix and reports every difference from what it saw last.
   * - SqliteStore and MemoryStore: only writes made through this store object, every one, in commit order, after
   *   the write has committed (a transaction's changes in operation order). Writes by other processes to the same
   *   SQLite file are not seen: SQLite has no change notification across connections.
   */
  watch(prefix: string, listener: StoreWatchListener): Promise<StoreUnwatch>;
  close(): Promise<void>;
}

export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
  /** `actual` is 0 when the key does not exist, undefined when the backend cannot tell (ZooKeeper). */
  constructor(readonly key: string, readonly expected: number, readonly actual?: number) {
    super(`version conflict on '${key}': expected ${expected}${actual === undefined ? '' : `, found ${actual}`}`);
  }
}

/** The store cannot serve the call (read-only or full disk, closed, unreachable): callers answer 503. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

const KEY = /^(?:\/[^/\0]+)+$/;

/** A key is '/' followed by one or more non-empty '/'-separated segments, without NUL characters. */
export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}

export function checkKey(key: unknown): string {
  if (!isValidKey(key)) throw new TypeError(`invalid store key ${JSON.stringify(key)}: expected a path like '/a/b' (non-empty segments, no trailing '/')`);
  return key;
}

export function checkExpectedVersion(key: string, expected: unknown): number | undefined {
  if (expected === undefined) return undefined;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new TypeError(`invalid expected version ${String(expected)} for '${key}': expected a non-negative integer`);
  }
  return expected;
}

/** The JSON text stored for a value. */
export function encodeValue(key: string, value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`value for '${key}' is not JSON-serialisable (${typeof value})`);
  return json;
}

/** Validates an operation list before anything is written; returns the JSON text of each put's value. */
export function checkOps(ops: readonly StoreOp[]): Array<string | undefined> {
  if (!Array.isArray(ops)) throw new TypeError('transaction expects an array of operations');
  return ops.map((op) => {
    checkKey(op?.key);
    checkExpectedVersion(op.key, op.expectedVersion);
    if (op.op === 'put') return encodeValue(op.key, op.value);
    if (op.op === 'delete') return undefined;
    throw new TypeError(`unknown store operation ${JSON.stringify((op as { op?: unknown }).op)} on '${(op as StoreOp).key}'`);
  });
}
