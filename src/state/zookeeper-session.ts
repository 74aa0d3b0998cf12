// One ZooKeeper session per process, shared by the store, the elector and the master detector.
// Wraps node-zookeeper-client with promises, fails fast instead of queueing while disconnected (the library
// would hold requests until it reconnects), bounds every request by a timeout, and replaces the client when
// the session expires, so callers see a session that heals itself.
import { EventEmitter } from 'node:events';
import zookeeper, { type Client, type Stat } from 'node-zookeeper-client';
import type { Logger } from 'pino';
import { StoreUnavailableError } from './store.ts';

export interface ZooKeeperUrl { connectString: string; path: string }

/** Parses `zk://host1:2181,host2:2181/path` (Mesos's --zk form). */
export function parseZooKeeperUrl(url: string): ZooKeeperUrl {
  const m = /^zk:\/\/([^/]+)(\/.*)?$/.exec(url.trim());
  if (!m) throw new Error(`'${url}' is not a ZooKeeper URL: expected zk://host1:2181,host2:2181/path`);
  const hosts = m[1]!.split(',');
  for (const h of hosts) if (!/^[^:@]+:\d+$/.test(h)) throw new Error(`'${url}': '${h}' is not host:port (authentication in zk:// URLs is not supported)`);
  const path = (m[2] ?? '').replace(/\/+$/, '');
  if (!/^(\/[^/\0]+)+$/.test(path)) throw new Error(`'${url}': expected a znode path after the hosts, e.g. zk://${hosts.join(',')}/mesos`);
  return { connectString: hosts.join(','), path };
}

/** A ZooKeeper error code (NO_NODE, BAD_VERSION, ...) from a request that reached the ensemble. */
export class ZooKeeperError extends Error {
  override name = 'ZooKeeperError';
  constructor(readonly code: number, message: string) { super(message); }
}

export const ZK = {
  NO_NODE: zookeeper.Exception.NO_NODE,
  NODE_EXISTS: zookeeper.Exception.NODE_EXISTS,
  BAD_VERSION: zookeeper.Exception.BAD_VERSION,
  NOT_EMPTY: zookeeper.Exception.NOT_EMPTY,
  PERSISTENT: zookeeper.CreateMode.PERSISTENT,
  EPHEMERAL_SEQUENTIAL: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
} as const;

export type MultiOp =
  | { type: 'create'; path: string; data: Buffer }
  | { type: 'setData'; path: string; data: Buffer; version: number }
  | { type: 'remove'; path: string; version: number };

export interface ZooKeeperSessionOptions {
  /** Requested session timeout (Mesos: --zk_session_timeout, 10secs). */
  sessionTimeoutMs: number;
  /** Bound on a single request; defaults to the session timeout. */
  requestTimeoutMs?: number;
  logger: Logger;
}

/**
 * Events: 'connected' (sessionId, isNewSession) on every (re)connection; 'disconnected' when the link to the
 * ensemble drops (the session may still be alive on the servers); 'expired' when the session is gone and a new
 * one is being opened (ephemeral znodes of the old one are deleted by then).
 */
export class ZooKeeperSession extends EventEmitter {
  private client?: Client;
  private sessionId?: string;
  private isConnected = false;
  /** The library says connected but the server stopped answering probes. */
  private suspected = false;
  private probeTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(readonly connectString: string, private readonly opts: ZooKeeperSessionOptions) {
    super();
    this.setMaxListeners(0);
  }

  get connected(): boolean { return this.isConnected; }

  /** The session timeout asked for (the servers may negotiate it within their min/max bounds). */
  get sessionTimeoutMs(): number { return this.opts.sessionTimeoutMs; }

  /** Starts connecting (and keeps reconnecting); does not wait. */
  start(): void {
    if (this.client || this.closed) return;
    this.open();
  }

