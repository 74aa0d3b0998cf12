// The Store contract on ZooKeeper: one znode per key under a root path ('/mesos/state' + '/master/agents/x').
//
// Layout: a key's znode holds the value's JSON text; znodes created only as parents of deeper keys hold no
// data (JSON text is never empty, so "no data" means "not a key"). A key is written as create(empty) followed
// by setData in the same multi, so its store version is exactly the znode's data version: 1 on create, +1 per
// put, and compare-and-set is ZooKeeper's own versioned setData/delete.
//
// Every put/delete/transaction goes through one optimistic loop: read the znodes involved, check expected
// versions against what was read (VersionConflictError with the actual version), then commit one multi in which
// each write is conditional on the version read. If another writer got in between, the multi fails as a whole
// and the loop reads again, so the outcome is as if the operations ran alone.
import {
  checkKey, checkOps, StoreUnavailableError, VersionConflictError, type Store, type StoreOp, type StoreUnwatch, type StoreWatchListener, type Versioned,
} from './store.ts';
import { ZooKeeperError, type MultiOp, type ZooKeeperSession } from './zookeeper-session.ts';
import { ZooKeeperPrefixWatch } from './zookeeper-watch.ts';

/**
 * Largest value accepted, in bytes of JSON text. ZooKeeper refuses requests over its jute.maxbuffer (1 MB
 * including path and headers) by dropping the connection, so oversized values are refused here, before sending.
 */
export const ZOOKEEPER_MAX_VALUE_BYTES = 1_000_000;

export class ValueTooLargeError extends RangeError {
  override name = 'ValueTooLargeError';
}

interface NodeState { data: Buffer; version: number; children: number }

const EMPTY = Buffer.alloc(0);
const MAX_ATTEMPTS = 20;

// Characters ZooKeeper refuses in znode names (its PathUtils), and '%' itself: written as %XX of their UTF-8
// bytes, like encodeURIComponent, so any valid store key has a znode. Names are decoded back when listing.
const UNSAFE = /[%\u0000-\u001f\u007f-\u009f\u{e000}-\u{f8ff}\u{fff0}-\u{10ffff}]/gu;

