// Where Marathon keeps its state in the Store: framework id, apps (current and every version), instances,
// deployments. Ids contain "/", so they are URI-encoded into single key segments.
import type { Store } from '../state/store.ts';
import type { AppDefinition } from './app-definition.ts';
import type { Deployment, Instance } from './model.ts';
import type { GroupRecord } from './groups.ts';

const enc = (id: string) => encodeURIComponent(id);

export interface MarathonState {
  frameworkId?: string;
  apps: AppDefinition[];
  versions: Map<string, string[]>;
  instances: Instance[];
  deployments: Deployment[];
  groups: GroupRecord[];
}

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

  /** Writes run one after another in call order; the returned promise settles with this write. */
  private enqueue<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writes.then(write, write);
    this.writes = next.catch(() => undefined);
    return next;
  }

  saveFrameworkId(id: string): Promise<number> { return this.enqueue(() => this.store.put(`${this.prefix}/framework-id`, id)); }

  /** The current definition and the same version in the history, atomically. */
  saveApp(app: AppDefinition): Promise<void> {
    return this.enqueue(() => this.store.transaction([
      { op: 'put', key: `${this.prefix}/apps/${enc(app.id)}`, value: app },
      { op: 'put', key: `${this.prefix}/app-versions/${enc(app.id)}/${enc(app.version)}`, value: app },
    ]));
  }

  async deleteApp(id: string, versions: string[]): Promise<void> {
    return this.enqueue(async () => {
      await this.store.delete(`${this.prefix}/apps/${enc(id)}`);
      for (const v of versions) await this.store.delete(`${this.prefix}/app-versions/${enc(id)}/${enc(v)}`);
    });
  }

  async appVersion(id: string, version: string): Promise<AppDefinition | undefined> {
    await this.writes;
    return (await this.store.get<AppDefinition>(`${this.prefix}/app-versions/${enc(id)}/${enc(version)}`))?.value;
  }

  saveInstance(i: Instance): Promise<number> { return this.enqueue(() => this.store.put(`${this.prefix}/instances/${enc(i.taskId)}`, i)); }
  deleteInstance(taskId: string): Promise<boolean> { return this.enqueue(() => this.store.delete(`${this.prefix}/instances/${enc(taskId)}`)); }
  saveDeployment(d: Deployment): Promise<number> { return this.enqueue(() => this.store.put(`${this.prefix}/deployments/${enc(d.id)}`, d)); }
  deleteDeployment(id: string): Promise<boolean> { return this.enqueue(() => this.store.delete(`${this.prefix}/deployments/${enc(id)}`)); }

  saveGroup(g: GroupRecord): Promise<number> { return this.enqueue(() => this.store.put(`${this.prefix}/groups/${enc(g.id)}`, g)); }
  deleteGroup(id: string): Promise<boolean> { return this.enqueue(() => this.store.delete(`${this.prefix}/groups/${enc(id)}`)); }

  /** Resolves once every write queued so far is done. */
  async flush(): Promise<void> { await this.writes; }
}
