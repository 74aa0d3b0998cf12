// Where a framework role (Marathon, Chronos) keeps its state and how it elects its leader: SQLite in --work-dir with
// a solo elector by default, ZooKeeper (state and election under the --zk path) for HA, or both injected by tests.
import type { Logger } from 'pino';
import { StartupError } from '../common/http.ts';
import type { LeaderElector } from '../state/leader.ts';
import { MemoryStore } from '../state/memory-store.ts';
import { SoloElector } from '../state/solo-elector.ts';
import { SqliteStore } from '../state/sqlite-store.ts';
import type { Store } from '../state/store.ts';
import { ensureStateFormat, StateFormatError, type StateFormat } from '../state/state-format.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS, openZooKeeperState, ZK_CONNECT_TIMEOUT_MS, type ZooKeeperState } from '../state/zookeeper.ts';

export interface RoleStateOptions {
  /** zk://host:port,.../<role>: state under <path>/state, election under <path>/leader. */
  zk?: string;
  zkSessionTimeoutMs?: number;
  workDir: string;
  /** SQLite file name in workDir, e.g. 'marathon.db'. */
  dbFile: string;
  /** Keep nothing across restarts (MemoryStore) instead of SQLite. */
  inMemory?: boolean;
  /** The role's state format: checked, and older state migrated, before the role reads it. */
  format?: StateFormat;
  logger: Logger;
}

export interface RoleState {
  store: Store;
  elector: LeaderElector;
  /** Whether state and election live in ZooKeeper. */
  zookeeper: boolean;
  /** Closes what openRoleState opened (an injected store is the caller's to close). */
  close(): Promise<void>;
}

/** Opens the role's store and elector; every failure is one StartupError line naming the flag. */
export async function openRoleState(role: string, opts: RoleStateOptions, injected: { store?: Store; elector?: LeaderElector } = {}): Promise<RoleState> {
  let zk: ZooKeeperState | undefined;
  try {
    zk = opts.zk && !injected.store ? openZooKeeperState(opts.zk, { layout: 'role', sessionTimeoutMs: opts.zkSessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS, logger: opts.logger }) : undefined;
  } catch (err) {
    throw new StartupError(`${role}: --zk: ${(err as Error).message}`);
  }
  // State is read at start-up (a standby answers reads from it): wait for the ensemble, failing loudly.
  await zk?.session.waitConnected(ZK_CONNECT_TIMEOUT_MS).catch(async (err: Error) => {
    await zk!.close();
    throw new StartupError(`${role}: --zk: ZooKeeper did not answer within ${ZK_CONNECT_TIMEOUT_MS / 1000} s: ${err.message}`);
  });
  const store: Store = injected.store ?? zk?.store ?? (opts.inMemory
    ? new MemoryStore()
    : await SqliteStore.open(opts.workDir, opts.dbFile).catch((err: Error) => { throw new StartupError(`${role}: --work-dir ${opts.workDir}: ${err.message}`); }));
  const elector = injected.elector ?? zk?.elector ?? new SoloElector();
  if (opts.format) {
    try {
      const ran = await ensureStateFormat(store, opts.format);
      for (const m of ran) opts.logger.info({ from: m.from, to: m.from + 1, migration: m.description }, 'migrated the state format');
    } catch (err) {
      if (zk) await zk.close(); else if (!injected.store) await store.close();
      if (err instanceof StateFormatError) throw new StartupError(`${role}: ${opts.zk ? `--zk ${opts.zk}` : `--work-dir ${opts.workDir}`}: ${err.message}`);
      throw err;
    }
  }
  return {
    store, elector, zookeeper: zk !== undefined,
    async close() {
      if (zk) await zk.close();
      else if (!injected.store) await store.close();
    },
  };
}
