// Per-user permissions on name prefixes (decision 0096), shared by Marathon (app id paths) and Chronos (job names):
// each principal gets grants of actions (view, create, update, delete, or "*") on a prefix. Nothing is allowed
// unless granted. Pure: the APIs ask `allows`; what a prefix covers is the role's rule (`covers`).
import { z } from 'zod';

export const PERMISSION_ACTIONS = ['view', 'create', 'update', 'delete'] as const;
export type PermissionAction = typeof PERMISSION_ACTIONS[number];

export interface Grant { prefix: string; actions: ReadonlySet<PermissionAction> }
export interface Permissions {
  users: ReadonlyMap<string, Grant[]>;
  /** Whether a grant's prefix covers a name (Marathon: by path segments; Chronos: by characters). */
  covers(prefix: string, name: string): boolean;
}

/** Answered 403 with the role's error body. */
export class ForbiddenError extends Error {}

export interface PermissionsFormat {
  /** The grant's field holding the prefix: "path" (Marathon) or "prefix" (Chronos). */
  field: string;
  /** Extra rule for the prefix's text (zod refinement), e.g. absolute paths. */
  prefixSchema: z.ZodType<string>;
  normalize(prefix: string): string;
  covers(prefix: string, name: string): boolean;
}

/** A permissions file's text: {"users": {"<principal>": [{"<field>": "...", "actions": [...]}]}}; throws naming the bad field. */
export function parsePrefixPermissions(text: string, format: PermissionsFormat): Permissions {
  const grantSchema = z.object({
    [format.field]: format.prefixSchema,
    actions: z.array(z.enum(['view', 'create', 'update', 'delete', '*'])).min(1),
  }).strict();
  const fileSchema = z.object({ users: z.record(z.string().min(1), z.array(grantSchema)) }).strict();
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) { throw new Error(`invalid JSON: ${(err as Error).message}`); }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.length ? `'${issue.path.join('.')}' ` : ''}${issue.message}`);
  }
  const users = new Map<string, Grant[]>();
  for (const [user, grants] of Object.entries(parsed.data.users)) {
    users.set(user, (grants as Array<Record<string, unknown> & { actions: string[] }>).map((g) => ({
      prefix: format.normalize(g[format.field] as string),
      actions: new Set(g.actions.includes('*') ? PERMISSION_ACTIONS : g.actions as PermissionAction[]),
    })));
  }
  return { users, covers: format.covers };
}

/** Whether the principal may do `action` on `name`. No permissions configured: everyone may. */
export function allows(p: Permissions | undefined, principal: string | undefined, action: PermissionAction, name: string): boolean {
  if (!p) return true;
  if (principal === undefined) return false;
  return (p.users.get(principal) ?? []).some((g) => g.actions.has(action) && p.covers(g.prefix, name));
}

/**
 * Whether the container `name` (a Marathon group) shows up for the principal: it may view it, or something
 * inside it (then it is only a route to that, and its listing is filtered).
 */
export function seesInto(p: Permissions | undefined, principal: string | undefined, name: string): boolean {
  if (allows(p, principal, 'view', name)) return true;
  if (!p || principal === undefined) return false;
  return (p.users.get(principal) ?? []).some((g) => g.actions.has('view') && p.covers(name, g.prefix));
}

/** The 403 message. */
export function forbiddenMessage(principal: string | undefined, action: PermissionAction, name: string): string {
  return `Not authorized: ${principal === undefined ? 'anonymous requests' : `user '${principal}'`} may not ${action} ${name}`;
}
