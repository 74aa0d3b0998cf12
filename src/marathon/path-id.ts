// Marathon path ids ("/prod/web"): segment rules, resolution of relative ids, and the ids derived from them.

/** One segment as Marathon's PathId validation allows it: lowercase letters, digits, inner hyphens, inner dots. */
const SEGMENT = /^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

export const ID_RULE = 'must fully match the regular expression ^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$ for each path segment';

/**
 * Resolves `id` against `base` (a group path, "/" for the root): absolute ids stay, relative ones are appended,
 * "." and ".." walk the path as in a file system. Returns undefined when a segment is invalid or the path is empty.
 */
export function resolvePathId(id: string, base = '/'): string | undefined {
  const parts = id.startsWith('/') ? [] : base.split('/').filter(Boolean);
  const given = id.split('/');
  for (let i = 0; i < given.length; i++) {
    const seg = given[i]!;
    if (seg === '') {
      // Leading "/" and a single trailing "/" are tolerated, empty segments elsewhere are not.
      if (i === 0 || i === given.length - 1) continue;
      return undefined;
    }
    if (seg === '.') continue;
    if (seg === '..') { if (parts.length === 0) return undefined; parts.pop(); continue; }
    if (!SEGMENT.test(seg)) return undefined;
    parts.push(seg);
  }
  if (parts.length === 0) return undefined;
  return `/${parts.join('/')}`;
}

/** The parent group of an absolute id ("/prod/web" → "/prod", "/web" → "/"). */
export function parentOf(id: string): string {
  const i = id.lastIndexOf('/');
  return i <= 0 ? '/' : id.slice(0, i);
}

/** Marathon 1.x task ids: the app id without its leading "/", other "/" as "_", then "." and a UUID. */
export function taskIdFor(appId: string, uuid: string): string {
  return `${appId.replace(/^\//, '').replace(/\//g, '_')}.${uuid}`;
}

/** The app id a Marathon task id belongs to (inverse of taskIdFor), or undefined if it is not one. */
export function appIdOfTask(taskId: string): string | undefined {
  const dot = taskId.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return `/${taskId.slice(0, dot).replace(/_/g, '/')}`;
}
