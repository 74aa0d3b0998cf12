// The folder view of the apps: groups derived from the app ids (plus groups created empty through /v2/groups),
// each with its own apps, its child groups and totals over everything below it. Pure; one pass over the apps
// (each app adds to its few ancestors), so 10,000 apps in 100 groups cost ~30,000 additions.
import type { AppRow, AppStatus } from './status.ts';

export interface GroupSummary {
  id: string;
  /** The last segment ("/web/backend" → "backend"); "/" for the root. */
  name: string;
  /** Apps anywhere below the group. */
  apps: number;
  /** Totals over those apps: wanted, running, staged, healthy and unhealthy instances. */
  instances: number; running: number; staged: number; healthy: number; unhealthy: number;
  /** CPUs and memory (MB) of every wanted instance below the group. */
  cpus: number; mem: number;
  /** The most pressing status among the apps below (delayed > waiting > deploying > running > suspended). */
  status: AppStatus | undefined;
  /** Child group ids, sorted. */
  groups: string[];
  /** The group's own apps (not those of child groups), in the order given (the store sorts by id). */
  ownApps: AppRow[];
}

export type GroupTree = ReadonlyMap<string, GroupSummary>;

export type ListItem = { kind: 'group'; group: GroupSummary } | { kind: 'app'; row: AppRow };

/** The group holding an app or group ("/a/b" → "/a", "/a" → "/"). */
export function parentGroup(id: string): string {
  const i = id.lastIndexOf('/');
  return i <= 0 ? '/' : id.slice(0, i);
}

export function groupName(id: string): string {
  return id === '/' ? '/' : id.slice(id.lastIndexOf('/') + 1);
}

/** The groups above `id`, root first, without `id` itself ("/a/b/c" → ["/", "/a", "/a/b"]). */
export function ancestors(id: string): string[] {
  const out: string[] = [];
  for (let g = id; g !== '/';) { g = parentGroup(g); out.unshift(g); }
  return out;
}

const SEVERITY: Record<AppStatus, number> = { suspended: 1, running: 2, deploying: 3, waiting: 4, delayed: 5 };

/** The group summaries of every group with apps below it, every group in `explicit` and all their ancestors. */
export function buildGroupTree(rows: readonly AppRow[], explicit: Iterable<string> = []): Map<string, GroupSummary> {
  const tree = new Map<string, GroupSummary>();
  const ensure = (id: string): GroupSummary => {
    let g = tree.get(id);
    if (g) return g;
    g = { id, name: groupName(id), apps: 0, instances: 0, running: 0, staged: 0, healthy: 0, unhealthy: 0, cpus: 0, mem: 0, status: undefined, groups: [], ownApps: [] };
    tree.set(id, g);
    if (id !== '/') ensure(parentGroup(id)).groups.push(id);
    return g;
  };
  ensure('/');
  for (const id of explicit) if (id.startsWith('/')) ensure(id.replace(/\/+$/, '') || '/');
  for (const row of rows) {
    const { app, status } = row;
    let g: GroupSummary | undefined = ensure(parentGroup(app.id));
    g.ownApps.push(row);
    // Each ancestor by its id: the parent chain is short (the depth of the id), the lookups are map hits.
    for (let id = g.id; ; id = parentGroup(id)) {
      g = tree.get(id)!;
      g.apps++;
      g.instances += app.instances;
      g.running += app.tasksRunning ?? 0;
      g.staged += app.tasksStaged ?? 0;
      g.healthy += app.tasksHealthy ?? 0;
      g.unhealthy += app.tasksUnhealthy ?? 0;
      g.cpus += app.cpus * app.instances;
      g.mem += app.mem * app.instances;
      if (!g.status || SEVERITY[status] > SEVERITY[g.status]) g.status = status;
      if (id === '/') break;
    }
  }
  for (const g of tree.values()) g.groups.sort();
  return tree;
}

/** What the folder view lists for a group: its child groups first, then its own apps. */
export function groupItems(group: GroupSummary, tree: GroupTree): ListItem[] {
  const items: ListItem[] = [];
  for (const id of group.groups) items.push({ kind: 'group', group: tree.get(id)! });
  for (const row of group.ownApps) items.push({ kind: 'app', row });
  return items;
}

/** Every app below a group (the root: all of them), for the flat filtered list. */
export function appsUnder(rows: readonly AppRow[], groupId: string): readonly AppRow[] {
  if (groupId === '/') return rows;
  const prefix = `${groupId}/`;
  return rows.filter((r) => r.app.id.startsWith(prefix));
}

/** Wanted instances of these apps now and after scaling by `factor` (each app rounded, as the server does). */
export function scaledInstances(rows: readonly AppRow[], factor: number): { before: number; after: number } {
  let before = 0;
  let after = 0;
  for (const { app } of rows) { before += app.instances; after += Math.round(app.instances * factor); }
  return { before, after };
}

/** Remembers the last result: the tree is rebuilt only when the apps or the group list changed. */
export function memoizeLast<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let lastArgs: A | undefined;
  let last: R;
  return (...args: A) => {
    if (!lastArgs || args.length !== lastArgs.length || args.some((a, i) => a !== lastArgs![i])) { last = fn(...args); lastArgs = args; }
    return last;
  };
}

/** The nearest group above `id` that exists in `tree` (after a removal, or for a group that does not exist). */
export function nearestExisting(tree: GroupTree, id: string): string {
  return ancestors(id).reverse().find((g) => tree.has(g)) ?? '/';
}
