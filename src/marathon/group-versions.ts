// Group versions, as Marathon 1.x keeps them: every change made through /v2/groups records what the group then
// held (the full definitions of its apps and its explicit sub-groups), so `PUT /v2/groups/{id}` with
// `{"version": ...}` can put the group back as it was, apps removed since included. Pure functions here; the
// repository stores the snapshots and the groups API decides when to take them.
import type { AppDefinition } from './app-definition.ts';
import type { GroupRecord } from './groups.ts';
import { isInGroup } from './groups.ts';
import { parentOf } from './path-id.ts';
import type { AppChange } from './scheduler.ts';

/** Versions kept per group: Marathon's `--zk_max_versions` default (50); older ones are dropped. */
export const GROUP_VERSIONS_KEPT = 50;

export interface GroupSnapshot {
  id: string;
  version: string;
  /** Every app inside the group (at any depth), as it was defined at `version`. */
  apps: AppDefinition[];
  /** The explicitly recorded groups inside it (the group itself included when recorded). */
  groups: GroupRecord[];
}

/** What group `id` holds now, recorded as version `version`. */
export function snapshotGroup(id: string, version: string, apps: Iterable<AppDefinition>, groups: Iterable<GroupRecord>): GroupSnapshot {
  return {
    id, version,
    apps: [...apps].filter((a) => isInGroup(a.id, id) && a.id !== id).sort((a, b) => a.id.localeCompare(b.id)),
    groups: [...groups].filter((g) => isInGroup(g.id, id)).sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** The version list after adding `version` (kept sorted oldest first), and the versions that fall off the end. */
export function addVersion(versions: readonly string[], version: string, keep = GROUP_VERSIONS_KEPT): { kept: string[]; dropped: string[] } {
  const all = [...new Set([...versions, version])].sort();
  const cut = Math.max(0, all.length - keep);
  return { kept: all.slice(cut), dropped: all.slice(0, cut) };
}

export interface Rollback {
  /** App changes that make the group's apps those of the snapshot: old definitions back, later apps removed. */
  changes: AppChange[];
  /** Groups to record again (with their dependencies then) and recorded groups the snapshot did not have. */
  groups: GroupRecord[];
  removeGroups: string[];
}

/** The changes that put group `snapshot.id` back to the snapshot, given what exists now. */
export function rollbackTo(snapshot: GroupSnapshot, currentApps: Iterable<AppDefinition>, currentGroups: Iterable<GroupRecord>): Rollback {
  const wanted = new Map(snapshot.apps.map((a) => [a.id, a]));
  const changes: AppChange[] = snapshot.apps.map((a) => ({ id: a.id, next: a }));
  for (const a of currentApps) if (isInGroup(a.id, snapshot.id) && a.id !== snapshot.id && !wanted.has(a.id)) changes.push({ id: a.id, next: null });
  const keptGroups = new Set(snapshot.groups.map((g) => g.id));
  const removeGroups = [...currentGroups].map((g) => g.id).filter((g) => isInGroup(g, snapshot.id) && g !== snapshot.id && !keptGroups.has(g));
  return { changes, groups: snapshot.groups, removeGroups };
}

/** The snapshot as Marathon's group JSON: nested groups, each holding the app definitions directly inside it. */
export function snapshotJson(snapshot: GroupSnapshot): Record<string, unknown> {
  const ids = new Set<string>(snapshot.groups.map((g) => g.id));
  for (const a of snapshot.apps) for (let g = parentOf(a.id); g !== snapshot.id && g !== '/' && isInGroup(g, snapshot.id); g = parentOf(g)) ids.add(g);
  const render = (id: string): Record<string, unknown> => ({
    id,
    apps: snapshot.apps.filter((a) => parentOf(a.id) === id),
    groups: [...ids].filter((g) => g !== id && parentOf(g) === id).sort().map(render),
    pods: [],
    dependencies: snapshot.groups.find((g) => g.id === id)?.dependencies ?? [],
    version: snapshot.version,
    enforceRole: false,
  });
  return render(snapshot.id);
}
