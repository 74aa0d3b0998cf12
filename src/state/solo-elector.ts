import type { LeaderElector, LeaderInfo, LeaderListener } from './leader.ts';

/**
 * A single-node cluster: the only contender leads from start() until stop().
 *
 * Listeners run synchronously inside start() and stop(), before their promises resolve: once `await start()`
 * returns, every listener registered beforehand has seen `(self, true)` and isLeader() is true. A listener that
 * throws does not keep the others from running nor undo the change; start()/stop() then reject with its error
 * (an AggregateError if several threw). A stopped elector can be started again.
 */
export class SoloElector implements LeaderElector {
  private self?: LeaderInfo;
  private readonly listeners = new Set<LeaderListener>();

  async start(self: LeaderInfo): Promise<void> {
    if (this.self) throw new Error(`leader elector already started as '${this.self.id}'`);
    this.self = self;
    this.notify(self, true);
  }

  isLeader(): boolean { return this.self !== undefined; }

  leader(): LeaderInfo | undefined { return this.self; }

  onChange(listener: LeaderListener): () => void {
    // A wrapper per subscription, so subscribing the same function twice gives two independent subscriptions.
    const entry: LeaderListener = (leader, isSelf) => listener(leader, isSelf);
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  async stop(): Promise<void> {
    if (!this.self) return;
    this.self = undefined;
    this.notify(undefined, false);
  }

  private notify(leader: LeaderInfo | undefined, isSelf: boolean): void {
    const errors: unknown[] = [];
    for (const l of [...this.listeners]) {
      try { l(leader, isSelf); } catch (err) { errors.push(err); }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} leadership listeners failed`);
  }
}
