// Store.watch on ZooKeeper: one prefix watch follows the znode tree below the prefix's deepest complete directory
// with ZooKeeper's one-shot watches: a data watch on every znode (puts, and deletes of a key whose znode stays as
// the parent of deeper keys) and a child watch on every znode (keys created below it, subtrees removed).
//
// Each watch that fires is handled by re-reading its znode with the watch armed again in the same request, and
// diffing against what was seen last: changes made between the trigger and the re-read are never lost, only
// coalesced. After every (re)connection the whole tree is re-read the same way (a new session has lost all its
// watches; a resumed one may have missed a trigger while a request failed). Znodes are told apart by mzxid, so a
// key deleted and re-created between two reads is still reported. All handling runs one step at a time.
import type { Logger } from 'pino';
import { reportListenerError } from './local-watchers.ts';
import type { StoreChange, StoreWatchListener } from './store.ts';
import type { ZooKeeperSession } from './zookeeper-session.ts';

/** A znode of the watched tree as last read: its key, and for a key holding data, its version and mzxid. */
interface Known { key: string; data?: { version: number; mzxid: string } }

type Step = () => Promise<void>;

export interface ZooKeeperPrefixWatchOptions {
  session: ZooKeeperSession;
  /** The znode of the directory key (the prefix up to its last '/'). */
  dirPath: string;
  dirKey: string;
  prefix: string;
  listener: StoreWatchListener;
  logger?: Logger;
}

function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

export class ZooKeeperPrefixWatch {
  /** Every znode below the directory that belongs to the watched tree, by path. */
  private readonly known = new Map<string, Known>();
  private readonly armedData = new Set<string>();
  private readonly armedChildren = new Set<string>();
  private armedExists = false;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly onConnected = (_id: string, isNew: boolean) => {
    if (isNew) this.forgetWatches();
    this.enqueue(() => this.resync(true));
  };
  private readonly onExpired = () => this.forgetWatches();

  constructor(private readonly o: ZooKeeperPrefixWatchOptions) {}

