import type { LeaderElector, LeaderInfo } from './leader.ts';

/** A single-node cluster: the only contender leads from start() until stop(). Listeners run synchronously. */
export class SoloElector implements LeaderElector {
  private self?: LeaderInfo;
  private listeners = new Set<(leader: LeaderInfo | undefined, isSelf: boolean) => void>();

  async start(self: LeaderInfo): Promise<void> {
    this.self = self;
    for (const l of this.listeners) l(self, true);
  }

  isLeader(): boolean { return this.self !== undefined; }

  leader(): LeaderInfo | undefined { return this.self; }

  onChange(listener: (leader: LeaderInfo | undefined, isSelf: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.self = undefined;
    for (const l of this.listeners) l(undefined, false);
  }
}
