// Watches of an in-process store (SqliteStore, MemoryStore): the store reports every committed change, in order,
// and each watcher whose prefix matches gets it. Nothing crosses process boundaries (see Store.watch).
import { type StoreChange, type StoreUnwatch, type StoreWatchListener } from './store.ts';

/** Hands a listener's error to the process (uncaught, so it is loud) without failing the write that triggered it. */
export function reportListenerError(err: unknown): void {
  setImmediate(() => { throw err; });
}

export class LocalWatchers {
  private readonly watchers = new Set<{ prefix: string; listener: StoreWatchListener }>();

  add(prefix: string, listener: StoreWatchListener): StoreUnwatch {
    if (typeof prefix !== 'string') throw new TypeError('watch expects a string prefix');
    if (typeof listener !== 'function') throw new TypeError('watch expects a listener function');
    const w = { prefix, listener };
    this.watchers.add(w);
    return () => { this.watchers.delete(w); };
  }

  /** Called by the store after a commit, with its changes in order. */
  notify(changes: readonly StoreChange[]): void {
    if (this.watchers.size === 0) return;
    for (const change of changes) {
      for (const w of [...this.watchers]) {
        if (!change.key.startsWith(w.prefix) || !this.watchers.has(w)) continue;
        try { w.listener({ ...change }); } catch (err) { reportListenerError(err); }
      }
    }
  }

  clear(): void { this.watchers.clear(); }
}
