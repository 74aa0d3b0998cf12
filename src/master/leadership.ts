// Ties a Master to a LeaderElector: the master acts (allocates, accepts scheduler and agent calls) only while
// it leads. On election it starts from a clean slate and recovers the registry, as a freshly started Mesos
// master does; agents listed there have --agent-reregister-timeout to come back before they are marked
// unreachable. On losing leadership it stops at once and forgets everything in memory (Mesos aborts the
// process here; we stay up, keep answering reads and redirects, and contend again).
import type { Logger } from 'pino';
import type { Clock } from '../common/clock.ts';
import type { MasterInfo } from '../proto/mesos.ts';
import type { LeaderElector, LeaderInfo } from '../state/leader.ts';
import type { Allocator } from './allocator/allocator.ts';
import type { Master } from './master.ts';
import { masterAddress } from '../scheduler-client/detector.ts';

/** Mesos's --agent_reregister_timeout default. */
export const DEFAULT_AGENT_REREGISTER_TIMEOUT_MS = 10 * 60_000;
const RECOVERY_RETRY_MS = 1000;

export interface MasterLeadershipOptions {
  agentReregisterTimeoutMs: number;
  /** A fresh allocator for each term: allocations of an earlier term must not leak into the next. */
  makeAllocator(): Allocator;
  clock: Clock;
  logger: Logger;
}

export class MasterLeadership {
  /** Bumped on every change, so a recovery that finishes after leadership moved on does nothing. */
  private term = 0;
  private leading = false;
  private recovery: Promise<void> = Promise.resolve();
  private reregisterTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(private readonly master: Master, private readonly elector: LeaderElector, private readonly opts: MasterLeadershipOptions) {}

  /** Joins the election; when this master leads at once (solo), resolves after the registry is recovered. */
  async start(): Promise<void> {
    this.master.leader = false;
    this.unsubscribe = this.elector.onChange((leader, isSelf) => this.changed(leader, isSelf));
    await this.elector.start({ id: this.master.id, data: this.master.info });
    if (this.elector.isLeader() && !this.leading) this.changed(this.elector.leader(), true);
    await this.recovery;
  }

  /** Where non-leading masters redirect to: the leader's host:port, or undefined while none is known or usable. */
  leaderAddress(): string | undefined {
    if (this.master.leader) return `${this.master.opts.hostname}:${this.master.opts.port}`;
    if (this.elector.isLeader()) return undefined; // elected but still recovering: nobody can serve yet
    return masterAddress(this.elector.leader()?.data);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stepDown('stopping');
    await this.elector.stop();
  }

  private changed(leader: LeaderInfo | undefined, isSelf: boolean): void {
    this.master.leaderInfo = isSelf ? undefined : (leader?.data as MasterInfo | undefined);
    if (isSelf && !this.leading) this.becomeLeader();
    else if (!isSelf && this.leading) this.stepDown('lost leadership');
    else if (!isSelf) this.opts.logger.info({ leader: masterAddress(leader?.data) }, leader ? 'following the leading master' : 'no leading master');
  }

  private becomeLeader(): void {
    this.leading = true;
    const term = ++this.term;
    this.opts.logger.info({ masterId: this.master.id }, 'elected leading master; recovering the registry');
    // One recovery at a time: a stale one (leadership lost and regained meanwhile) finishes and cleans up first.
    this.recovery = this.recovery.then(() => this.recover(term));
  }

  /** Reads the registry (retrying while the store is unavailable) and starts acting as leader. */
  private async recover(term: number): Promise<void> {
    if (term !== this.term) return; // queued behind an earlier recovery and already stale
    this.reset();
    try {
      await this.master.opts.store.sync?.(); // see the previous leader's last writes, not a lagging replica
      await this.master.start();
    } catch (err) {
      if (term !== this.term) { this.reset(); return; }
      this.opts.logger.error({ err: (err as Error).message }, 'registry recovery failed; retrying');
      this.master.stop();
      this.retryTimer = setTimeout(() => { if (term === this.term) this.recovery = this.recover(term); }, RECOVERY_RETRY_MS);
      this.retryTimer.unref();
      return;
    }
    if (term !== this.term) { this.reset(); return; } // leadership moved on while the registry was read
    this.master.leader = true;
    const expected = this.master.recoveredAgents.size;
    this.opts.logger.info({ agentsToReregister: expected, timeoutMs: this.opts.agentReregisterTimeoutMs }, 'leading: waiting for agents to re-register and frameworks to re-subscribe');
    if (expected > 0) {
      this.reregisterTimer = setTimeout(() => { if (term === this.term) void this.markUnreturnedAgentsUnreachable(); }, this.opts.agentReregisterTimeoutMs);
      this.reregisterTimer.unref();
    }
  }

  /** Agents of the registry that did not re-register in time become unreachable (Mesos: agent_reregister_timeout). */
  private async markUnreturnedAgentsUnreachable(): Promise<void> {
    const now = this.opts.clock.now();
    for (const [id, agent] of [...this.master.recoveredAgents]) {
      try {
        await this.master.opts.store.put(`/master/registry/agents/${id}`, { hostname: agent.hostname, unreachable_time: now });
      } catch (err) {
        this.opts.logger.error({ err: (err as Error).message, agentId: id }, 'cannot mark agent unreachable in the registry');
        continue;
      }
      this.master.recoveredAgents.delete(id);
      this.master.unreachableAgents.set(id, { time: now, hostname: agent.hostname });
      this.opts.logger.warn({ agentId: id, hostname: agent.hostname }, 'agent did not re-register after failover; marked unreachable');
    }
  }

  /** Stops acting as leader at once: no allocation, no calls served, streams dropped so clients re-detect. */
  private stepDown(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.term++;
    this.master.leader = false;
    this.opts.logger.warn({ why }, 'no longer the leading master');
    this.reset();
    this.master.emit('stepped-down');
  }

  /** Drops every in-memory trace of a term: streams, timers, agents, frameworks, offers, allocator state. */
  private reset(): void {
    if (this.reregisterTimer) clearTimeout(this.reregisterTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const m = this.master;
    m.stop();
    for (const fw of m.frameworks.values()) if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    m.agents.clear();
    m.unreachableAgents.clear();
    m.recoveredAgents.clear();
    m.frameworks.clear();
    m.completedFrameworks.length = 0;
    m.offers.clear();
    m.weights = {};
    m.electedTime = undefined;
    m.opts.allocator = this.opts.makeAllocator();
  }
}
