// Marathon's per-user permissions on app id prefixes (--http-permissions FILE, decision 0096): each principal gets
// grants of actions (view, create, update, delete, or "*") on a path prefix ("/team-a" covers /team-a and
// everything under it, "/" covers all). Nothing is allowed unless granted. Pure: the API asks `allows`.
import { z } from 'zod';

export const PERMISSION_ACTIONS = ['view', 'create', 'update', 'delete'] as const;
export type PermissionAction = typeof PERMISSION_ACTIONS[number];

export interface Grant { path: string; actions: ReadonlySet<PermissionAction> }
export interface Permissions { users: ReadonlyMap<string, Grant[]> }

const grantSchema = z.object({
  path: z.string().startsWith('/', "must be an absolute app id prefix such as '/team-a'"),
  actions: z.array(z.enum(['view', 'create', 'update', 'delete', '*'])).min(1),
}).strict();
const fileSchema = z.object({ users: z.record(z.string().min(1), z.array(grantSchema)) }).strict();

/** "/team-a/", "/team-a/*" and "/team-a" all mean the prefix "/team-a"; "/*" and "/" mean everything. */
export function normalizePrefix(path: string): string {
  const p = path.replace(/\/\*$/, '').replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

/** A permissions file's text; throws with the offending field named. */
export function parsePermissions(text: string): Permissions {
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) { throw new Error(`invalid JSON: ${(err as Error).message}`); }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.length ? `'${issue.path.join('.')}' ` : ''}${issue.message}`);
  }
  const users = new Map<string, Grant[]>();
  for (const [user, grants] of Object.entries(parsed.data.users)) {
    users.set(user, grants.map((g) => ({
      path: normalizePrefix(g.path),
      actions: new Set(g.actions.includes('*') ? PERMISSION_ACTIONS : g.actions as PermissionAction[]),
    })));
  }
  return { users };
}

/** Whether `prefix` covers `id`: the same path or an ancestor group of it. */
export function covers(prefix: string, id: string): boolean {
  return prefix === '/' || id === prefix || id.startsWith(`${prefix}/`);
}

/** Whether the principal may do `action` on the app or group `id`. No permissions configured: everyone may. */
export function allows(p: Permissions | undefined, principal: string | undefined, action: PermissionAction, id: string): boolean {
  if (!p) return true;
  if (principal === undefined) return false;
  return (p.users.get(principal) ?? []).some((g) => g.actions.has(action) && covers(g.path, id));
}

/**
 * Whether the group `id` shows up for the principal: it may view the group itself, or something inside it
 * (then the group is only a route to that, and its listing is filtered).
 */
export function seesInto(p: Permissions | undefined, principal: string | undefined, id: string): boolean {
  if (allows(p, principal, 'view', id)) return true;
  if (!p || principal === undefined) return false;
  return (p.users.get(principal) ?? []).some((g) => g.actions.has('view') && covers(id, g.path));
}
