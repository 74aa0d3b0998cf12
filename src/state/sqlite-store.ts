import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  StoreUnavailableError, VersionConflictError, checkExpectedVersion, checkKey, checkOps, encodeValue,
  type Store, type StoreChange, type StoreOp, type StoreUnwatch, type StoreWatchListener, type Versioned,
} from './store.ts';
import { LocalWatchers } from './local-watchers.ts';

/** On-disk format of the store; bump with a migration when the layout changes. */
export const STORE_FORMAT_VERSION = 1;

type Row = { key: string; value: string; version: number };

export interface SqliteStoreOptions {
  /** How long a write waits for another connection's lock before failing with StoreUnavailableError (default 5000). */
  busyTimeoutMs?: number;
}

/** SQLite error codes that mean "the disk cannot serve us right now" rather than a bug: callers answer 503. */
function unavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_BUSY')
    || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_FULL' || code.startsWith('SQLITE_LOCKED');
}

/**
 * SQLite in the role's work directory: the embedded default. WAL journal with synchronous=FULL, so a put
 * that resolved survives `kill -9` and power loss. better-sqlite3 is synchronous: every call runs to completion
 * before the returned promise settles, which also serialises them.
 */
export class SqliteStore implements Store {
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly upsertStmt: Database.Statement<[string, string, number]>;
  private readonly deleteStmt: Database.Statement<[string]>;
  private readonly listStmt: Database.Statement<[string], Row>;
  private readonly putTx: Database.Transaction<(key: string, json: string, expected: number | undefined) => number>;
  private readonly deleteTx: Database.Transaction<(key: string, expected: number | undefined) => boolean>;
  private readonly multiTx: Database.Transaction<(ops: StoreOp[], jsons: Array<string | undefined>) => StoreChange[]>;
  private readonly watchers = new LocalWatchers();

  private constructor(private readonly db: Database.Database, readonly path: string) {
    this.getStmt = db.prepare('SELECT key, value, version FROM kv WHERE key = ?');
    this.upsertStmt = db.prepare('INSERT INTO kv (key, value, version) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = excluded.version');
    this.deleteStmt = db.prepare('DELETE FROM kv WHERE key = ?');
    // Keys sharing a prefix are contiguous in SQLite's (UTF-8 byte) order from the prefix on: list() walks
    // forward with iterate() and stops at the first key that no longer starts with it.
    this.listStmt = db.prepare('SELECT key, value, version FROM kv WHERE key >= ? ORDER BY key');
    this.putTx = db.transaction((key: string, json: string, expected: number | undefined) => {
      const version = this.check(key, expected) + 1;
      this.upsertStmt.run(key, json, version);
      return version;
    });
    this.deleteTx = db.transaction((key: string, expected: number | undefined) => {
      this.check(key, expected);
      return this.deleteStmt.run(key).changes > 0;
    });
    this.multiTx = db.transaction((ops: StoreOp[], jsons: Array<string | undefined>) => {
      const changes: StoreChange[] = [];
      ops.forEach((op, i) => {
        const version = this.check(op.key, op.expectedVersion);
        if (op.op === 'put') {
          this.upsertStmt.run(op.key, jsons[i]!, version + 1);
          changes.push({ type: 'put', key: op.key, version: version + 1 });
        } else if (this.deleteStmt.run(op.key).changes > 0) {
          changes.push({ type: 'delete', key: op.key });
        }
      });
      return changes;
    });
  }

