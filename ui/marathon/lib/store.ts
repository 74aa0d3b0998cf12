// The console's live copy of Marathon: /v2/apps, /v2/deployments and /v2/queue loaded once, then kept current by
// the /v2/events stream. An event names the apps it touched; those are refetched one by one after a short debounce
// (a burst of 50 status updates for one app costs one GET), and a burst touching very many apps costs one list.
import { api } from '../../shared/api.ts';
import { eventEffect } from './events.ts';
import { appStatus, type AppRow } from './status.ts';
import type { Deployment, MarathonApp, MarathonEvent, MarathonInfo, QueueEntry } from './types.ts';

export interface MarathonSnapshot {
  loaded: boolean;
  error: unknown;
  rows: AppRow[];
  apps: ReadonlyMap<string, MarathonApp>;
  queue: ReadonlyMap<string, QueueEntry>;
  deployments: Deployment[];
  info: MarathonInfo | undefined;
  /** Group ids from /v2/groups (groups created there exist without apps); the rest derive from app ids. */
  groups: ReadonlySet<string>;
  groupsLoaded: boolean;
}

/** Events the console listens to (the stream is filtered server-side to these). */
export const WATCHED_EVENTS = ['status_update_event', 'health_status_changed_event', 'unhealthy_task_kill_event', 'api_post_event',
  'deployment_info', 'deployment_step_success', 'deployment_step_failure', 'deployment_success', 'deployment_failed', 'app_terminated_event',
  'group_change_success', 'group_change_failed'];

export const EVENTS_PATH = `/v2/events?${WATCHED_EVENTS.map((t) => `event_type=${t}`).join('&')}`;

const DEBOUNCE_MS = 250;
/** More pending apps than this: one GET /v2/apps beats that many single GETs. */
const BULK_REFETCH_OVER = 100;

export const appPath = (id: string) => `/v2/apps${id.split('/').map(encodeURIComponent).join('/')}`;
export const groupPath = (id: string) => `/v2/groups${id === '/' ? '' : id.split('/').map(encodeURIComponent).join('/')}`;

interface GroupJson { id: string; groups?: GroupJson[] }

/** Every group id in a /v2/groups answer (the tree, flattened). */
function groupIdsOf(root: GroupJson): Set<string> {
  const out = new Set<string>();
  const walk = (g: GroupJson) => { out.add(g.id); for (const c of g.groups ?? []) walk(c); };
  walk(root);
  return out;
}

export class MarathonStore {
  private apps = new Map<string, MarathonApp>();
  private queue = new Map<string, QueueEntry>();
  private deployments: Deployment[] = [];
  private info: MarathonInfo | undefined;
  private groups: ReadonlySet<string> = new Set();
  private groupsLoaded = false;
  private pendingGroups = false;
  private loaded = false;
  private error: unknown;
  private snapshot: MarathonSnapshot | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly pendingApps = new Set<string>();
  private pendingDeployments = false;
  private pendingQueue = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Apps whose page is open: refetched with their tasks. */
  private readonly watched = new Map<string, number>();

  subscribe = (l: () => void): (() => void) => { this.listeners.add(l); return () => this.listeners.delete(l); };

  getSnapshot = (): MarathonSnapshot => {
    if (!this.snapshot) {
      const rows = [...this.apps.values()].map((app) => ({ app, status: appStatus(app, this.queue.get(app.id)) }));
      rows.sort((a, b) => (a.app.id < b.app.id ? -1 : a.app.id > b.app.id ? 1 : 0));
      this.snapshot = { loaded: this.loaded, error: this.error, rows, apps: this.apps, queue: this.queue, deployments: this.deployments, info: this.info,
        groups: this.groups, groupsLoaded: this.groupsLoaded };
    }
    return this.snapshot;
  };

  private changed(): void {
    this.snapshot = undefined;
    for (const l of this.listeners) l();
  }

  private loading: Promise<void> | undefined;

  /** Loads everything unless that already worked or is under way (a console that remounts loads once). */
  ensureLoaded(): void {
    if (this.loaded || this.loading) return;
    this.loading = this.loadAll().finally(() => { this.loading = undefined; });
  }

  /**
   * Everything, at start-up and after the event stream reconnects (events may have been missed). The list renders
   * as soon as /v2/apps is in; deployments, the queue and /v2/info follow on their own.
   */
  async loadAll(): Promise<void> {
    const side = Promise.all([
      api<Deployment[]>('/v2/deployments').then((d) => { this.deployments = d; }),
      api<{ queue: QueueEntry[] }>('/v2/queue?embed=lastUnusedOffers').then((q) => { this.queue = new Map(q.queue.map((e) => [e.app.id, e])); }),
      api<MarathonInfo>('/v2/info').then((i) => { this.info = i; }),
      this.fetchGroups(),
    ]).then(() => this.changed(), (err: unknown) => { this.error = err; this.changed(); });
    try {
      const apps = await api<{ apps: MarathonApp[] }>('/v2/apps');
      this.apps = this.keepWatchedTasks(new Map(apps.apps.map((a) => [a.id, a])));
      this.loaded = true;
      this.error = undefined;
      for (const id of this.watched.keys()) this.pendingApps.add(id);
      this.schedule();
    } catch (err) {
      this.error = err;
    }
    this.changed();
    await side;
  }

