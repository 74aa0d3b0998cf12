import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError, VersionConflictError, type Store, type StoreOp, type Versioned } from './store.ts';

/** On-disk format of the store; bump with a migration when the layout changes. */
export const STORE_FORMAT_VERSION = 1;

type Row = { key: string; value: string; version: number };

/** SQLite (WAL, fsync on commit) in the role's work directory: the embedded default. */
export class SqliteStore implements Store {
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly upsertStmt: Database.Statement<[string, string, number]>;
  private readonly deleteStmt: Database.Statement<[string]>;
  private readonly listStmt: Database.Statement<[string, string], Row>;

  private constructor(private readonly db: Database.Database, readonly path: string) {
    this.getStmt = db.prepare('SELECT key, value, version FROM kv WHERE key = ?');
    this.upsertStmt = db.prepare('INSERT INTO kv (key, value, version) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = excluded.version');
    this.deleteStmt = db.prepare('DELETE FROM kv WHERE key = ?');
    // Range scan: every key that starts with the prefix sorts in [prefix, prefix + U+FFFF).
    this.listStmt = db.prepare('SELECT key, value, version FROM kv WHERE key >= ? AND key < ? ORDER BY key');
  }

  static async open(dir: string, name = 'state.db'): Promise<SqliteStore> {
    const path = join(dir, name);
    let db: Database.Database;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
      db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL)');
    } catch (err) {
      throw new StoreUnavailableError(`cannot open state store at ${path}: ${(err as Error).message}`);
    }
    const row = db.prepare("SELECT value FROM meta WHERE name = 'format_version'").get() as { value: string } | undefined;
    const found = row ? Number(row.value) : undefined;
    if (found !== undefined && found > STORE_FORMAT_VERSION) {
      db.close();
      throw new StoreUnavailableError(`state store at ${path} has format version ${found}, newer than this binary understands (${STORE_FORMAT_VERSION}); upgrade trireme`);
    }
    if (found === undefined) db.prepare("INSERT INTO meta (name, value) VALUES ('format_version', ?)").run(String(STORE_FORMAT_VERSION));
    return new SqliteStore(db, path);
  }

  private current(key: string): Row | undefined {
    return this.getStmt.get(key);
  }

  private check(key: string, expected: number | undefined): number {
    const actual = this.current(key)?.version ?? 0;
    if (expected !== undefined && expected !== actual) throw new VersionConflictError(key, expected, actual);
    return actual;
  }

  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      if (err instanceof VersionConflictError) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
        throw new StoreUnavailableError(`state store at ${this.path} cannot take writes: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const row = this.current(key);
    return row ? { key, value: JSON.parse(row.value) as T, version: row.version } : undefined;
  }

  async put<T>(key: string, value: T, expectedVersion?: number): Promise<number> {
    return this.write(() => {
      const version = this.check(key, expectedVersion) + 1;
      this.upsertStmt.run(key, JSON.stringify(value), version);
      return version;
    });
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    return this.write(() => {
      this.check(key, expectedVersion);
      return this.deleteStmt.run(key).changes > 0;
    });
  }

  async list<T>(prefix: string): Promise<Versioned<T>[]> {
    return this.listStmt.all(prefix, `${prefix}\uffff`).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T, version: r.version }));
  }

  async transaction(ops: StoreOp[]): Promise<void> {
    this.write(() => {
      for (const op of ops) {
        const version = this.check(op.key, op.expectedVersion);
        if (op.op === 'put') this.upsertStmt.run(op.key, JSON.stringify(op.value), version + 1);
        else this.deleteStmt.run(op.key);
      }
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