  /**
   * Opens (creating if needed) `<dir>/<name>`. Rejects with StoreUnavailableError naming the path when the
   * directory cannot be created or written, the file is not a usable database, or it was written by a newer
   * format than this binary understands.
   */
  static async open(dir: string, name = 'state.db', options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const path = resolve(join(dir, name));
    let db: Database.Database | undefined;
    let found: string | undefined;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const d = db;
      found = d.transaction(() => {
        d.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
        d.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL)');
        const row = d.prepare("SELECT value FROM meta WHERE name = 'format_version'").get() as { value: string } | undefined;
        if (!row) d.prepare("INSERT INTO meta (name, value) VALUES ('format_version', ?)").run(String(STORE_FORMAT_VERSION));
        return row?.value;
      }).immediate();
    } catch (err) {
      db?.close();
      const code = String((err as { code?: unknown }).code ?? '');
      const hint = /^(EACCES|EPERM|ENOTDIR|EEXIST|EROFS|ENOSPC|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_FULL)/.test(code)
        ? ` (check that ${dir} is a writable directory)`
        : code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT') ? ' (not a trireme state database, or damaged)' : '';
      throw new StoreUnavailableError(`cannot open state store at ${path}: ${(err as Error).message}${hint}`, { cause: err });
    }
    if (found !== undefined) {
      const version = Number(found);
      if (!Number.isSafeInteger(version) || version < 1) {
        db.close();
        throw new StoreUnavailableError(`state store at ${path} has an unreadable format version ${JSON.stringify(found)}; refusing to open it`);
      }
      if (version > STORE_FORMAT_VERSION) {
        db.close();
        throw new StoreUnavailableError(`state store at ${path} has format version ${version}, newer than this binary understands (${STORE_FORMAT_VERSION}); upgrade trireme or point it at another work dir`);
      }
    }
    return new SqliteStore(db, path);
  }

  /** Runs a database call, turning closed-handle and disk errors into StoreUnavailableError. */
  private run<T>(fn: () => T): T {
    if (!this.db.open) throw new StoreUnavailableError(`state store at ${this.path} is closed`);
    try {
      return fn();
    } catch (err) {
      if (unavailable(err)) throw new StoreUnavailableError(`state store at ${this.path} is unavailable: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  private check(key: string, expected: number | undefined): number {
    const actual = this.getStmt.get(key)?.version ?? 0;
    if (expected !== undefined && expected !== actual) throw new VersionConflictError(key, expected, actual);
    return actual;
  }

  async get<T = unknown>(key: string): Promise<Versioned<T> | undefined> {
    checkKey(key);
    const row = this.run(() => this.getStmt.get(key));
    return row ? { key, value: JSON.parse(row.value) as T, version: row.version } : undefined;
  }

  async put<T = unknown>(key: string, value: T, expectedVersion?: number): Promise<number> {
    checkKey(key);
    const expected = checkExpectedVersion(key, expectedVersion);
    const json = encodeValue(key, value);
    const version = this.run(() => this.putTx.immediate(key, json, expected));
    this.watchers.notify([{ type: 'put', key, version }]);
    return version;
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    checkKey(key);
    const expected = checkExpectedVersion(key, expectedVersion);
    const existed = this.run(() => this.deleteTx.immediate(key, expected));
    if (existed) this.watchers.notify([{ type: 'delete', key }]);
    return existed;
  }

  async list<T = unknown>(prefix: string): Promise<Versioned<T>[]> {
    if (typeof prefix !== 'string') throw new TypeError('list expects a string prefix');
    return this.run(() => {
      const out: Versioned<T>[] = [];
      for (const r of this.listStmt.iterate(prefix)) {
        if (!r.key.startsWith(prefix)) break;
        out.push({ key: r.key, value: JSON.parse(r.value) as T, version: r.version });
      }
      return out;
    });
  }

  async transaction(ops: StoreOp[]): Promise<void> {
    const jsons = checkOps(ops);
    const changes = this.run(() => (ops.length > 0 ? this.multiTx.immediate(ops, jsons) : []));
    this.watchers.notify(changes);
  }

  /** Sees writes made through this object only (see Store.watch). */
  async watch(prefix: string, listener: StoreWatchListener): Promise<StoreUnwatch> {
    this.run(() => undefined);
    return this.watchers.add(prefix, listener);
  }

  async close(): Promise<void> {
    this.watchers.clear();
    if (this.db.open) this.db.close();
  }
}