  onEvent(e: MarathonEvent): void {
    const effect = eventEffect(e);
    let removed = false;
    for (const id of effect.removed) removed = this.apps.delete(id) || removed;
    for (const id of effect.apps) this.pendingApps.add(id);
    this.pendingDeployments ||= effect.deployments;
    this.pendingQueue ||= effect.queue;
    this.pendingGroups ||= effect.groups === true;
    if (removed) { this.apps = new Map(this.apps); this.changed(); }
    if (effect.apps.length > 0 || effect.deployments || effect.queue || effect.groups) this.schedule();
  }

  /** An app page is open: fetch it with its tasks now, and keep its tasks on later refetches. */
  watch(id: string): () => void {
    this.watched.set(id, (this.watched.get(id) ?? 0) + 1);
    this.pendingApps.add(id);
    this.pendingQueue = true;
    void this.flush();
    return () => {
      const n = (this.watched.get(id) ?? 1) - 1;
      if (n <= 0) this.watched.delete(id); else this.watched.set(id, n);
    };
  }

  /** After the console itself changed something: refresh what it touched without waiting for events. */
  touch(ids: string[], opts: { deployments?: boolean; queue?: boolean; groups?: boolean } = {}): void {
    for (const id of ids) this.pendingApps.add(id);
    this.pendingGroups ||= opts.groups ?? false;
    this.pendingDeployments ||= opts.deployments ?? true;
    this.pendingQueue ||= opts.queue ?? true;
    this.schedule();
  }

  /** As touch, but now rather than debounced: resolves once the snapshot has what the server holds after a change. */
  refreshNow(ids: string[], opts: { groups?: boolean } = {}): Promise<void> {
    this.touch(ids, opts);
    return this.flush();
  }

  private schedule(): void {
    if (this.timer === undefined) this.timer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  private flush(): Promise<void> {
    if (this.timer !== undefined) { clearTimeout(this.timer); this.timer = undefined; }
    const ids = [...this.pendingApps];
    this.pendingApps.clear();
    const jobs: Promise<void>[] = [];
    if (ids.length > BULK_REFETCH_OVER) jobs.push(this.refetchAll());
    else if (ids.length > 0) {
      // One copy per flush (the snapshot's map stays as it was); the refetches write into the copy.
      this.apps = new Map(this.apps);
      jobs.push(...ids.map((id) => this.refetchApp(id)));
    }
    if (this.pendingDeployments) {
      this.pendingDeployments = false;
      jobs.push(api<Deployment[]>('/v2/deployments').then((d) => { this.deployments = d; }, () => {}));
    }
    if (this.pendingQueue) {
      this.pendingQueue = false;
      jobs.push(api<{ queue: QueueEntry[] }>('/v2/queue?embed=lastUnusedOffers').then((q) => { this.queue = new Map(q.queue.map((e) => [e.app.id, e])); }, () => {}));
    }
    if (this.pendingGroups) {
      this.pendingGroups = false;
      jobs.push(this.fetchGroups());
    }
    return Promise.all(jobs).then(() => this.changed());
  }

  /**
   * The group ids only (`embed=group.groups`: no apps), so the answer stays small with 10,000 apps. On failure
   * the groups derived from the app ids still show; the next group event tries again.
   */
  private async fetchGroups(): Promise<void> {
    try {
      this.groups = groupIdsOf(await api<GroupJson>('/v2/groups?embed=group.groups'));
    } catch { /* keep what we had */ }
    this.groupsLoaded = true;
  }

  /** The list carries no tasks: open app pages keep theirs until their own refetch lands. */
  private keepWatchedTasks(fresh: Map<string, MarathonApp>): Map<string, MarathonApp> {
    for (const id of this.watched.keys()) {
      const old = this.apps.get(id);
      const now = fresh.get(id);
      if (old?.tasks && now) fresh.set(id, { ...now, tasks: old.tasks });
    }
    return fresh;
  }

  private async refetchAll(): Promise<void> {
    try {
      const { apps } = await api<{ apps: MarathonApp[] }>('/v2/apps');
      this.apps = this.keepWatchedTasks(new Map(apps.map((a) => [a.id, a])));
      for (const id of this.watched.keys()) this.pendingApps.add(id);
      if (this.watched.size > 0) this.schedule();
    } catch { /* the next event or reconnect tries again */ }
  }

  /**
   * One app, through the list's id filter rather than GET /v2/apps/<id>: an app destroyed meanwhile (its tasks'
   * last status updates race its app_terminated_event) is then an empty answer, not a 404 in the browser console.
   */
  private async refetchApp(id: string): Promise<void> {
    try {
      const embed = this.watched.has(id) ? '&embed=apps.tasks&embed=apps.lastTaskFailure' : '';
      const { apps } = await api<{ apps: MarathonApp[] }>(`/v2/apps?id=${encodeURIComponent(id)}${embed}`);
      const app = apps.find((a) => a.id === id);
      if (app) this.apps.set(id, app); else this.apps.delete(id);
    } catch { /* the next event or reconnect tries again */ }
  }

  queueOf(id: string): QueueEntry | undefined { return this.queue.get(id); }

  /** The queue changes with every offer cycle without an event: pages showing a waiting app refresh it. */
  refreshQueue(): void { this.pendingQueue = true; this.schedule(); }
}
