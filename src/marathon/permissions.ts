// Marathon's per-user permissions on app id prefixes (--http-permissions FILE, decision 0096):
// {"users": {"team-a": [{"path": "/team-a", "actions": ["*"]}]}}. A path covers itself and everything under it,
// by segments ("/team-a" covers /team-a/web, not /team-ab); "/" covers all.
import { z } from 'zod';
import { parsePrefixPermissions, type Permissions } from '../security/prefix-permissions.ts';

export { allows, seesInto, type PermissionAction, type Permissions } from '../security/prefix-permissions.ts';

/** "/team-a/", "/team-a/*" and "/team-a" all mean the prefix "/team-a"; "/*" and "/" mean everything. */
export function normalizePrefix(path: string): string {
  const p = path.replace(/\/\*$/, '').replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

/** Whether `prefix` covers `id`: the same path or an ancestor group of it. */
export function covers(prefix: string, id: string): boolean {
  return prefix === '/' || id === prefix || id.startsWith(`${prefix}/`);
}

export function parsePermissions(text: string): Permissions {
  return parsePrefixPermissions(text, {
    field: 'path', prefixSchema: z.string().startsWith('/', "must be an absolute app id prefix such as '/team-a'"),
    normalize: normalizePrefix, covers,
  });
}
