// The format of a role's state (the shape of what it keeps under its prefix), recorded in the store next to the
// state itself, so it travels with it (SQLite file or ZooKeeper). A newer binary migrates older state step by step
// at start-up; an older binary refuses newer state with a message instead of misreading it.
import type { Store } from './store.ts';
import { VersionConflictError } from './store.ts';

export interface StateMigration {
  /** Migrates state of format `from` to `from + 1`. Must be idempotent: a crash before the new format is recorded
   * runs it again at the next start (and HA instances starting together may both run it). */
  from: number;
  description: string;
  migrate(store: Store): Promise<void>;
}

export interface StateFormat {
  /** e.g. '/marathon/format' */
  key: string;
  /** The format this binary writes. */
  current: number;
  /** One per step from 1 up to current - 1. */
  migrations: StateMigration[];
}

export class StateFormatError extends Error {
  override name = 'StateFormatError';
}

interface Recorded { version: number }

/**
 * Checks and records the state format; returns the migrations it ran. State without a recorded format is format 1
 * (what every role wrote before formats were recorded).
 */
export async function ensureStateFormat(store: Store, format: StateFormat): Promise<StateMigration[]> {
  const ran: StateMigration[] = [];
  for (;;) {
    const entry = await store.get<Recorded>(format.key);
    const version = entry?.value.version ?? 1;
    if (!Number.isSafeInteger(version) || version < 1) throw new StateFormatError(`state format at ${format.key} is unreadable (${JSON.stringify(entry?.value)}); refusing to use this state`);
    if (version > format.current) {
      throw new StateFormatError(`state has format version ${version}, newer than this binary understands (${format.current}); upgrade trireme, or point it at other state`);
    }
    if (version === format.current) {
      if (!entry) await store.put<Recorded>(format.key, { version }, 0).catch((err) => { if (!(err instanceof VersionConflictError)) throw err; });
      return ran;
    }
    const step = format.migrations.find((m) => m.from === version);
    if (!step) throw new StateFormatError(`no migration of state format ${version} to ${version + 1}; this binary cannot upgrade this state`);
    await step.migrate(store);
    ran.push(step);
    try {
      await store.put<Recorded>(format.key, { version: version + 1 }, entry?.version ?? 0);
    } catch (err) {
      // Another instance recorded a step meanwhile: read again and go on from there.
      if (!(err instanceof VersionConflictError)) throw err;
    }
  }
}
