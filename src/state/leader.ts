// Leader election: one interface, a solo implementation now, ZooKeeper with the HA issue.

/** A contender: `id` is unique per process incarnation; `data` is what others learn about the leader (e.g. MasterInfo JSON). */
export interface LeaderInfo { id: string; data: unknown }

export type LeaderListener = (leader: LeaderInfo | undefined, isSelf: boolean) => void;

export interface LeaderElector {
  /** Joins the election; resolves once this contender is registered. Rejects if already started. */
  start(self: LeaderInfo): Promise<void>;
  isLeader(): boolean;
  /** The current leader as far as this process knows (possibly another process), or undefined when none is known. */
  leader(): LeaderInfo | undefined;
  /**
   * Called on every change of the known leader (not with the current state on subscription: read leader()).
   * `isSelf` tells whether this contender now leads. Implementations document when listeners run
   * (SoloElector: synchronously inside start()/stop(); ZooKeeper: from its event callbacks). Returns an
   * unsubscribe function.
   */
  onChange(listener: LeaderListener): () => void;
  /** Leaves the election (giving up leadership if held); listeners hear the change. Idempotent. */
  stop(): Promise<void>;
}
