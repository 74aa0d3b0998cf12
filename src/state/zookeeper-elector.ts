// Leader election on ZooKeeper with the standard recipe: every contender creates an ephemeral-sequential znode
// `<dir>/<prefix>NNNNNNNNNN` holding its info as JSON; the lowest sequence number leads. For the master the
// prefix is 'json.info_' with MasterInfo JSON under the --zk path, which is Mesos's own layout, so tools that
// find a Mesos leader in ZooKeeper find ours.
//
// No split brain: a leader that loses its connection to the ensemble stops leading after a grace of a third of
// the session timeout, before its session can expire on the servers and another contender lead. It keeps its
// znode and leads again if it reconnects within the same session and is still lowest; after an expiry it
// contends afresh.
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { LeaderElector, LeaderInfo, LeaderListener } from './leader.ts';
import { ZK, type ZooKeeperSession } from './zookeeper-session.ts';

/** Mesos's election znode prefix for masters (JSON MasterInfo). */
export const MESOS_MASTER_PREFIX = 'json.info_';

export interface ElectedNode { node: string; info: LeaderInfo }

function sequenceOf(name: string): number {
  return Number(/(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);
}

/** The lowest-numbered contender among the children of `nodes`, ignoring names without `prefix`. */
export function lowestContender(nodes: string[], prefix: string): string | undefined {
  return nodes.filter((n) => n.startsWith(prefix)).sort((a, b) => sequenceOf(a) - sequenceOf(b))[0];
}

/**
 * Follows who leads under `dir` without contending: the master detector of agents and frameworks, and the
 * elector's view of the others. Listeners hear every change of the leading znode (undefined: nobody leads).
 */
export class LeaderWatch {
  private currentNode?: ElectedNode;
  private readonly listeners = new Set<(leader: ElectedNode | undefined) => void>();
  private generation = 0;
  private started = false;
  private retryTimer?: NodeJS.Timeout;
  /** Set by a reconnection: the next refresh announces the leader even if unchanged (clients may wait on it). */
  private reannounce = false;
  private readonly onConnected = () => { this.reannounce = true; void this.refresh(); };

  constructor(private readonly session: ZooKeeperSession, readonly dir: string, readonly prefix: string, private readonly logger: Logger) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.session.on('connected', this.onConnected);
    this.session.start();
    if (this.session.connected) void this.refresh();
  }

  current(): ElectedNode | undefined { return this.currentNode; }

  /** Called after every successful read of the contender list (names with the prefix), changed or not. */
  onContenders?: (names: string[]) => void;

  onChange(listener: (leader: ElectedNode | undefined) => void): () => void {
    const entry = (l: ElectedNode | undefined) => listener(l);
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  stop(): void {
    this.started = false;
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.session.off('connected', this.onConnected);
  }

  /** Re-reads the contenders (arming a watch on the list) and the leader's info. */
  async refresh(): Promise<void> {
    if (!this.started) return;
    const gen = ++this.generation;
    try {
      await this.session.mkdirp(this.dir);
      const children = await this.session.getChildren(this.dir, () => { void this.refresh(); });
      if (gen !== this.generation) return;
      this.onContenders?.((children ?? []).filter((n) => n.startsWith(this.prefix)));
      const lowest = lowestContender(children ?? [], this.prefix);
      if (lowest === undefined) { this.set(undefined); return; }
      if (lowest === this.currentNode?.node) { this.set(this.currentNode); return; }
      const got = await this.session.getData(`${this.dir}/${lowest}`);
      if (gen !== this.generation) return;
      if (!got) { void this.refresh(); return; } // gone meanwhile; the children watch fires too
      let data: unknown;
      try { data = JSON.parse(got.data.toString('utf8')); } catch { data = got.data.toString('utf8'); }
      const id = typeof (data as { id?: unknown })?.id === 'string' ? (data as { id: string }).id : lowest;
      this.set({ node: lowest, info: { id, data } });
    } catch (err) {
      if (gen !== this.generation) return;
      this.logger.warn({ err: (err as Error).message, dir: this.dir }, 'cannot read the election znodes; retrying');
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => { this.retryTimer = undefined; if (this.session.connected) void this.refresh(); }, 1000);
      this.retryTimer.unref();
    }
  }

  private set(leader: ElectedNode | undefined): void {
    const reannounce = this.reannounce;
    this.reannounce = false;
    if (leader?.node === this.currentNode?.node && !reannounce) return;
    this.currentNode = leader;
    this.logger.info({ dir: this.dir, node: leader?.node, leader: leader?.info.id }, leader ? 'leader detected' : 'no leader');
    for (const l of [...this.listeners]) {
      try { l(leader); } catch (err) { this.logger.error({ err }, 'leader listener failed'); }
    }
  }
}

export interface ZooKeeperElectorOptions {
  prefix?: string;
  logger: Logger;
  /**
   * How long a leader keeps leading while disconnected, hoping to reconnect to another ensemble member
   * (default: a third of the session timeout). The servers cannot expire the session sooner than two thirds of
   * the timeout after the client's last ping, so stepping down within a third leaves no window for two leaders,
   * while losing one ZooKeeper node does not cost a leadership change.
   */
  disconnectGraceMs?: number;
}

/**
 * LeaderElector on ZooKeeper. Listeners run from ZooKeeper callbacks (never inside start()); start() resolves
 * once this contender's znode exists, or at once when the ensemble is not reachable yet (it contends as soon
 * as it connects).
 */
