// Leader election: one interface, a solo implementation now, ZooKeeper with the HA issue.

export interface LeaderInfo { id: string; data: unknown }

export interface LeaderElector {
  /** Joins the election; resolves once this contender is registered. */
  start(self: LeaderInfo): Promise<void>;
  isLeader(): boolean;
  /** The current leader as far as this process knows (possibly another process). */
  leader(): LeaderInfo | undefined;
  /** Returns a function that unsubscribes. */
  onChange(listener: (leader: LeaderInfo | undefined, isSelf: boolean) => void): () => void;
  stop(): Promise<void>;
}