  /** Reads the tree (arming every watch) without reporting it; rejects when ZooKeeper cannot be read. */
  async start(): Promise<void> {
    this.o.session.on('connected', this.onConnected);
    this.o.session.on('expired', this.onExpired);
    try {
      await this.resync(false);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    this.o.session.off('connected', this.onConnected);
    this.o.session.off('expired', this.onExpired);
  }

  /** A new session has none of our watches: arm them all again. */
  private forgetWatches(): void {
    this.armedData.clear();
    this.armedChildren.clear();
    this.armedExists = false;
  }

  private enqueue(step: Step): void {
    if (this.closed) return;
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await step();
      } catch (err) {
        // Disconnected (the only way a read fails): the next 'connected' re-reads everything.
        this.o.logger?.debug({ prefix: this.o.prefix, err: (err as Error).message }, 'store watch: read failed; re-reading after reconnect');
      }
    });
  }

  private emit(change: StoreChange): void {
    if (this.closed) return;
    try { this.o.listener(change); } catch (err) { reportListenerError(err); }
  }

  // --- watch callbacks: the library has dropped the watch, so re-read (and re-arm) ---

  private dataWatcher(path: string): () => void {
    return () => { this.armedData.delete(path); this.enqueue(() => this.refreshNode(path)); };
  }

  private childWatcher(path: string): () => void {
    return () => { this.armedChildren.delete(path); this.enqueue(() => this.refreshChildren(path)); };
  }

  private readonly existsWatcher = () => { this.armedExists = false; this.enqueue(() => this.refreshChildren(this.o.dirPath)); };

  // --- reads that arm what is not armed ---

  // A watch counts as armed from the moment the request that sets it is sent, not when its reply is handled: the
  // library can hand us the reply and, from the same network read, the watch's first event before our code after
  // `await` runs. Marking it armed after the reply would then mark a watch that has already fired, and nothing
  // would re-arm it (missed creations under load). A watcher that fires clears its mark whenever it comes.

  /** One read that arms `watcher` on `path` unless a watch of that kind is armed there already. */
  private async readArming<T>(armed: Set<string>, path: string, read: (watcher?: () => void) => Promise<T | undefined>, watcher: () => void): Promise<T | undefined> {
    if (armed.has(path)) return read();
    armed.add(path);
    try {
      const result = await read(watcher);
      if (result === undefined) armed.delete(path); // no znode: ZooKeeper sets no watch
      return result;
    } catch (err) {
      armed.delete(path);
      throw err;
    }
  }

  private readData(path: string) {
    return this.readArming(this.armedData, path, (w) => this.o.session.getData(path, w), this.dataWatcher(path));
  }

  private readChildren(path: string): Promise<string[] | undefined> {
    return this.readArming(this.armedChildren, path, (w) => this.o.session.getChildren(path, w), this.childWatcher(path));
  }

  /** Children of the directory that can hold matching keys; arms an existence watch while it does not exist. */
  private async readDirectory(): Promise<Array<{ path: string; key: string }>> {
    for (;;) {
      const children = await this.readChildren(this.o.dirPath);
      if (children) {
        return children.map((c) => ({ path: childPath(this.o.dirPath, c), key: `${this.o.dirKey}/${decodeURIComponent(c)}` }))
          .filter((c) => c.key.startsWith(this.o.prefix));
      }
      if (this.armedExists) return [];
      // exists() arms a watch either way; if the directory appeared in between, read it again.
      const exists = await this.o.session.exists(this.o.dirPath, this.existsWatcher);
      this.armedExists = true;
      if (!exists) return [];
    }
  }

  /** Reads a subtree into `into` (path → what it is now). */
  private async walk(path: string, key: string, into: Map<string, Known>): Promise<void> {
    const [node, children] = await Promise.all([this.readData(path), this.readChildren(path)]);
    if (!node) return; // deleted meanwhile: its parent's child watch has fired
    into.set(path, { key, ...(node.data.length > 0 ? { data: { version: node.stat.version, mzxid: node.stat.mzxid.toString('hex') } } : {}) });
    await Promise.all((children ?? []).map((c) => this.walk(childPath(path, c), `${key}/${decodeURIComponent(c)}`, into)));
  }

  /** Takes `now` as the state of the znodes in `scope`, reporting every difference from what was known. */
  private apply(scope: (path: string) => boolean, now: Map<string, Known>, report: boolean): void {
    for (const [path, was] of this.known) {
      if (!scope(path) || now.has(path)) continue;
      this.known.delete(path);
      if (was.data && report) this.emit({ type: 'delete', key: was.key });
    }
    for (const [path, is] of now) {
      const was = this.known.get(path);
      this.known.set(path, is);
      if (!report) continue;
      if (is.data && (!was?.data || was.data.mzxid !== is.data.mzxid)) this.emit({ type: 'put', key: is.key, version: is.data.version });
      else if (!is.data && was?.data) this.emit({ type: 'delete', key: was.key });
    }
  }

  /** Re-reads the whole tree. */
  private async resync(report: boolean): Promise<void> {
    const now = new Map<string, Known>();
    const top = await this.readDirectory();
    await Promise.all(top.map((c) => this.walk(c.path, c.key, now)));
    this.apply(() => true, now, report);
  }

  /** A data watch fired: the key was written or deleted (or its znode removed, which its parent reports too). */
  private async refreshNode(path: string): Promise<void> {
    const was = this.known.get(path);
    if (!was) return; // no longer in the tree
    const node = await this.readData(path);
    if (!node) { this.apply((p) => p === path || p.startsWith(`${path}/`), new Map(), true); return; }
    const is: Known = { key: was.key, ...(node.data.length > 0 ? { data: { version: node.stat.version, mzxid: node.stat.mzxid.toString('hex') } } : {}) };
    this.apply((p) => p === path, new Map([[path, is]]), true);
  }

  /** A child watch fired: znodes were created or removed below `path`. */
  private async refreshChildren(path: string): Promise<void> {
    if (path === this.o.dirPath) {
      const top = await this.readDirectory();
      await this.adoptChildren(path, top);
      return;
    }
    const parent = this.known.get(path);
    if (!parent) return;
    const children = await this.readChildren(path);
    if (!children) { this.apply((p) => p === path || p.startsWith(`${path}/`), new Map(), true); return; }
    await this.adoptChildren(path, children.map((c) => ({ path: childPath(path, c), key: `${parent.key}/${decodeURIComponent(c)}` })));
  }

  /** Reads the children that are new, forgets (reporting deletes) the ones that are gone. */
  private async adoptChildren(parent: string, children: Array<{ path: string; key: string }>): Promise<void> {
    const listed = new Set(children.map((c) => c.path));
    const base = parent === '/' ? '/' : `${parent}/`;
    const isChild = (p: string) => p.startsWith(base) && !p.slice(base.length).includes('/');
    const gone = [...this.known.keys()].filter((p) => isChild(p) && !listed.has(p));
    for (const g of gone) this.apply((p) => p === g || p.startsWith(`${g}/`), new Map(), true);
    const now = new Map<string, Known>();
    await Promise.all(children.filter((c) => !this.known.has(c.path)).map((c) => this.walk(c.path, c.key, now)));
    this.apply((p) => now.has(p), now, true);
  }
}
