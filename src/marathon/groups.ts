// Marathon groups: a group is a path holding apps and sub-groups. Apps carry their full ids, so the tree is
// derived from them plus the groups created explicitly (kept even while empty). Parsing a group body yields the
// app definitions it declares, with ids resolved against the group, and every validation problem with its path.
import { z } from 'zod';
import { AppValidationError, detailsOf, parseApp, type AppDefinition, type ValidationDetail } from './app-definition.ts';
import { parentOf, resolvePathId } from './path-id.ts';

export interface GroupRecord { id: string; dependencies: string[]; version: string }

const groupSchema: z.ZodType<GroupInput> = z.lazy(() => z.strictObject({
  id: z.string().optional(),
  apps: z.array(z.unknown()).optional(),
  groups: z.array(groupSchema).optional(),
  pods: z.array(z.unknown()).max(0, 'pods are not supported').optional(),
  dependencies: z.array(z.string()).optional(),
  scaleBy: z.number().positive().optional(),
  version: z.string().optional(),
  enforceRole: z.boolean().optional(),
}));

export interface GroupInput {
  id?: string | undefined;
  apps?: unknown[] | undefined;
  groups?: GroupInput[] | undefined;
  pods?: unknown[] | undefined;
  dependencies?: string[] | undefined;
  scaleBy?: number | undefined;
  version?: string | undefined;
  enforceRole?: boolean | undefined;
}

export interface ParsedGroup {
  id: string;
  /** Every group declared (this one and nested ones), with resolved dependencies. */
  groups: Array<{ id: string; dependencies: string[] }>;
  /** Apps declared anywhere in the body; undefined when the body has no `apps` at this level or below. */
  apps: AppDefinition[];
  /** Whether the body lists apps (so apps of the group it does not list are removed, as Marathon does). */
  listsApps: boolean;
  scaleBy?: number;
  version?: string;
}

/** Validates a group body posted at `pathId` (the URL's group, "/" for POST /v2/groups). */
export function parseGroup(body: unknown, pathId: string): ParsedGroup {
  const parsed = groupSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppValidationError(detailsOf(parsed.error));
  }
  const problems: ValidationDetail[] = [];
  const rootId = parsed.data.id !== undefined ? resolvePathId(parsed.data.id, pathId) : pathId === '/' ? undefined : pathId;
  if (!rootId) throw new AppValidationError([{ path: '/id', errors: [parsed.data.id === undefined ? 'id is required' : `'${parsed.data.id}' is not a valid group id`] }]);
  const out: ParsedGroup = { id: rootId, groups: [], apps: [], listsApps: false, ...(parsed.data.scaleBy ? { scaleBy: parsed.data.scaleBy } : {}), ...(parsed.data.version ? { version: parsed.data.version } : {}) };
  const walk = (g: GroupInput, id: string, path: string) => {
    const dependencies: string[] = [];
    for (const [i, d] of (g.dependencies ?? []).entries()) {
      const dep = resolvePathId(d, parentOf(id));
      if (dep) dependencies.push(dep); else problems.push({ path: `${path}/dependencies/${i}`, errors: [`'${d}' is not a valid id`] });
    }
    out.groups.push({ id, dependencies });
    if (g.apps) out.listsApps = true;
    for (const [i, a] of (g.apps ?? []).entries()) {
      try {
        out.apps.push(parseApp(a, id));
      } catch (err) {
        if (!(err instanceof AppValidationError)) throw err;
        for (const d of err.details) problems.push({ path: `${path}/apps/${i}${d.path === '/' ? '' : d.path}`, errors: d.errors });
      }
    }
    for (const [i, sub] of (g.groups ?? []).entries()) {
      const subId = sub.id !== undefined ? resolvePathId(sub.id, id) : undefined;
      if (!subId) { problems.push({ path: `${path}/groups/${i}/id`, errors: ['a nested group needs a valid id'] }); continue; }
      walk(sub, subId, `${path}/groups/${i}`);
    }
  };
  walk(parsed.data, rootId, '');
  const ids = out.apps.map((a) => a.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) problems.push({ path: '/apps', errors: [`app id ${dup} is declared twice`] });
  for (const a of out.apps) if (!a.id.startsWith(`${rootId}/`) && rootId !== '/') problems.push({ path: '/apps', errors: [`app ${a.id} is not inside group ${rootId}`] });
  if (problems.length > 0) throw new AppValidationError(problems);
  return out;
}

export function isInGroup(id: string, groupId: string): boolean {
  return groupId === '/' || id === groupId || id.startsWith(`${groupId}/`);
}

/** Every group path that exists: explicit ones, the ancestors of every app, and the root. */
export function groupIds(appIds: Iterable<string>, explicit: Iterable<string>): Set<string> {
  const out = new Set<string>(['/']);
  const addWithAncestors = (id: string) => {
    for (let g = id; g !== '/'; g = parentOf(g)) out.add(g);
  };
  for (const g of explicit) addWithAncestors(g);
  for (const a of appIds) { const p = parentOf(a); if (p !== '/') addWithAncestors(p); }
  return out;
}