function encodeSegment(segment: string): string {
  if (segment === '.' || segment === '..') return segment.replace(/\./g, '%2E');
  return segment.replace(UNSAFE, (ch) => encodeURIComponent(ch));
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

export class ZooKeeperStore implements Store {
  /**
   * ZooKeeper refuses a request over jute.maxbuffer (1 MB by default), paths and framing included; apply() checks
   * the values against ZOOKEEPER_MAX_VALUE_BYTES. Writers that batch many records pack them below this.
   */
  readonly transactionLimits = { maxOps: 1000, maxBytes: 800_000, maxValueBytes: ZOOKEEPER_MAX_VALUE_BYTES };
  private closed = false;
  private readonly watches = new Set<ZooKeeperPrefixWatch>();

  /** `root` is the znode under which keys live, e.g. '/mesos/state'; '' for the chroot of the connect string. */
  constructor(private readonly session: ZooKeeperSession, private readonly root: string, private readonly ownsSession = false) {
    if (root !== '' && !/^(\/[^/\0]+)+$/.test(root)) throw new TypeError(`invalid ZooKeeper root path '${root}'`);
  }

  /** The znode of a key (or of a '/'-ending directory part of one; '' is the root). */
  private path(key: string): string { return this.root + key.split('/').map(encodeSegment).join('/'); }

  private open(): void {
    if (this.closed) throw new StoreUnavailableError('ZooKeeper store is closed');
  }

  async get<T = unknown>(key: string): Promise<Versioned<T> | undefined> {
    this.open();
    checkKey(key);
    const node = await this.session.getData(this.path(key));
    if (!node || node.data.length === 0) return undefined;
    return { key, value: JSON.parse(node.data.toString('utf8')) as T, version: node.stat.version };
  }

  async put<T = unknown>(key: string, value: T, expectedVersion?: number): Promise<number> {
    const [version] = await this.apply([{ op: 'put', key, value, ...(expectedVersion === undefined ? {} : { expectedVersion }) }]);
    return version as number;
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    const [existed] = await this.apply([{ op: 'delete', key, ...(expectedVersion === undefined ? {} : { expectedVersion }) }]);
    return existed as boolean;
  }

  async transaction(ops: StoreOp[]): Promise<void> {
    await this.apply(ops);
  }

  async list<T = unknown>(prefix: string): Promise<Versioned<T>[]> {
    this.open();
    if (typeof prefix !== 'string') throw new TypeError('list expects a string prefix');
    // The deepest complete directory of the prefix; its children are matched as plain strings, and every
    // descendant of a matching child matches too.
    const dir = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0));
    const children = (await this.session.getChildren(this.path(dir) || '/')) ?? [];
    const out: Versioned<T>[] = [];
    await Promise.all(children.map((c) => `${dir}/${decodeURIComponent(c)}`).filter((k) => k.startsWith(prefix)).map((k) => this.collect(k, out)));
    return out.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  private async collect<T>(key: string, out: Versioned<T>[]): Promise<void> {
    const [node, children] = await Promise.all([this.session.getData(this.path(key)), this.session.getChildren(this.path(key))]);
    if (node && node.data.length > 0) out.push({ key, value: JSON.parse(node.data.toString('utf8')) as T, version: node.stat.version });
    await Promise.all((children ?? []).map((c) => this.collect(`${key}/${decodeURIComponent(c)}`, out)));
  }

  /**
   * ZooKeeper has a `sync` operation but this client does not expose it; a completed write does the same job:
   * the connected server answers it only after applying every earlier transaction. The root znode holds no data
   * (it is not a key), so writing it empty changes nothing a reader sees.
   */
  async sync(): Promise<void> {
    this.open();
    const root = this.root || '/';
    await this.session.mkdirp(root);
    await this.session.multi([{ type: 'setData', path: root, data: EMPTY, version: -1 }]);
  }

  /** Real ZooKeeper watches: sees every client's writes (see Store.watch and zookeeper-watch.ts). */
  async watch(prefix: string, listener: StoreWatchListener): Promise<StoreUnwatch> {
    this.open();
    if (typeof prefix !== 'string') throw new TypeError('watch expects a string prefix');
    if (typeof listener !== 'function') throw new TypeError('watch expects a listener function');
    const dir = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0));
    const watch = new ZooKeeperPrefixWatch({ session: this.session, dirPath: this.path(dir) || '/', dirKey: dir, prefix, listener });
    await watch.start();
    this.watches.add(watch);
    return () => { watch.close(); this.watches.delete(watch); };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watches) w.close();
    this.watches.clear();
    if (this.ownsSession) this.session.close();
  }

  /** The optimistic loop described at the top; returns per operation the new version (put) or whether the key existed (delete). */
  private async apply(ops: StoreOp[]): Promise<Array<number | boolean>> {
    this.open();
    const texts = checkOps(ops);
    let total = 0;
    texts.forEach((t, i) => {
      const bytes = t === undefined ? 0 : Buffer.byteLength(t);
      if (bytes > ZOOKEEPER_MAX_VALUE_BYTES) {
        throw new ValueTooLargeError(`value for '${ops[i]!.key}' is ${bytes} bytes; a ZooKeeper store holds at most ${ZOOKEEPER_MAX_VALUE_BYTES} bytes per key (ZooKeeper's znode limit is 1 MB)`);
      }
      total += bytes;
    });
    if (total > ZOOKEEPER_MAX_VALUE_BYTES) throw new ValueTooLargeError(`transaction writes ${total} bytes; ZooKeeper accepts at most ${ZOOKEEPER_MAX_VALUE_BYTES} bytes per transaction`);
    const data = texts.map((t) => (t === undefined ? undefined : Buffer.from(t)));

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const state = await this.read(ops.map((op) => this.path(op.key)));
      const { multi, results } = this.plan(ops, data, state);
      if (multi.length === 0) return results;
      try {
        await this.session.multi(multi);
        return results;
      } catch (err) {
        if (err instanceof ZooKeeperError) continue; // someone else wrote in between: read again
        throw err;
      }
    }
    throw new StoreUnavailableError(`ZooKeeper store: gave up after ${MAX_ATTEMPTS} conflicting concurrent writes on ${ops.map((o) => o.key).join(', ')}`);
  }

  /** Reads the znodes of `paths` and, for those missing, their ancestors up to the first existing one. */
  private async read(paths: string[]): Promise<Map<string, NodeState | undefined>> {
    const state = new Map<string, NodeState | undefined>();
    let wanted = [...new Set(paths)];
    while (wanted.length > 0) {
      const nodes = await Promise.all(wanted.map(async (p) => [p, await this.session.getData(p)] as const));
      const next: string[] = [];
      for (const [p, node] of nodes) {
        state.set(p, node ? { data: node.data, version: node.stat.version, children: node.stat.numChildren } : undefined);
        const parent = parentOf(p);
        if (!node && parent !== '' && !state.has(parent)) next.push(parent);
      }
      wanted = [...new Set(next)].filter((p) => !state.has(p));
    }
    return state;
  }

  /** Turns store operations into one conditional multi, simulating each on `state` so later ones see earlier ones. */
  private plan(ops: StoreOp[], data: Array<Buffer | undefined>, state: Map<string, NodeState | undefined>): { multi: MultiOp[]; results: Array<number | boolean> } {
    const multi: MultiOp[] = [];
    const results: Array<number | boolean> = [];
    const ensureParents = (path: string): void => {
      const parent = parentOf(path);
      if (parent === '') return;
      const p = state.get(parent);
      if (p) { p.children++; return; }
      ensureParents(parent);
      multi.push({ type: 'create', path: parent, data: EMPTY });
      state.set(parent, { data: EMPTY, version: 0, children: 1 });
    };
    ops.forEach((op, i) => {
      const path = this.path(op.key);
      const node = state.get(path);
      const actual = node && node.data.length > 0 ? node.version : 0;
      if (op.expectedVersion !== undefined && op.expectedVersion !== actual) throw new VersionConflictError(op.key, op.expectedVersion, actual);
      if (op.op === 'put') {
        const value = data[i]!;
        if (node) {
          multi.push({ type: 'setData', path, data: value, version: node.version });
          node.version++;
          node.data = value;
          results.push(node.version);
        } else {
          ensureParents(path);
          multi.push({ type: 'create', path, data: EMPTY }, { type: 'setData', path, data: value, version: 0 });
          state.set(path, { data: value, version: 1, children: 0 });
          results.push(1);
        }
        return;
      }
      if (actual === 0) { results.push(false); return; }
      if (node!.children > 0) {
        // Keys below it keep their znodes: the key itself becomes an empty parent again.
        multi.push({ type: 'setData', path, data: EMPTY, version: node!.version });
        node!.version++;
        node!.data = EMPTY;
      } else {
        multi.push({ type: 'remove', path, version: node!.version });
        state.set(path, undefined);
        const parent = state.get(parentOf(path));
        if (parent) parent.children--;
      }
      results.push(true);
    });
    return { multi, results };
  }
}

