// Chronos' per-user permissions on job name prefixes (--http-permissions FILE, decision 0096):
// {"users": {"team-a": [{"prefix": "team-a-", "actions": ["*"]}]}}. A prefix covers every job whose name starts
// with it; "" covers all jobs (and is what purging the whole task queue needs).
import { z } from 'zod';
import { parsePrefixPermissions, type Permissions } from '../security/prefix-permissions.ts';

/** Everything: the name every prefix grant must cover to act on all jobs at once. */
export const ALL_JOBS = '';

export function parseJobPermissions(text: string): Permissions {
  return parsePrefixPermissions(text, {
    field: 'prefix', prefixSchema: z.string(), normalize: (p) => p.replace(/\*$/, ''),
    covers: (prefix, name) => name.startsWith(prefix),
  });
}