export class ZooKeeperLeaderElector implements LeaderElector {
  private self?: LeaderInfo;
  private ownNode?: string;
  private leading = false;
  private lastNotified = '';
  private contending?: Promise<void>;
  private readonly watch: LeaderWatch;
  private readonly listeners = new Set<LeaderListener>();
  private readonly log: Logger;
  private unwatch?: () => void;

  private readonly onConnected = (_id: string, isNew: boolean) => {
    this.clearGrace();
    if (isNew) this.ownNode = undefined;
    void this.contend();
  };

  /**
   * Pending while a disconnected leader may keep leading. Its firing is the only end of the grace: comparing
   * Date.now() against the start instead can still say "within the grace" when the timer fires (timers run on
   * a monotonic clock, Date.now() on the wall clock, and they round differently), and then nothing would ever
   * evaluate again until the ensemble came back: a leader without quorum for good.
   */
  private graceTimer?: NodeJS.Timeout;
  /** The link to the ensemble is down; repeated 'disconnected' events do not restart the grace. */
  private disconnected = false;
  private readonly disconnectGraceMs: number;

  private readonly onDisconnected = () => {
    if (this.disconnected) return;
    this.disconnected = true;
    this.graceTimer = setTimeout(() => { this.graceTimer = undefined; this.evaluate(); }, this.disconnectGraceMs);
    this.graceTimer.unref();
    if (this.leading) this.log.warn({ graceMs: this.disconnectGraceMs }, 'disconnected from ZooKeeper while leading; stepping down unless reconnected within the grace period');
  };
  private readonly onExpired = () => { this.ownNode = undefined; this.evaluate(); };

  constructor(private readonly session: ZooKeeperSession, readonly dir: string, opts: ZooKeeperElectorOptions) {
    this.log = opts.logger;
    this.disconnectGraceMs = opts.disconnectGraceMs ?? Math.floor(session.sessionTimeoutMs / 3);
    this.watch = new LeaderWatch(session, dir, opts.prefix ?? MESOS_MASTER_PREFIX, opts.logger);
    // Our znode deleted from outside (an operator, a cleanup script) while the session lives: contend anew.
    this.watch.onContenders = (names) => {
      if (this.ownNode && this.session.connected && !names.includes(this.ownNode)) {
        this.log.warn({ node: this.ownNode }, 'our election znode is gone; contending again');
        this.ownNode = undefined;
        this.evaluate();
        void this.contend();
      }
    };
  }

  async start(self: LeaderInfo): Promise<void> {
    if (this.self) throw new Error(`leader elector already started as '${this.self.id}'`);
    this.self = self;
    this.session.on('connected', this.onConnected);
    this.session.on('disconnected', this.onDisconnected);
    this.session.on('expired', this.onExpired);
    this.unwatch = this.watch.onChange(() => this.evaluate());
    this.watch.start();
    if (this.session.connected) await this.contend();
  }

  isLeader(): boolean { return this.leading; }

  leader(): LeaderInfo | undefined {
    if (!this.self) return undefined;
    if (this.leading) return this.self;
    const cur = this.watch.current();
    // Our own znode at the head of the list while we are cut off: we do not know who leads.
    if (cur && cur.node === this.ownNode) return undefined;
    return cur?.info;
  }

  onChange(listener: LeaderListener): () => void {
    const entry: LeaderListener = (l, s) => listener(l, s);
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  async stop(): Promise<void> {
    if (!this.self) return;
    this.session.off('connected', this.onConnected);
    this.session.off('disconnected', this.onDisconnected);
    this.session.off('expired', this.onExpired);
    this.unwatch?.();
    this.watch.stop();
    this.clearGrace();
    const own = this.ownNode;
    this.ownNode = undefined;
    this.self = undefined;
    if (own) await this.session.remove(`${this.dir}/${own}`).catch(() => undefined);
    this.evaluate();
  }

  /** Creates our znode unless this session already has one. Serialized: one attempt at a time. */
  private contend(): Promise<void> {
    this.contending ??= this.tryContend().finally(() => { this.contending = undefined; });
    return this.contending;
  }

  private async tryContend(): Promise<void> {
    try {
      if (this.self && !this.ownNode && this.session.connected) await this.createOwnNode(this.self);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot contend for leadership yet; will retry on reconnection');
    }
    this.evaluate();
  }

  private async createOwnNode(self: LeaderInfo): Promise<void> {
    await this.session.mkdirp(this.dir);
    const created = await this.session.create(`${this.dir}/${this.watch.prefix}`, Buffer.from(JSON.stringify(self.data)), ZK.EPHEMERAL_SEQUENTIAL);
    if (this.self !== self) { await this.session.remove(created).catch(() => undefined); return; } // stopped meanwhile
    this.ownNode = basename(created);
    this.log.info({ node: created }, 'contending for leadership');
    await this.watch.refresh();
  }

  private clearGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.disconnected = false;
  }

  private evaluate(): void {
    const head = this.watch.current();
    const inTouch = this.session.connected || this.graceTimer !== undefined;
    this.leading = this.self !== undefined && this.ownNode !== undefined && inTouch && head?.node === this.ownNode;
    const leader = this.leader();
    const key = `${leader?.id ?? ''}|${this.leading}`;
    if (key === this.lastNotified) return;
    this.lastNotified = key;
    this.log.info({ leader: leader?.id, isSelf: this.leading }, this.leading ? 'elected leader' : 'leadership changed');
    for (const l of [...this.listeners]) {
      try { l(leader, this.leading); } catch (err) { this.log.error({ err }, 'leadership listener failed'); }
    }
  }
}