  /** Resolves once connected; rejects with StoreUnavailableError after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void> {
    this.start();
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.off('connected', ok); reject(this.unavailable(`no connection within ${timeoutMs} ms`)); }, timeoutMs);
      const ok = () => { clearTimeout(timer); resolve(); };
      this.once('connected', ok);
    });
  }

  private open(): void {
    const client = zookeeper.createClient(this.connectString, { sessionTimeout: this.opts.sessionTimeoutMs, spinDelay: 200, retries: 0 });
    this.client = client;
    client.on('state', (state) => {
      if (this.client !== client) return;
      if (state === zookeeper.State.SYNC_CONNECTED) {
        const id = client.getSessionId().toString('hex');
        const isNew = id !== this.sessionId;
        this.sessionId = id;
        this.isConnected = true;
        this.suspected = false;
        this.opts.logger.info({ sessionId: id, isNew, timeoutMs: client.getSessionTimeout() }, 'connected to ZooKeeper');
        this.startProbing(client);
        this.emit('connected', id, isNew);
      } else if (state === zookeeper.State.DISCONNECTED) {
        this.isConnected = false;
        this.opts.logger.warn({ sessionId: this.sessionId }, 'disconnected from ZooKeeper');
        this.emit('disconnected');
      } else if (state === zookeeper.State.EXPIRED) {
        this.isConnected = false;
        this.opts.logger.warn({ sessionId: this.sessionId }, 'ZooKeeper session expired; opening a new one');
        this.client = undefined;
        client.close();
        this.emit('expired');
        if (!this.closed) this.open();
      }
    });
    client.connect();
  }

  /**
   * The library notices a dead link only when its socket closes; a server that hangs with the socket open would
   * go unnoticed while the ensemble expires our session. So a cheap read every sixth of the session timeout must
   * answer within another sixth; otherwise the link is treated as down ('disconnected') until a probe answers.
   */
  private startProbing(client: Client): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    const every = Math.max(100, Math.floor(this.opts.sessionTimeoutMs / 6));
    const probe = () => {
      if (this.client !== client || this.closed) { this.probeTimer = undefined; return; }
      let answered = false;
      const timer = setTimeout(() => {
        if (answered || this.client !== client || !this.isConnected) return;
        this.suspected = true;
        this.isConnected = false;
        this.opts.logger.warn({ sessionId: this.sessionId, waitedMs: every }, 'ZooKeeper server does not answer; treating the link as down');
        this.emit('disconnected');
      }, every);
      client.exists('/', (err) => {
        answered = true;
        clearTimeout(timer);
        if (!err && this.suspected && this.client === client && client.getState() === zookeeper.State.SYNC_CONNECTED) {
          this.suspected = false;
          this.isConnected = true;
          this.opts.logger.info({ sessionId: this.sessionId }, 'ZooKeeper server answers again');
          this.emit('connected', this.sessionId, false);
        }
      });
      this.probeTimer = setTimeout(probe, every);
      this.probeTimer.unref();
    };
    this.probeTimer = setTimeout(probe, every);
    this.probeTimer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.isConnected = false;
    this.client?.close();
    this.client = undefined;
  }

  private unavailable(why: string): StoreUnavailableError {
    return new StoreUnavailableError(`ZooKeeper ensemble ${this.connectString} is unavailable: ${why}`);
  }

  /** Runs one request on the live client, failing fast when disconnected and after the request timeout. */
  private request<T>(what: string, run: (client: Client, done: (err: unknown, value?: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('ZooKeeper session is closed'));
    const client = this.client;
    if (!client || !this.isConnected) return Promise.reject(this.unavailable('not connected'));
    const timeoutMs = this.opts.requestTimeoutMs ?? this.opts.sessionTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => { settled = true; reject(this.unavailable(`${what} timed out after ${timeoutMs} ms`)); }, timeoutMs);
      run(client, (err, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!err) { resolve(value as T); return; }
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number' && [ZK.NO_NODE, ZK.NODE_EXISTS, ZK.BAD_VERSION, ZK.NOT_EMPTY].includes(code)) {
          reject(new ZooKeeperError(code, `${what}: ${String(err)}`));
        } else {
          reject(this.unavailable(`${what} failed: ${String(err)}`));
        }
      });
    });
  }

  /** Data and stat of a znode, or undefined when it does not exist. A watcher fires once on the next change. */
  async getData(path: string, watcher?: () => void): Promise<{ data: Buffer; stat: Stat } | undefined> {
    try {
      return await this.request<{ data: Buffer; stat: Stat }>(`getData ${path}`, (c, done) => {
        const cb = (err: unknown, data: Buffer, stat: Stat) => done(err, { data: data ?? Buffer.alloc(0), stat });
        if (watcher) c.getData(path, () => watcher(), cb); else c.getData(path, cb);
      });
    } catch (err) {
      if (err instanceof ZooKeeperError && err.code === ZK.NO_NODE) return undefined;
      throw err;
    }
  }

  /** Children names, or undefined when the znode does not exist. A watcher fires once on the next change. */
  async getChildren(path: string, watcher?: () => void): Promise<string[] | undefined> {
    try {
      return await this.request<string[]>(`getChildren ${path}`, (c, done) => {
        const cb = (err: unknown, children: string[]) => done(err, children);
        if (watcher) c.getChildren(path, () => watcher(), cb); else c.getChildren(path, cb);
      });
    } catch (err) {
      if (err instanceof ZooKeeperError && err.code === ZK.NO_NODE) return undefined;
      throw err;
    }
  }

  /**
   * Whether the znode exists. A watcher fires once when it is created, changed or deleted (on a missing znode
   * ZooKeeper arms an existence watch, which fires on its creation).
   */
  exists(path: string, watcher?: () => void): Promise<boolean> {
    return this.request<boolean>(`exists ${path}`, (c, done) => {
      const cb = (err: unknown, stat: Stat | null) => done(err, Boolean(stat));
      if (watcher) c.exists(path, () => watcher(), cb); else c.exists(path, cb);
    });
  }

  /** Creates a znode; returns its path (with the sequence number for sequential modes). */
  create(path: string, data: Buffer, mode: number): Promise<string> {
    return this.request<string>(`create ${path}`, (c, done) => c.create(path, data, mode, (err, created) => done(err, created)));
  }

  /** Creates the persistent znodes of `path` that do not exist yet. */
  mkdirp(path: string): Promise<void> {
    return this.request<void>(`mkdirp ${path}`, (c, done) => c.mkdirp(path, (err) => done(err)));
  }

  remove(path: string, version = -1): Promise<void> {
    return this.request<void>(`remove ${path}`, (c, done) => c.remove(path, version, (err) => done(err)));
  }

  /** Applies the operations atomically (ZooKeeper multi); the error names the first operation that failed. */
  multi(ops: MultiOp[]): Promise<void> {
    return this.request<void>(`multi of ${ops.length}`, (c, done) => {
      const t = c.transaction();
      for (const op of ops) {
        if (op.type === 'create') t.create(op.path, op.data, ZK.PERSISTENT);
        else if (op.type === 'setData') t.setData(op.path, op.data, op.version);
        else t.remove(op.path, op.version);
      }
      t.commit((err) => done(err));
    });
  }
}
