// Where Marathon keeps its state in the Store: framework id, apps (current and every version), instances,
// deployments, groups. Ids contain "/", so they are URI-encoded into single key segments. Writes made in the same
// turn of the event loop are committed together (one transaction, one fsync), in call order: a scale-up of 1,000
// instances costs a few commits, not 1,000.
import type { StateFormat } from '../state/state-format.ts';
import type { Store, StoreOp } from '../state/store.ts';
import type { AppDefinition } from './app-definition.ts';
import type { Deployment, Instance } from './model.ts';
import type { GroupRecord } from './groups.ts';
import { addVersion, type GroupSnapshot } from './group-versions.ts';
import { commitUnits, recordTooLarge } from '../state/commit-units.ts';

const enc = (id: string) => encodeURIComponent(id);

export interface MarathonState {
  frameworkId?: string;
  apps: AppDefinition[];
  versions: Map<string, string[]>;
  instances: Instance[];
  deployments: Deployment[];
  groups: GroupRecord[];
}

/** Format of Marathon's state under /marathon; bump with a migration when what is stored changes shape. */
export const MARATHON_STATE_FORMAT: StateFormat = { key: '/marathon/format', current: 1, migrations: [] };

export class MarathonRepository {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store, private readonly prefix = '/marathon') {}

  async load(): Promise<MarathonState> {
    const fw = await this.store.get<string>(`${this.prefix}/framework-id`);
    const apps = (await this.store.list<AppDefinition>(`${this.prefix}/apps/`)).map((e) => e.value);
    const versions = new Map<string, string[]>();
    for (const e of await this.store.list<AppDefinition>(`${this.prefix}/app-versions/`)) {
      const list = versions.get(e.value.id) ?? [];
      list.push(e.value.version);
      versions.set(e.value.id, list);
    }
    for (const list of versions.values()) list.sort();
    const instances = (await this.store.list<Instance>(`${this.prefix}/instances/`)).map((e) => e.value);
    const deployments = (await this.store.list<Deployment>(`${this.prefix}/deployments/`)).map((e) => e.value);
    const groups = (await this.store.list<GroupRecord>(`${this.prefix}/groups/`)).map((e) => e.value);
    return { ...(fw ? { frameworkId: fw.value } : {}), apps, versions, instances, deployments, groups };
  }

  /** Operations waiting for the next commit (one unit per write call, committed together), and who waits for them. */
  private queued: StoreOp[][] = [];
  private waiters: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  private flushScheduled = false;

  /** Queues operations for the next batch; resolves when the batch holding them is committed. */
  private write(ops: StoreOp[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push(ops);
      this.waiters.push({ resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      this.writes = this.writes.then(() => new Promise<void>((r) => setImmediate(r))).then(async () => {
        this.flushScheduled = false;
        const batch = this.queued.splice(0);
        const waiters = this.waiters.splice(0);
        try {
          // One transaction where the store allows it; ZooKeeper's (about 1 MB each) get as many as it takes.
          await commitUnits(this.store, batch);
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err);
        }
      });
    });
  }

  /**
   * Why the store would refuse a record (over its per-value limit: ZooKeeper's 1 MB), or undefined when it fits.
   * `what` names the record in the message ("the app definition", "this change's deployment record").
   */
  tooLarge(record: unknown, what: string): string | undefined {
    return recordTooLarge(this.store, record, what);
  }

  saveFrameworkId(id: string): Promise<void> { return this.write([{ op: 'put', key: `${this.prefix}/framework-id`, value: id }]); }

  /** The current definition and the same version in the history, atomically. */
  saveApp(app: AppDefinition): Promise<void> {
    return this.write([
      { op: 'put', key: `${this.prefix}/apps/${enc(app.id)}`, value: app },
      { op: 'put', key: `${this.prefix}/app-versions/${enc(app.id)}/${enc(app.version)}`, value: app },
    ]);
  }

  deleteApp(id: string, versions: string[]): Promise<void> {
    return this.write([
      { op: 'delete', key: `${this.prefix}/apps/${enc(id)}` },
      ...versions.map((v): StoreOp => ({ op: 'delete', key: `${this.prefix}/app-versions/${enc(id)}/${enc(v)}` })),
    ]);
  }

  async appVersion(id: string, version: string): Promise<AppDefinition | undefined> {
    await this.flush();
    return (await this.store.get<AppDefinition>(`${this.prefix}/app-versions/${enc(id)}/${enc(version)}`))?.value;
  }

  saveInstance(i: Instance): Promise<void> { return this.write([{ op: 'put', key: `${this.prefix}/instances/${enc(i.taskId)}`, value: i }]); }
  deleteInstance(taskId: string): Promise<void> { return this.write([{ op: 'delete', key: `${this.prefix}/instances/${enc(taskId)}` }]); }
  saveDeployment(d: Deployment): Promise<void> { return this.write([{ op: 'put', key: `${this.prefix}/deployments/${enc(d.id)}`, value: d }]); }
  deleteDeployment(id: string): Promise<void> { return this.write([{ op: 'delete', key: `${this.prefix}/deployments/${enc(id)}` }]); }

  saveGroup(g: GroupRecord): Promise<void> { return this.write([{ op: 'put', key: `${this.prefix}/groups/${enc(g.id)}`, value: g }]); }
  deleteGroup(id: string): Promise<void> { return this.write([{ op: 'delete', key: `${this.prefix}/groups/${enc(id)}` }]); }

  // Group versions: one key per snapshot, plus an index per group listing its versions (oldest first), so listing
  // them reads one small value and bounding them needs no scan. Recording is serialised: each reads the index.
  private groupVersionWrites: Promise<unknown> = Promise.resolve();
  private groupVersionIndex = (id: string) => `${this.prefix}/group-version-index/${enc(id)}`;
  private groupVersionKey = (id: string, version: string) => `${this.prefix}/group-versions/${enc(id)}/${enc(version)}`;

  async groupVersions(id: string): Promise<string[]> {
    await this.flush();
    return (await this.store.get<string[]>(this.groupVersionIndex(id)))?.value ?? [];
  }

  async groupVersion(id: string, version: string): Promise<GroupSnapshot | undefined> {
    await this.flush();
    return (await this.store.get<GroupSnapshot>(this.groupVersionKey(id, version)))?.value;
  }

  /** Stores a snapshot and drops the group's oldest versions beyond `keep`, in one commit. */
  saveGroupVersion(snapshot: GroupSnapshot, keep?: number): Promise<void> {
    const done = this.groupVersionWrites.then(async () => {
      const { kept, dropped } = addVersion(await this.groupVersions(snapshot.id), snapshot.version, keep);
      await this.write([
        { op: 'put', key: this.groupVersionKey(snapshot.id, snapshot.version), value: snapshot },
        { op: 'put', key: this.groupVersionIndex(snapshot.id), value: kept },
        ...dropped.map((v): StoreOp => ({ op: 'delete', key: this.groupVersionKey(snapshot.id, v) })),
      ]);
    });
    this.groupVersionWrites = done.catch(() => undefined);
    return done;
  }

  /** Forgets every version of the groups `ids` (groups that were deleted). */
  deleteGroupVersions(ids: string[]): Promise<void> {
    const done = this.groupVersionWrites.then(async () => {
      const ops: StoreOp[] = [];
      for (const id of ids) {
        const versions = await this.groupVersions(id);
        if (versions.length === 0) continue;
        ops.push({ op: 'delete', key: this.groupVersionIndex(id) }, ...versions.map((v): StoreOp => ({ op: 'delete', key: this.groupVersionKey(id, v) })));
      }
      if (ops.length > 0) await this.write(ops);
    });
    this.groupVersionWrites = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every write queued so far is committed (or failed). */
  async flush(): Promise<void> {
    // A write queued while we wait lands in a later batch; wait for the chain as it stands, then again if needed.
    while (this.flushScheduled || this.queued.length > 0) await this.writes;
    await this.writes;
  }
}
